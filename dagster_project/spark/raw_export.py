"""Hand the loaded raw tables to Spark: each dbt source table is written from the build warehouse as Parquet under
<home>/spark/raw/<schema>/<table>/ (docs/spark.md, docs/decisions.md). The loaders stay the one gate every row
passes (contract, quarantine, ledger, conservation); Spark reads what they loaded, in place, as external tables
(dbt_project/macros/spark_sources.sql).

A table is written into a new folder and swapped in by renames, so a reader never sees half a table; a run killed
between the two renames leaves the folder missing until the next export, which every spark build starts with."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.settings import DBT_PROJECT_DIR, Settings

# Rows per Parquet row group: Spark splits a file's reading into tasks by row group.
ROW_GROUP_SIZE = 1_000_000


@dataclass(frozen=True)
class ExportedTable:
    schema: str
    table: str
    rows: int


def source_tables(manifest_path: Path = DBT_PROJECT_DIR / "target" / "manifest.json") -> list[tuple[str, str]]:
    """(schema, table) of every dbt source, from the parsed project: the one list of what dbt reads raw."""
    manifest = json.loads(manifest_path.read_text())
    return sorted({(s["schema"], s["identifier"]) for s in manifest["sources"].values()})


def export_raw_tables(
    con: duckdb.DuckDBPyConnection, settings: Settings, tables: list[tuple[str, str]]
) -> list[ExportedTable]:
    """Write each table to <spark_dir>/raw/<schema>/<table>/ as Parquet and return the rows written."""
    return export_tables(con, settings.spark_dir / "raw", tables)


def export_tables(con: duckdb.DuckDBPyConnection, root: Path, tables: list[tuple[str, str]]) -> list[ExportedTable]:
    """Write each relation to <root>/<schema>/<table>/ as Parquet and return the rows written."""
    exported = []
    for schema, table in tables:
        target = root / schema / table
        fresh = target.with_name(f".{table}.new")
        stale = target.with_name(f".{table}.old")
        for leftover in (fresh, stale):
            shutil.rmtree(leftover, ignore_errors=True)
        fresh.mkdir(parents=True)
        relation = f'"{schema}"."{table}"'
        con.execute(
            f"copy (select * from {relation}) to '{fresh / 'part-0.parquet'}' "
            f"(format parquet, compression zstd, row_group_size {ROW_GROUP_SIZE})"
        )
        (rows,) = con.execute(f"select count(*) from {relation}").fetchone()
        if target.exists():
            target.rename(stale)
        fresh.rename(target)
        shutil.rmtree(stale, ignore_errors=True)
        exported.append(ExportedTable(schema, table, rows))
    return exported
