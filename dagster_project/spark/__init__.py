"""The spark engine (EMPATHY_LAKE_ENGINE=spark, docs/spark.md): the raw tables handed to Spark as Parquet, and
dbt's Python models run in dbt's own Spark session."""

from __future__ import annotations

import importlib.util

from dagster_project.settings import java_found

INSTALL_HINT = "install it with `uv sync --extra spark` (or `EMPATHY_LAKE_ENGINE=spark make demo`), docs/spark.md"


def spark_missing() -> str | None:
    """What the spark engine lacks on this machine, in words, or None when it can run."""
    if importlib.util.find_spec("pyspark") is None or importlib.util.find_spec("dbt.adapters.spark") is None:
        return f"the spark engine needs the optional spark packages (pyspark, dbt-spark): {INSTALL_HINT}"
    if not java_found():
        return "the spark engine needs Java 17 (Debian: apt-get install openjdk-17-jre-headless), docs/spark.md"
    return None
