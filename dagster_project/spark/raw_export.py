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

from dagster_project.settings import DBT_PROJECT_DIR, Settings, export_env

# Rows per Parquet row group: Spark splits a file's reading into tasks by row group.
ROW_GROUP_SIZE = 1_000_000
# Beside Spark's catalog: the folder it was made in (catalog_made_elsewhere).
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


def _catalog_path(settings: Settings) -> str:
    """The spark folder exactly as Spark is given it (EMPATHY_LAKE_SPARK_DIR, profiles.yml), unresolved: a catalog
    records that string, so a symlinked spark folder moved with its lake must still count as moved."""
    return export_env(settings)["EMPATHY_LAKE_SPARK_DIR"]


def catalog_made_elsewhere(settings: Settings) -> str | None:
    """Why the lake's Spark catalog is not its own, in words, or None when it is (or there is none yet).

    Spark's catalog (metastore/) records every database's folder as an absolute path, so in a lake copied or moved
    elsewhere Spark goes on reading and writing the first lake's tables: a copy's rebuild wrote its tables into the
    original's folder and its publish then read its own stale files (docs/spark.md, D773)."""
    spark_dir = settings.spark_dir
    if not any((spark_dir / folder).exists() for folder in CATALOG_FOLDERS):
        return None
    made_in = spark_dir / CATALOG_MADE_IN
    if not made_in.exists():
        return "Spark's catalog has no record of the folder it was made in (a lake from before s19)"
    if made_in.read_text() != _catalog_path(settings):
        return "Spark's catalog was made in another folder (a copied or moved lake)"
    return None


def drop_catalog_made_elsewhere(settings: Settings) -> str | None:
    """At the start of every spark build: a catalog made elsewhere (catalog_made_elsewhere) is removed with the
    tables it records, which are derived: this build makes them all again from the raw tables. Returns the line
    the run's log shows when it did, else None; then notes this lake's folder beside the catalog."""
    reason = catalog_made_elsewhere(settings)
    if reason:
        for folder in CATALOG_FOLDERS:
            if (settings.spark_dir / folder).exists():
                shutil.rmtree(settings.spark_dir / folder)
    settings.spark_dir.mkdir(parents=True, exist_ok=True)
    (settings.spark_dir / CATALOG_MADE_IN).write_text(_catalog_path(settings))
    return f"{reason}: removed; this run builds every Spark table in full" if reason else None


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
