"""Bookkeeping tables of the loader, in schema `meta` of the build warehouse.

- `meta.ingestion_ledger`: one row per (entity, landing file) with the fingerprint (file checksum +
  mapping version) it was loaded with. An unchanged file is skipped; a changed one replaces its rows.
- `meta.load_report`: one row per file processed per run: rows read / loaded / quarantined / excluded,
  the records loaded and the rows of earlier files this file superseded.
- `meta.quarantine`: one row per rejected record: file, first row, first failing column, every reason, and
  the lines the record groups (1 unless the mapping has group_by).
- `meta.load_exclusions`: rows a mapping dropped on purpose, per file and reason (`where:` / `exclude:`).

Counts are in source rows (lines; item rows for a mapping that unpivots): per file,
rows_read = rows_loaded + rows_quarantined + rows_excluded. With group_by several lines make one record, so
the ledger also keeps `records_loaded` (rows written to the raw table) and `records_replaced` (of those, rows
a later file superseded): the raw table holds records_loaded - records_replaced rows of the file, and
`<raw table>__superseded` (same columns, never published) the others, kept so they come back when the file
that superseded them changes, except `records_dropped`: rows a loader before that deleted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.contract import Entity

META_DDL = [
    "CREATE SCHEMA IF NOT EXISTS meta",
    """CREATE TABLE IF NOT EXISTS meta.ingestion_ledger (
        entity VARCHAR, source_file VARCHAR, fingerprint VARCHAR, mapping VARCHAR,
        rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT,
        load_id VARCHAR, loaded_at TIMESTAMP, PRIMARY KEY (entity, source_file))""",
    """CREATE TABLE IF NOT EXISTS meta.load_report (
        load_id VARCHAR, entity VARCHAR, source_file VARCHAR, mapping VARCHAR, status VARCHAR,
        rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT, message VARCHAR,
        loaded_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS meta.quarantine (
        load_id VARCHAR, entity VARCHAR, source_file VARCHAR, source_row BIGINT, column_name VARCHAR,
        reason VARCHAR, record VARCHAR, quarantined_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS meta.load_exclusions (
        load_id VARCHAR, entity VARCHAR, source_file VARCHAR, reason VARCHAR, rows BIGINT)""",
]
# Columns added after the tables above first shipped: a lake built earlier gets them with ALTER, and the
# value its existing rows get (SQL over the row: an old file loaded every record it counted, one line each).
ADDED_COLUMNS = {
    "meta.ingestion_ledger": {
        "rows_excluded": "0",
        "records_loaded": "rows_loaded",
        "records_replaced": "0",
        # Of records_replaced, rows the loader deleted before superseded rows were kept (they are gone).
        "records_dropped": "records_replaced",
    },
    "meta.load_report": {"rows_excluded": "0", "rows_superseded": "0", "records_loaded": "rows_loaded"},
    "meta.quarantine": {"source_lines": "1"},
}

LINEAGE_COLUMNS = "_source_file VARCHAR, _source_row BIGINT, _load_id VARCHAR, _loaded_at TIMESTAMP"
LINEAGE_NAMES = ("_source_file", "_source_row", "_load_id", "_loaded_at")


@dataclass(frozen=True)
class LedgerEntry:
    fingerprint: str
    rows_loaded: int
    rows_quarantined: int


def ensure_meta_tables(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in META_DDL:
        con.execute(ddl)
    for table, columns in ADDED_COLUMNS.items():
        schema, name = table.split(".")
        present = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
                [schema, name],
            ).fetchall()
        }
        for column, initial in columns.items():
            if column not in present:
                con.execute(f"ALTER TABLE {table} ADD COLUMN {column} BIGINT")
                con.execute(f"UPDATE {table} SET {column} = {initial}")


def insert_row(con: duckdb.DuckDBPyConnection, table: str, row: dict[str, object]) -> None:
    """Insert by column name: tables of an older lake have their added columns last."""
    names = ", ".join(row)
    con.execute(f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def superseded_table(entity: Entity) -> str:
    """Where the rows a later file superseded are kept (same columns as the raw table; not published)."""
    return f"{entity.raw_table}__superseded"


def ensure_superseded_table(con: duckdb.DuckDBPyConnection, entity: Entity) -> None:
    """A lake built before superseded rows were kept gets the (empty) table beside its raw table."""
    con.execute(f"CREATE TABLE IF NOT EXISTS {superseded_table(entity)} AS FROM {entity.raw_table} LIMIT 0")


def ensure_raw_table(con: duckdb.DuckDBPyConnection, entity: Entity) -> None:
    """Create the raw table (and its superseded rows' table) from the contract; refuse to write into one whose
    columns drifted."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {entity.raw_schema}")
    columns = ", ".join(f'"{c.name}" {c.duckdb_type}' for c in entity.columns)
    con.execute(f"CREATE TABLE IF NOT EXISTS {entity.raw_table} ({columns}, {LINEAGE_COLUMNS})")
    ensure_superseded_table(con, entity)
    existing = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
            "ORDER BY ordinal_position",
            [entity.raw_schema, entity.name],
        ).fetchall()
    ]
    expected = [*entity.column_names, *LINEAGE_NAMES]
    if existing != expected:
        raise RuntimeError(
            f"{entity.raw_table} was created by an older contract (columns {existing}); "
            "run `empathy-lake run --full-refresh` to reload the landing folder with the current contract"
        )


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def ledger_entry(con: duckdb.DuckDBPyConnection, entity: str, source_file: str) -> LedgerEntry | None:
    row = con.execute(
        "SELECT fingerprint, rows_loaded, rows_quarantined FROM meta.ingestion_ledger "
        "WHERE entity = ? AND source_file = ?",
        [entity, source_file],
    ).fetchone()
    return LedgerEntry(*row) if row else None


def forget_file(con: duckdb.DuckDBPyConnection, entity: Entity, source_file: str) -> None:
    """Remove what an earlier version of a file loaded, so its new version replaces it (the loader then
    re-decides the winner of every key the file held)."""
    con.execute(f"DELETE FROM {entity.raw_table} WHERE _source_file = ?", [source_file])
    con.execute(f"DELETE FROM {superseded_table(entity)} WHERE _source_file = ?", [source_file])
    con.execute("DELETE FROM meta.quarantine WHERE entity = ? AND source_file = ?", [entity.name, source_file])
    con.execute("DELETE FROM meta.load_exclusions WHERE entity = ? AND source_file = ?", [entity.name, source_file])
    con.execute("DELETE FROM meta.ingestion_ledger WHERE entity = ? AND source_file = ?", [entity.name, source_file])
