{#- Why: "does the text contain a match of this regex": DuckDB regexp_matches(text, pattern), Spark rlike(text, pattern). -#}
{% macro regex_contains(text, pattern) -%}
    {{ return(adapter.dispatch('regex_contains', 'empathy_lake')(text, pattern)) }}
{%- endmacro %}

{% macro default__regex_contains(text, pattern) -%}
    regexp_matches({{ text }}, {{ pattern }})
{%- endmacro %}

{% macro spark__regex_contains(text, pattern) -%}
    rlike({{ text }}, {{ pattern }})
{%- endmacro %}
