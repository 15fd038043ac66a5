{#- Why: an aggregate of the distinct values of `expr` where `condition` holds, as a sorted array: DuckDB
    list(distinct … order by …), Spark array_sort(collect_set(…)). -#}
{% macro sorted_distinct_list(expr, condition) -%}
    {{ return(adapter.dispatch('sorted_distinct_list', 'empathy_lake')(expr, condition)) }}
{%- endmacro %}

{% macro default__sorted_distinct_list(expr, condition) -%}
    list(distinct {{ expr }} order by {{ expr }}) filter (where {{ condition }})
{%- endmacro %}

{% macro spark__sorted_distinct_list(expr, condition) -%}
    array_sort(collect_set({{ expr }}) filter (where {{ condition }}))
{%- endmacro %}
