"""Staging and intermediate on Spark, checked against DuckDB (docs/spark.md, "Staging and intermediate on Spark (s15)").

    EMPATHY_LAKE_HOME=<a lake a duckdb run built> uv run --extra spark python -m dagster_project.spark.layers \\
        [--import SCHEMA] [dbt arguments]
    EMPATHY_LAKE_HOME=<a lake a spark run built> ... -m dagster_project.spark.layers --compare-lake DUCKDB_FILE \\
        [--ignore-column NAME ...]

exports the lake's raw tables and builds on Spark in this process (dev.py's export and dbt arguments; default: the
seeds and the SQL models of staging and intermediate with their data tests), then reads every model and seed it
built from Spark and from the lake's DuckDB build and prints EQUAL or what differs (spark/equality.py: keys exactly,
floats to 1e-9). `--compare-lake` compares what a whole spark run built instead (tests/test_engines_equal.py).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import Any

from dagster_project.spark.equality import differences

# Left out of SQL_LAYERS: the Python models (their own part of the port) and the impact panels, which read the marts.
LEFT_OUT = [
    "int_employee_survey_cell_suppression", "int_alert_evidence", "int_initiative_estimates",
    "int_impact_panel", "int_impact_cells",
]  # fmt: skip
SQL_LAYERS = [
    "--select", "staging", "intermediate", "resource_type:seed",
    "--exclude", *LEFT_OUT,
    "--exclude-resource-type", "unit_test",
]  # fmt: skip


@dataclass
class SparkBuild:
    """A dbt build on the spark target run in this process, and the Spark session it used."""

    success: bool
    built: list[str]  # schema.name of every model and seed it built
    failed: list[str]  # names of the nodes (models, seeds, tests) that failed, errored or were skipped
    spark: Any


def build_on_spark(settings, argv: list[str]) -> SparkBuild:
    """Export the lake's raw tables and run dbt on the spark target in this process (dev.py's arguments)."""
    from dbt.cli.main import dbtRunner
    from pyspark.sql import SparkSession

    from dagster_project.spark.dbt_main import install_session_python_models
    from dagster_project.spark.dev import prepare

    command, env = prepare(settings, argv)
    os.environ.update(env)  # the profile reads the lake's paths from the environment, as in dev.py's subprocess
    install_session_python_models()
    result = dbtRunner().invoke(command)
    results = list(result.result) if hasattr(result.result, "__iter__") else []
    built = [
        f"{r.node.schema}.{r.node.alias}"
        for r in results
        if r.node.resource_type in ("model", "seed") and str(r.status) == "success"
    ]
    failed = [r.node.name for r in results if str(r.status) in ("error", "fail", "skipped")]
    spark = SparkSession.builder.getOrCreate()  # the session dbt made (in its own thread)
    return SparkBuild(bool(result.success), built, failed, spark)


def compare_relations(
    con, spark, relations: list[str], ignore: tuple[str, ...] = (), files: dict[str, str] | None = None
) -> dict[str, list[str]]:
    """Each relation (schema.name) read from the DuckDB connection and from the Spark side, without the columns
    named in `ignore`: what differs. The Spark side of a relation in `files` (Spark's table files, a glob) is read
    from those files by DuckDB, as publishing reads the marts (spark/marts_import.py); the rest through Spark."""
    files = files or {}

    def kept(relation):  # a DuckDB relation without the ignored columns
        return relation.project(", ".join(f'"{c}"' for c in relation.columns if c not in ignore))

    def other(relation: str):
        return kept(con.read_parquet(files[relation])) if relation in files else spark.table(relation).drop(*ignore)

    return {r: differences(kept(con.table(r)), other(r)) for r in relations}


def compare_lake(settings, duckdb_path, ignore: tuple[str, ...] = ()) -> dict[str, list[str]]:
    """Every model and seed a spark run of the lake built (its Spark catalog) against the same relation in a DuckDB
    build of the same landing files (`duckdb_path`), without the columns in `ignore` (`_loaded_at`, when the DuckDB
    build is another run's): what differs, per relation. Spark's tables are read from their files, its views (staging
    and intermediate SQL) by Spark."""
    from pathlib import Path

    from dagster_project.resources import dbt_project
    from dagster_project.spark.marts_import import built_relations, spark_table_folder
    from dagster_project.spark.session import catalog_session

    schemas = ("staging", "marts")
    relations = [f"{s}.{n}" for s, n in built_relations(dbt_project.manifest_path, schemas)]
    files = {
        f"{s}.{n}": str(spark_table_folder(settings, s, n) / "*.parquet")
        for s, n in built_relations(dbt_project.manifest_path, schemas, tables_only=True)
    }
    spark = catalog_session(settings)
    try:
        with settings.connect(Path(duckdb_path), read_only=True) as con:
            return compare_relations(con, spark, relations, ignore, files)
    finally:
        spark.stop()


def main(argv: list[str]) -> int:
    from dagster_project.settings import get_settings

    settings = get_settings()
    if argv[:1] == ["--compare-lake"]:  # a spark run's catalog against a DuckDB build of the same files, as JSON
        ignore = tuple(argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == "--ignore-column")
        print(json.dumps(compare_lake(settings, argv[1], ignore)))
        return 0
    build = build_on_spark(settings, argv or ["build", *SQL_LAYERS])
    with settings.connect(settings.build_db, read_only=True) as con:
        report = compare_relations(con, build.spark, build.built)
    for relation, found in report.items():
        print(f"{relation}: {'EQUAL' if not found else 'DIFFERENT'}")
        for line in found:
            print(f"    {line}")
    summary = {"compared": len(report), "different": sorted(r for r, f in report.items() if f), "failed": build.failed}
    print(json.dumps(summary))
    return 0 if build.success and not any(report.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
