{#- Why: a regular expression as an SQL string literal. DuckDB's strings keep backslashes as written (\pL reaches
    the regex); Spark's string literals treat a backslash as an escape, so it must be doubled there. -#}
{% macro regex_literal(pattern) -%}
    {{ return(adapter.dispatch('regex_literal', 'empathy_lake')(pattern)) }}
{%- endmacro %}

{% macro default__regex_literal(pattern) -%}
    '{{ pattern | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__regex_literal(pattern) -%}
    '{{ pattern | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
