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
# Beside Spark's catalog: the folder it was made in (catalog_for_this_lake).
CATALOG_MADE_IN = "catalog_made_in.txt"
# What the catalog and the tables it records live in, under the lake's spark folder (dbt_project/profiles.yml).
CATALOG_FOLDERS = ("metastore", "warehouse")


@dataclass(frozen=True)
class ExportedTable:
    schema: str
    table: str
    rows: int


def source_tables(manifest_path: Path = DBT_PROJECT_DIR / "target" / "manifest.json") -> list[tuple[str, str]]:
    """(schema, table) of every dbt source, from the parsed project: the one list of what dbt reads raw."""
    manifest = json.loads(manifest_path.read_text())
    return sorted({(s["schema"], s["identifier"]) for s in manifest["sources"].values()})


def catalog_for_this_lake(settings: Settings) -> bool:
    """Spark's catalog (metastore/) records every database's folder as an absolute path, so in a lake copied or
    moved elsewhere Spark goes on reading and writing the first lake's tables: a copy's rebuild wrote its tables
    into the original's folder and its publish then read its own stale files (docs/spark.md). A catalog made in
    another folder, or of unknown origin (made before this note was kept), is removed with the tables it records;
    they are derived, and the build makes them again from the raw tables. Returns whether it removed one."""
    spark_dir = settings.spark_dir.resolve()
    made_in = spark_dir / CATALOG_MADE_IN
    here = str(spark_dir)
    foreign = (not made_in.exists() or made_in.read_text() != here) and any(
        (spark_dir / folder).exists() for folder in CATALOG_FOLDERS
    )
    if foreign:
        for folder in CATALOG_FOLDERS:
            if (spark_dir / folder).exists():
                shutil.rmtree(spark_dir / folder)
    spark_dir.mkdir(parents=True, exist_ok=True)
    made_in.write_text(here)
    return foreign


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
