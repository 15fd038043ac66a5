{#- Whole days or seconds from start_at to end_at, counting boundaries crossed as DuckDB's date_diff does: Spark's
    date_diff wants an unquoted unit and counts whole units elapsed, and dbt.datediff fails on NULLs there. -#}
{% macro date_diff(part, start_at, end_at) -%}
    {{ return(adapter.dispatch('date_diff', 'empathy_lake')(part, start_at, end_at)) }}
{%- endmacro %}

{% macro default__date_diff(part, start_at, end_at) -%}
    date_diff('{{ part }}', {{ start_at }}, {{ end_at }})
{%- endmacro %}

{% macro spark__date_diff(part, start_at, end_at) -%}
    {%- if part == 'day' -%}
        cast(datediff({{ end_at }}, {{ start_at }}) as bigint)
    {%- elif part == 'second' -%}
        (unix_timestamp({{ end_at }}) - unix_timestamp({{ start_at }}))
    {%- else -%}
        {{ exceptions.raise_compiler_error("date_diff on spark supports 'day' and 'second', not " ~ part) }}
    {%- endif -%}
{%- endmacro %}
