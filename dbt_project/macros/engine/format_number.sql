{#- A number as text in a printf format ('%.1f', '%,d', '%g'): Spark's printf is Java's, which rounds the decimal
    shown (0.15 -> "0.2") where C rounds the binary value (0.1) and whose %g keeps zeros ("60.0000", C: "60").
    Spark's format_number (Java's DecimalFormat, which rounds the binary value half-even as C does) gives C's
    text; %g maps to at most six decimals (C's %g uses six significant digits: equal for the project's thresholds,
    which are neither huge nor tiny). The formats the project uses are mapped; another is an error. -#}
{% macro format_number(expr, format) -%}
    {{ return(adapter.dispatch('format_number', 'empathy_lake')(expr, format)) }}
{%- endmacro %}

{% macro default__format_number(expr, format) -%}
    printf('{{ format }}', {{ expr }})
{%- endmacro %}

{% macro spark__format_number(expr, format) -%}
    {%- set patterns = {'%.0f': '0', '%.1f': '0.0', '%,d': '#,##0', '%,.0f': '#,##0', '%g': '0.######'} -%}
    {%- if format not in patterns -%}
        {{ exceptions.raise_compiler_error("format_number on spark has no pattern for " ~ format) }}
    {%- endif -%}
    format_number(cast({{ expr }} as double), '{{ patterns[format] }}')
{%- endmacro %}
