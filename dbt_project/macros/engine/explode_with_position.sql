{#- Why: one row per array element with its position, as select-list items named `value` and `position`:
    DuckDB unnest + generate_subscripts (positions from 1), Spark posexplode (positions from 0). Use positions
    only relative to each other. -#}
{% macro explode_with_position(array, value, position) -%}
    {{ return(adapter.dispatch('explode_with_position', 'empathy_lake')(array, value, position)) }}
{%- endmacro %}

{% macro default__explode_with_position(array, value, position) -%}
    unnest({{ array }}) as {{ value }}, generate_subscripts({{ array }}, 1) as {{ position }}
{%- endmacro %}

{% macro spark__explode_with_position(array, value, position) -%}
    posexplode({{ array }}) as ({{ position }}, {{ value }})
{%- endmacro %}
