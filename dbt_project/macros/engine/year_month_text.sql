{#- Why: a date as 'YYYY-MM' text: DuckDB strftime(d, '%Y-%m'), Spark date_format(d, 'yyyy-MM'). -#}
{% macro year_month_text(expr) -%}
    {{ return(adapter.dispatch('year_month_text', 'empathy_lake')(expr)) }}
{%- endmacro %}

{% macro default__year_month_text(expr) -%}
    strftime({{ expr }}, '%Y-%m')
{%- endmacro %}

{% macro spark__year_month_text(expr) -%}
    date_format({{ expr }}, 'yyyy-MM')
{%- endmacro %}
