"""The checks a run evaluated, by kind, for the CLI's summary and for meta.run_checks (the Data quality page).

What counts as one check and how it is said in words: streamlit_app/check_counts.py. This module maps Dagster's
check evaluations onto those kinds (the dbt step's checks are dbt data tests; `gx_<suite>` are data-quality suites;
`conservation` and `freshness` are the loaders' checks; any other, such as the alert log's, is an "other check")
and records them in the build warehouse just before it is published, so the page counts what the CLI printed.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg
import duckdb
import pyarrow as pa

from streamlit_app.check_counts import CheckRecord

DBT_STEP = "dbt_models"  # dagster_project/assets/dbt.py's multi-asset: seeds, models and dbt's tests, one step
RUN_CHECKS_DDL = (
    "CREATE SCHEMA IF NOT EXISTS meta",
    """CREATE TABLE IF NOT EXISTS meta.run_checks (
        run_id VARCHAR, recorded_at TIMESTAMP, kind VARCHAR, asset VARCHAR, check_name VARCHAR, passed BOOLEAN,
        warning_only BOOLEAN, expectations INTEGER)""",
)


def check_kind(check_name: str, step_key: str | None) -> str:
    """The CHECK_KINDS key of a check: dbt's data tests are the checks of the dbt step; the others are known by
    the names this project gives them (dagster_project/checks.py, dagster_project/quality/gx_checks.py)."""
    if step_key == DBT_STEP:
        return "dbt_test"
    if check_name.startswith("gx_"):
        return "suite"
    if check_name in {"conservation", "freshness"}:
        return check_name
    return "other"


def _metadata_int(metadata, key: str) -> int:
    value = metadata.get(key)
    return int(getattr(value, "value", value) or 0) if value is not None else 0


def check_record(event: dg.DagsterEvent) -> CheckRecord:
    """One ASSET_CHECK_EVALUATION event as a CheckRecord."""
    evaluation = event.event_specific_data
    kind = check_kind(evaluation.check_name, event.step_key)
    return CheckRecord(
        kind=kind,
        passed=bool(evaluation.passed),
        warning_only=evaluation.severity == dg.AssetCheckSeverity.WARN,
        expectations=_metadata_int(evaluation.metadata, "evaluated") if kind == "suite" else 0,
    )


def check_events(events: Iterable[dg.DagsterEvent]) -> list[dg.DagsterEvent]:
    """The check evaluations among a run's events (ExecuteInProcessResult.all_events, or the instance's)."""
    return [e for e in events if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION]


def check_events_in_instance(instance: dg.DagsterInstance, run_id: str) -> list[dg.DagsterEvent]:
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    return check_events(r.event_log_entry.dagster_event for r in records if r.event_log_entry.dagster_event)


def record_run_checks(con: duckdb.DuckDBPyConnection, run_id: str, events: list[dg.DagsterEvent]) -> int:
    """Replace meta.run_checks with this run's checks (a run that evaluated none, `run --stage publish`, keeps the
    last run's); returns how many were recorded."""
    for statement in RUN_CHECKS_DDL:
        con.execute(statement)
    if not events:
        return 0
    columns: dict[str, list] = {"kind": [], "asset": [], "check_name": [], "passed": [], "warning_only": []}
    columns["expectations"] = []
    for event in events:
        record, evaluation = check_record(event), event.event_specific_data
        columns["kind"].append(record.kind)
        columns["asset"].append(evaluation.asset_key.to_user_string())
        columns["check_name"].append(evaluation.check_name)
        columns["passed"].append(record.passed)
        columns["warning_only"].append(record.warning_only)
        columns["expectations"].append(record.expectations)
    # One statement from an Arrow table: `executemany` inserts row by row (4 s for 626 checks under load).
    con.register("_run_checks", pa.table(columns))
    try:
        con.execute("DELETE FROM meta.run_checks")
        con.execute(
            "INSERT INTO meta.run_checks SELECT ?, current_timestamp::TIMESTAMP, kind, asset, check_name, passed, "
            "warning_only, expectations FROM _run_checks",
            [run_id],
        )
    finally:
        con.unregister("_run_checks")
    return len(events)
