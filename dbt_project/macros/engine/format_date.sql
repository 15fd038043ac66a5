{#- A date or timestamp as text in a strftime format ('%b %Y' = "Mar 2024"): DuckDB's strftime is Spark's
    date_format with Java's pattern letters. The formats the project uses are mapped; another is an error. -#}
{% macro format_date(expr, format) -%}
    {{ return(adapter.dispatch('format_date', 'empathy_lake')(expr, format)) }}
{%- endmacro %}

{% macro default__format_date(expr, format) -%}
    strftime({{ expr }}, '{{ format }}')
{%- endmacro %}

{% macro spark__format_date(expr, format) -%}
    {%- set patterns = {'%b %Y': 'MMM yyyy', '%-d %b %Y': 'd MMM yyyy', '%Y-%m': 'yyyy-MM', '%Y-%m-%d': 'yyyy-MM-dd'} -%}
    {%- if format not in patterns -%}
        {{ exceptions.raise_compiler_error("format_date on spark has no pattern for " ~ format) }}
    {%- endif -%}
    date_format({{ expr }}, '{{ patterns[format] }}')
{%- endmacro %}
