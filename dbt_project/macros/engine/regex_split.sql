{#- Why: a text split at every match of a regex into an array (empty strings kept at both ends on both engines):
    DuckDB regexp_split_to_array, Spark split. -#}
{% macro regex_split(text, pattern) -%}
    {{ return(adapter.dispatch('regex_split', 'empathy_lake')(text, pattern)) }}
{%- endmacro %}

{% macro default__regex_split(text, pattern) -%}
    regexp_split_to_array({{ text }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regex_split(text, pattern) -%}
    split({{ text }}, {{ pattern }}, -1)
{%- endmacro %}
