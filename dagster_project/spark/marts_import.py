"""Bring what dbt built on Spark back into the build warehouse, so the checks, the alerts and publishing run on the
spark engine exactly as on DuckDB and the dashboard reads the same serving copy (docs/spark.md).

Spark writes each table as Parquet under its warehouse folder (<home>/spark/warehouse/<schema>.db/<table>/);
DuckDB reads those files in place. Only the published layer is copied (the marts and the seeds beside them):
the marts are aggregates, small next to the raw tables that stay with Spark."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from dagster_project.settings import Settings

IMPORTED_SCHEMAS = ("marts",)


def built_relations(
    manifest_path: Path, schemas: tuple[str, ...] = IMPORTED_SCHEMAS, tables_only: bool = False
) -> list[tuple[str, str]]:
    """(schema, name) of every model and seed dbt builds in `schemas` (only those stored as tables, with files under
    Spark's warehouse folder, when `tables_only`), from the parsed project."""
    manifest = json.loads(manifest_path.read_text())
    kept = {"table", "incremental", "seed"} if tables_only else None
    return sorted(
        (node["schema"], node.get("alias") or node["name"])
        for node in manifest["nodes"].values()
        if node["resource_type"] in {"model", "seed"}
        and node["schema"] in schemas
        and node["config"].get("materialized") != "ephemeral"
        and (kept is None or node["config"].get("materialized") in kept)
    )


def spark_table_folder(settings: Settings, schema: str, name: str) -> Path:
    """Where Spark's default catalog keeps a managed table's files (spark.sql.warehouse.dir in profiles.yml)."""
    return settings.spark_dir / "warehouse" / f"{schema}.db" / name


def import_marts(con: duckdb.DuckDBPyConnection, settings: Settings, relations: list[tuple[str, str]]) -> int:
    """Replace each relation in the build warehouse with Spark's table; return the rows copied. One transaction:
    a failure leaves the previous marts whole."""
    total = 0
    con.execute("begin transaction")
    try:
        for schema, name in relations:
            folder = spark_table_folder(settings, schema, name)
            if not any(folder.glob("*.parquet")):
                raise FileNotFoundError(f"Spark built no files for {schema}.{name} (looked in {folder})")
            con.execute(f'create schema if not exists "{schema}"')
            con.execute(f'drop view if exists "{schema}"."{name}"')
            con.execute(
                f'create or replace table "{schema}"."{name}" as select * from read_parquet(?)',
                [str(folder / "*.parquet")],
            )
            total += con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return total
