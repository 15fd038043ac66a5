{#- One row per element of a list, in a select list: DuckDB's unnest is Spark's explode. -#}
{% macro unnest_list(expr) -%}
    {{ return(adapter.dispatch('unnest_list', 'empathy_lake')(expr)) }}
{%- endmacro %}

{% macro default__unnest_list(expr) -%}
    unnest({{ expr }})
{%- endmacro %}

{% macro spark__unnest_list(expr) -%}
    explode({{ expr }})
{%- endmacro %}
