{#- A list's elements joined by a separator: DuckDB's array_to_string is Spark's array_join. -#}
{% macro list_to_string(expr, separator) -%}
    {{ return(adapter.dispatch('list_to_string', 'empathy_lake')(expr, separator)) }}
{%- endmacro %}

{% macro default__list_to_string(expr, separator) -%}
    array_to_string({{ expr }}, {{ separator }})
{%- endmacro %}

{% macro spark__list_to_string(expr, separator) -%}
    array_join({{ expr }}, {{ separator }})
{%- endmacro %}
