{#- The list start, start + step, ... up to stop inclusive (numbers, or dates with an interval step): DuckDB's
    generate_series is Spark's sequence. -#}
{% macro generate_series(start, stop, step=none) -%}
    {{ return(adapter.dispatch('generate_series', 'empathy_lake')(start, stop, step)) }}
{%- endmacro %}

{% macro default__generate_series(start, stop, step=none) -%}
    generate_series({{ start }}, {{ stop }}{% if step is not none %}, {{ step }}{% endif %})
{%- endmacro %}

{% macro spark__generate_series(start, stop, step=none) -%}
    sequence({{ start }}, {{ stop }}{% if step is not none %}, {{ step }}{% endif %})
{%- endmacro %}
