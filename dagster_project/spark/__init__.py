"""The spark engine (EMPATHY_LAKE_ENGINE=spark, docs/spark.md): the raw tables handed to Spark as Parquet, and
dbt's Python models run in dbt's own Spark session."""
