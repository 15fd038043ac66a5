"""Which sources a lake holds: a business that starts with one or two exports (orders and customers, or only an
HR roster) runs and publishes; an entity that never received a file is "not loaded" — a warning in the run's
output and on the dashboard, never a failure (docs/loading.md, "Partial businesses and time per source").

`meta.source_status` (one row per contract entity, published) is what the dashboard reads to say which sources
are missing and how to load them: the dashboard never reads the contract (it deploys alone).
"""

from __future__ import annotations

import duckdb

from dagster_project.contract import Contract, Entity

# Each entity in plain words, as a page names it when the source is missing ("No support tickets are loaded
# yet"). The one place these words are written; tests/test_partial_lake.py fails on an entity without them.
SOURCE_WORDS = {
    "customers": "customers",
    "orders": "orders",
    "leads": "leads",
    "tickets": "support tickets",
    "employees": "employee records",
    "absences": "absence records",
    "recognitions": "recognitions",
    "internal_requests": "internal requests",
    "eap_usage": "Employee Assistance Programme uses",
    "customer_responses": "customer survey answers",
    "employee_responses": "employee survey answers",
    "survey_questions": "employee survey questions",
    "reviews": "reviews",
    "mentions": "social-media mentions",
    "initiatives": "initiatives",
    "initiative_units": "initiative units",
    "outcome_measures": "outcome measures",
}

NOT_LOADED = "not loaded"
LOADED = "loaded"
NO_ROWS = "no rows"  # files came, but none of their rows was loaded (all quarantined, or a file failed)

SOURCE_STATUS_DDL = (
    "CREATE SCHEMA IF NOT EXISTS meta",
    """CREATE OR REPLACE TABLE meta.source_status (
        entity VARCHAR, source VARCHAR, words VARCHAR, landing_folder VARCHAR, files BIGINT, rows_loaded BIGINT,
        status VARCHAR)""",
)


def source_words(entity: Entity) -> str:
    return SOURCE_WORDS.get(entity.name, entity.name.replace("_", " "))


def _has_load_report(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'meta' AND table_name = 'load_report'"
        ).fetchone()[0]
    )


def files_received(con: duckdb.DuckDBPyConnection, entity: str) -> int:
    """Landing files of `entity` the loader ever reported on (loaded, unchanged or failed)."""
    if not _has_load_report(con):
        return 0
    return con.execute(
        "SELECT count(DISTINCT source_file) FROM meta.load_report WHERE entity = ?", [entity]
    ).fetchone()[0]


def never_loaded(con: duckdb.DuckDBPyConnection, entity: str) -> bool:
    """True when the loader has run (meta.load_report exists) and never received a file of `entity`. A warehouse
    without a load report at all is not known to be partial: its checks apply in full."""
    return _has_load_report(con) and files_received(con, entity) == 0


def entity_status(con: duckdb.DuckDBPyConnection, entity: Entity) -> tuple[int, int, str]:
    """(files received, rows in the raw table, status) of one entity."""
    files = files_received(con, entity.name)
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [entity.raw_schema, entity.name],
    ).fetchone()[0]
    rows = con.execute(f"SELECT count(*) FROM {entity.raw_table}").fetchone()[0] if exists else 0
    status = LOADED if rows else (NOT_LOADED if not files else NO_ROWS)
    return files, rows, status


def record_source_status(con: duckdb.DuckDBPyConnection, contract: Contract) -> list[str]:
    """Write meta.source_status for every entity of `contract`; return the words of those not loaded."""
    for statement in SOURCE_STATUS_DDL:
        con.execute(statement)
    rows, missing = [], []
    for entity in contract.entities.values():
        files, loaded, status = entity_status(con, entity)
        rows.append([entity.name, entity.source, source_words(entity), entity.name, files, loaded, status])
        if status == NOT_LOADED:
            missing.append(source_words(entity))
    con.executemany("INSERT INTO meta.source_status VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    return missing


def not_loaded_line(words: list[str]) -> str:
    """The run output's warning for the sources without any file: a warning, not a failure."""
    return (
        f"  not loaded (no files yet; a warning, not a failure): {', '.join(words)}. "
        "Their marts are published empty; add files to landing/<entity>/ or an import mapping (docs/loading.md)."
    )
