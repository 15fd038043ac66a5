{#- Why: the config of a model kept incremental by a key. DuckDB deletes the key's old rows and inserts the new
    (delete+insert); Spark's plain Parquet tables support neither delete nor merge, so there the model is a
    table rebuilt in full each run (same rows, more work). `post_hook` (a delete) runs on DuckDB only. -#}
{% macro incremental_by_key(unique_key, post_hook=none) -%}
    {{ return(adapter.dispatch('incremental_by_key', 'empathy_lake')(unique_key, post_hook)) }}
{%- endmacro %}

{% macro default__incremental_by_key(unique_key, post_hook) -%}
    {{ return({'materialized': 'incremental', 'unique_key': unique_key, 'incremental_strategy': 'delete+insert',
               'post_hook': [post_hook] if post_hook else []}) }}
{%- endmacro %}

{% macro spark__incremental_by_key(unique_key, post_hook) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}
