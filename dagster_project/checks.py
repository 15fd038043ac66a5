"""The loaders' own checks: row conservation (blocking) and source freshness (warning only), evaluated by each
loader asset in its step right after it loads (dagster_project/assets/raw.py, D471). (dbt tests arrive as checks
through dagster-dbt; Great Expectations suites through dagster_project.quality.)"""

from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.contract import Entity
from dagster_project.freshness import DEFAULT_FRESHNESS_HOURS, evaluate_freshness, freshness_max_age_hours
from dagster_project.loading.ledger import ensure_meta_tables, ensure_superseded_table, superseded_table

__all__ = [
    "DEFAULT_FRESHNESS_HOURS",
    "conservation_result",
    "freshness_max_age_hours",
    "freshness_result",
    "loader_check_specs",
]

# Per file of the ledger, re-derived from the stored rows: rows read = loaded + quarantined + excluded (source
# rows: lines, or item rows for an unpivot), the raw table holds the file's records not replaced by a later
# file's and the superseded rows' table the replaced ones, meta.quarantine the lines of its quarantined
# records, meta.load_exclusions its excluded rows.
CONSERVATION_SQL = """
    SELECT l.source_file, l.rows_read, l.rows_loaded, l.rows_quarantined, l.rows_excluded,
           l.records_loaded - l.records_replaced AS records_kept,
           coalesce(r.n, 0) AS stored_records, coalesce(q.n, 0) AS stored_quarantined,
           coalesce(x.n, 0) AS stored_excluded, coalesce(s.n, 0) AS stored_replaced
    FROM meta.ingestion_ledger l
    LEFT JOIN (SELECT _source_file, count(*) AS n FROM {table} GROUP BY 1) r ON r._source_file = l.source_file
    LEFT JOIN (SELECT _source_file, count(*) AS n FROM {kept} GROUP BY 1) s ON s._source_file = l.source_file
    LEFT JOIN (SELECT source_file, sum(coalesce(source_lines, 1)) AS n FROM meta.quarantine
               WHERE entity = $entity GROUP BY 1) q ON q.source_file = l.source_file
    LEFT JOIN (SELECT source_file, sum(rows) AS n FROM meta.load_exclusions WHERE entity = $entity GROUP BY 1) x
           ON x.source_file = l.source_file
    WHERE l.entity = $entity
      AND (l.rows_read <> l.rows_loaded + l.rows_quarantined + l.rows_excluded
           OR coalesce(r.n, 0) <> l.records_loaded - l.records_replaced
           OR coalesce(s.n, 0) <> l.records_replaced - l.records_dropped
           OR coalesce(q.n, 0) <> l.rows_quarantined
           OR coalesce(x.n, 0) <> l.rows_excluded)
    ORDER BY l.source_file
"""


def conservation_problems(con: duckdb.DuckDBPyConnection, entity: Entity) -> list[tuple]:
    """The ledger rows of `entity` whose counts the stored rows do not bear out (empty: conserved)."""
    ensure_meta_tables(con)
    ensure_superseded_table(con, entity)
    sql = CONSERVATION_SQL.format(table=entity.raw_table, kept=superseded_table(entity))
    return con.execute(sql, {"entity": entity.name}).fetchall()


CONSERVATION_DESCRIPTION = (
    "Every row read is loaded, quarantined or excluded by the mapping for a stated reason, per file, as recorded in "
    "the ingestion ledger and borne out by the stored rows: nothing is lost silently and nothing is counted twice."
)
FRESHNESS_DESCRIPTION = (
    "The newest landing file of this entity arrived (file modification time) within the expected number of hours "
    "(contract `freshness_hours`, default 36). A warning only: stale data is still published."
)


def loader_check_specs(asset_key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    """The two checks every loader asset evaluates in its own step, right after loading (D471): one Dagster step
    per entity instead of three, each check still shown on its asset and counted on its own."""
    return [
        dg.AssetCheckSpec("conservation", asset=asset_key, blocking=True, description=CONSERVATION_DESCRIPTION),
        dg.AssetCheckSpec("freshness", asset=asset_key, blocking=False, description=FRESHNESS_DESCRIPTION),
    ]


def conservation_result(con: duckdb.DuckDBPyConnection, entity: Entity) -> dg.AssetCheckResult:
    """The `conservation` check (blocking) of `entity`, re-derived from the stored rows."""
    broken = conservation_problems(con, entity)
    totals = con.execute(
        "SELECT coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), "
        "coalesce(sum(rows_quarantined), 0), coalesce(sum(rows_excluded), 0), "
        "coalesce(sum(records_replaced), 0), count(*) FROM meta.ingestion_ledger WHERE entity = ?",
        [entity.name],
    ).fetchone()
    return dg.AssetCheckResult(
        check_name="conservation",
        passed=not broken,
        metadata={
            "rows_read": totals[0],
            "rows_loaded": totals[1],
            "rows_quarantined": totals[2],
            "rows_excluded": totals[3],
            "rows_superseded": totals[4],
            "files": totals[5],
            "files_not_conserved": "\n".join(str(row) for row in broken) or "none",
        },
    )


def _newest_data_time(con: duckdb.DuckDBPyConnection, entity: Entity) -> str:
    column = entity.arrival_column
    if column is None:
        return "n/a (no date or timestamp column)"
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [entity.raw_schema, entity.name],
    ).fetchone()[0]
    if not exists:
        return "n/a (no raw table yet)"
    newest = con.execute(f'SELECT max("{column}") FROM {entity.raw_table}').fetchone()[0]
    return f"{newest} ({column})" if newest is not None else f"n/a (no rows with {column})"


def freshness_result(con: duckdb.DuckDBPyConnection, landing: Path, entity: Entity) -> dg.AssetCheckResult:
    """The `freshness` check (a warning only) of `entity`: its newest landing file is recent enough."""

    def files_loaded_earlier() -> int:
        ensure_meta_tables(con)
        return con.execute("SELECT count(*) FROM meta.ingestion_ledger WHERE entity = ?", [entity.name]).fetchone()[0]

    result = evaluate_freshness(landing, entity, files_loaded_earlier)
    metadata = result.metadata
    if result.has_files:
        metadata = {**metadata, "newest_data_timestamp": _newest_data_time(con, entity)}
    return dg.AssetCheckResult(
        check_name="freshness",
        passed=result.passed,
        severity=dg.AssetCheckSeverity.WARN,
        description=result.description,
        metadata=metadata,
    )
