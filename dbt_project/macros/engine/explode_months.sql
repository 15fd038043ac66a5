{#- Why: one row per first-of-month date from the month of `start` to the month of `stop` (both first-of-month
    values): DuckDB unnest(generate_series()), Spark explode(sequence()). -#}
{% macro explode_months(start, stop) -%}
    {{ return(adapter.dispatch('explode_months', 'empathy_lake')(start, stop)) }}
{%- endmacro %}

{% macro default__explode_months(start, stop) -%}
    unnest(generate_series({{ start }}, {{ stop }}, interval 1 month))::date
{%- endmacro %}

{% macro spark__explode_months(start, stop) -%}
    explode(sequence(cast({{ start }} as date), cast({{ stop }} as date), interval 1 month))
{%- endmacro %}
