{#- The value of `arg` on the row where `val` is largest: DuckDB's arg_max is Spark's max_by. -#}
{% macro arg_max(arg, val) -%}
    {{ return(adapter.dispatch('arg_max', 'empathy_lake')(arg, val)) }}
{%- endmacro %}

{% macro default__arg_max(arg, val) -%}
    arg_max({{ arg }}, {{ val }})
{%- endmacro %}

{% macro spark__arg_max(arg, val) -%}
    max_by({{ arg }}, {{ val }})
{%- endmacro %}
