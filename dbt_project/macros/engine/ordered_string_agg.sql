{#- Why: values joined in a stated order: DuckDB string_agg(x, sep order by …), Spark listagg(x, sep) within group
    (order by …) (dbt.listagg ignores the order on Spark). -#}
{% macro ordered_string_agg(expr, delimiter, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'empathy_lake')(expr, delimiter, order_by)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expr, delimiter, order_by) -%}
    string_agg({{ expr }}, {{ delimiter }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__ordered_string_agg(expr, delimiter, order_by) -%}
    listagg({{ expr }}, {{ delimiter }}) within group (order by {{ order_by }})
{%- endmacro %}
