{#- Why: one row per piece of a text split at a literal delimiter: DuckDB unnest(string_split()), Spark
    explode(split()) whose delimiter is a regex (so it is quoted). Spark allows no expression around the
    generator: wrap the result in a subquery to trim or cast it. -#}
{% macro explode_split(text, delimiter) -%}
    {{ return(adapter.dispatch('explode_split', 'empathy_lake')(text, delimiter)) }}
{%- endmacro %}

{% macro default__explode_split(text, delimiter) -%}
    unnest(string_split({{ text }}, '{{ delimiter }}'))
{%- endmacro %}

{% macro spark__explode_split(text, delimiter) -%}
    explode(split({{ text }}, '\\Q{{ delimiter }}\\E', -1))
{%- endmacro %}
