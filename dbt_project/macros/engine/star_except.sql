{#- Why: every column but some: DuckDB `* exclude (…)`, Spark `* except (…)`. -#}
{% macro star_except(columns) -%}
    {{ return(adapter.dispatch('star_except', 'empathy_lake')(columns)) }}
{%- endmacro %}

{% macro default__star_except(columns) -%}
    * exclude ({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__star_except(columns) -%}
    * except ({{ columns | join(', ') }})
{%- endmacro %}
