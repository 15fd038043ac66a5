"""Publish the build warehouse as a read-only serving copy, atomically.

Readers (the dashboard, analysts) never open the build file: DuckDB allows one writer or many readers per
file, so a reader on the build file would block the pipeline and could see a half-built state. Instead a
new file is written beside the serving copy and renamed over it in one step (`os.replace`, atomic on POSIX):
a reader sees the old copy or the new one, never a mix, and a reader holding the old file keeps reading it.
Writers take one lock (a file beside the serving copy) for the whole copy-and-rename: a job that republishes a few
tables copies the serving file first, and a complete publication between its copy and its rename would be undone.

Only what readers need is copied: the marts and the run metadata. Raw and staging tables stay behind, so
raw survey answers, respondent keys and quarantined record text never reach the serving copy.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.settings import get_settings

PUBLISHED_SCHEMAS = ("marts", "meta")
# Columns that must not leave the build warehouse even inside a published table.
WITHHELD_COLUMNS = {("meta", "quarantine"): {"record"}}
# Columns published through an expression. A failed check on a raw table keeps a sample of the values it
# rejected (a CRM id, a ticket's text); the run does not publish, but the next good run would publish the
# history of check results, so samples of raw values are dropped from it (docs/privacy.md).
PUBLISHED_AS = {
    ("meta", "check_results", "details"): (
        "CASE WHEN table_name LIKE 'raw\\_%' ESCAPE '\\' AND json_valid(details) "
        """THEN CAST(json_merge_patch(details, '{"unexpected_sample": null}') AS VARCHAR) ELSE details END"""
    )
}


@dataclass(frozen=True)
class Publication:
    path: Path
    tables: int
    total_rows: int


def _published_tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    schemas = ", ".join(f"'{s}'" for s in PUBLISHED_SCHEMAS)
    return con.execute(
        f"SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = 'build' "
        f"AND table_schema IN ({schemas}) AND table_type = 'BASE TABLE' ORDER BY 1, 2"
    ).fetchall()


def _column_list(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    withheld = WITHHELD_COLUMNS.get((schema, table), set())
    columns = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'build' "
            "AND table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, table],
        ).fetchall()
        if r[0] not in withheld
    ]
    return ", ".join(
        f'{PUBLISHED_AS[(schema, table, c)]} AS "{c}"' if (schema, table, c) in PUBLISHED_AS else f'"{c}"'
        for c in columns
    )


@contextmanager
def _new_copy(build_db: Path, serving_db: Path, from_current: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a new file beside `serving_db` (a copy of it when `from_current`) with `build_db` attached
    read-only as `build`; when the block succeeds the file is checkpointed and renamed over `serving_db`. Every
    writer of the serving copy holds its lock from before the copy to after the rename, across processes."""
    from dagster_project.cli import exclusive_lock

    staging_file = serving_db.with_name(f".{serving_db.name}.{uuid.uuid4().hex[:8]}.tmp")
    with exclusive_lock(serving_db.with_name(f".{serving_db.name}.lock")):
        try:
            if from_current:
                shutil.copyfile(serving_db, staging_file)
            con = get_settings().connect(staging_file)
            try:
                con.execute(f"ATTACH '{build_db}' AS build (READ_ONLY)")
                yield con
                con.execute("DETACH build")
                con.execute("CHECKPOINT")
            finally:
                con.close()
            os.replace(staging_file, serving_db)
        finally:
            staging_file.unlink(missing_ok=True)


def _copy_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    columns = _column_list(con, schema, table)
    con.execute(f'CREATE OR REPLACE TABLE {schema}."{table}" AS SELECT {columns} FROM build.{schema}."{table}"')


def publish(build_db: Path, serving_db: Path, run_id: str) -> Publication:
    """Copy the published schemas of `build_db` into a new file and swap it in as `serving_db`."""
    serving_db.parent.mkdir(parents=True, exist_ok=True)
    total_rows = 0
    with _new_copy(build_db, serving_db, from_current=False) as con:
        tables = _published_tables(con)
        for schema, table in tables:
            _copy_table(con, schema, table)
            total_rows += con.execute(f'SELECT count(*) FROM {schema}."{table}"').fetchone()[0]
        con.execute(
            "CREATE TABLE meta.publication AS SELECT current_timestamp::TIMESTAMP AS published_at, "
            "?::VARCHAR AS run_id, ?::BIGINT AS tables, ?::BIGINT AS total_rows",
            [run_id, len(tables), total_rows],
        )
    return Publication(path=serving_db, tables=len(tables), total_rows=total_rows)


def publish_tables(build_db: Path, serving_db: Path, tables: list[tuple[str, str]]) -> bool:
    """Replace (or add) only `tables` of the serving copy by the build warehouse's, atomically like `publish`:
    for a job that computes its marts outside the main run (predictive CLTV, dagster_project/clv). Every other table
    stays as the last complete run published it, so no unchecked mart reaches readers. False when nothing is
    published yet (the next complete run publishes the tables with everything else)."""
    if not serving_db.exists():
        return False
    with _new_copy(build_db, serving_db, from_current=True) as con:
        for schema, table in tables:
            _copy_table(con, schema, table)
    return True
