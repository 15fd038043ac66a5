{#- Why: an empty array of strings: DuckDB []::varchar[], Spark cast(array() as array<string>). -#}
{% macro empty_string_list() -%}
    {{ return(adapter.dispatch('empty_string_list', 'empathy_lake')()) }}
{%- endmacro %}

{% macro default__empty_string_list() -%}
    []::varchar[]
{%- endmacro %}

{% macro spark__empty_string_list() -%}
    cast(array() as array<string>)
{%- endmacro %}
