{#-
  The spark engine reads the loaded raw tables as Parquet files the run exports under
  <home>/spark/raw/<schema>/<table> (dagster_project/spark/raw_export.py). Before a build this registers each
  source table as an external Spark table over its folder, so `source()` resolves on both engines unchanged.
  A nothing on DuckDB, where the loaders' tables are the sources themselves.
-#}
{% macro register_raw_sources() -%}
    {{ return(adapter.dispatch('register_raw_sources', 'empathy_lake')()) }}
{%- endmacro %}

{% macro default__register_raw_sources() -%}
{%- endmacro %}

{% macro spark__register_raw_sources() -%}
    {%- if execute -%}
        {%- set root = env_var('EMPATHY_LAKE_SPARK_DIR', '../lake/spark') ~ '/raw' -%}
        {%- set schemas = [] -%}
        {%- for source in graph.sources.values() -%}
            {%- if source.schema not in schemas -%}
                {%- do schemas.append(source.schema) -%}
                {%- do run_query('create database if not exists ' ~ source.schema) -%}
            {%- endif -%}
            {%- set relation = source.schema ~ '.' ~ source.identifier -%}
            {%- do run_query('drop table if exists ' ~ relation) -%}
            {%- do run_query("create table " ~ relation ~ " using parquet location '" ~ root ~ '/' ~ source.schema ~ '/' ~ source.identifier ~ "'") -%}
        {%- endfor -%}
        {#- Development only (dagster_project/spark/dev.py --import): relations a DuckDB build made, handed over
            as Parquet, so one layer can be built on Spark over the layers below it. -#}
        {%- set imported = env_var('EMPATHY_LAKE_SPARK_DIR', '../lake/spark') ~ '/import' -%}
        {%- for schema, name in var('spark_imports', []) -%}
            {%- do run_query('create database if not exists ' ~ schema) -%}
            {#- Spark drops a view only with DROP VIEW and a table only with DROP TABLE (either errors on the other). -#}
            {%- set views = run_query("show views in " ~ schema ~ " like '" ~ name ~ "'") -%}
            {%- do run_query(('drop view ' if views | length > 0 else 'drop table if exists ') ~ schema ~ '.' ~ name) -%}
            {%- do run_query("create table " ~ schema ~ '.' ~ name ~ " using parquet location '" ~ imported ~ '/' ~ schema ~ '/' ~ name ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
