{#- Why: DuckDB's hint that a CTE is computed once (`name as materialized (…)`); Spark's SQL has no such hint. -#}
{% macro cte_materialized() -%}
    {{ return(adapter.dispatch('cte_materialized', 'empathy_lake')()) }}
{%- endmacro %}

{% macro default__cte_materialized() -%}
    materialized
{%- endmacro %}

{% macro spark__cte_materialized() -%}
{%- endmacro %}
