"""Queries behind the Data quality page, over the run metadata the pipeline publishes in schema `meta`."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from streamlit_app import warehouse

QUARANTINE_SAMPLE_ROWS = 50
REPORT_COLUMNS = "load_id, entity, source_file, status, rows_read, rows_loaded, rows_quarantined, message, loaded_at"
CHECK_COLUMNS = ["run_id", "checked_at", "suite", "expectation", "column_name", "success", "errored"]
# Shown when the writer of meta.check_results provides them (the GX checks do).
OPTIONAL_CHECK_COLUMNS = ["check_kind", "table_name", "observed", "details"]
STATUS_ORDER = {"errored": 0, "failed": 1, "passed": 2}


@dataclass(frozen=True)
class LoadTotals:
    rows_read: int
    rows_loaded: int
    rows_quarantined: int

    @property
    def conserved(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_quarantined


def loads() -> pd.DataFrame:
    """One row per load (pipeline run that loaded files), latest first."""
    return warehouse.query(
        "SELECT load_id, max(loaded_at) AS loaded_at, count(*) AS files, sum(rows_read) AS rows_read "
        "FROM meta.load_report GROUP BY load_id ORDER BY max(loaded_at) DESC, load_id"
    )


def describe_load(loads_frame: pd.DataFrame, load_id: str) -> str:
    row = loads_frame.loc[loads_frame["load_id"] == load_id].iloc[0]
    return f"{row['loaded_at']:%Y-%m-%d %H:%M} · {int(row['files'])} file(s) · run {load_id}"


def load_report(load_id: str) -> pd.DataFrame:
    """Per file of one load: rows read / loaded / quarantined, and whether read = loaded + quarantined."""
    report = warehouse.query(
        f"SELECT {REPORT_COLUMNS} FROM meta.load_report WHERE load_id = ? ORDER BY entity, source_file",
        [load_id],
    )
    report["conserved"] = report["rows_read"] == report["rows_loaded"] + report["rows_quarantined"]
    return report


def totals(report: pd.DataFrame) -> LoadTotals:
    return LoadTotals(
        rows_read=int(report["rows_read"].sum()),
        rows_loaded=int(report["rows_loaded"].sum()),
        rows_quarantined=int(report["rows_quarantined"].sum()),
    )


def by_entity(report: pd.DataFrame) -> pd.DataFrame:
    summed = report.groupby("entity", as_index=False)[["rows_read", "rows_loaded", "rows_quarantined"]].sum()
    summed.insert(1, "files", report.groupby("entity").size().to_numpy())
    summed["conserved"] = summed["rows_read"] == summed["rows_loaded"] + summed["rows_quarantined"]
    return summed


def quarantine_summary() -> pd.DataFrame:
    return warehouse.query(
        "SELECT entity, column_name, reason, count(*) AS rows, count(DISTINCT source_file) AS files "
        "FROM meta.quarantine GROUP BY entity, column_name, reason ORDER BY rows DESC, entity, column_name"
    )


def quarantine_sample(entity: str | None = None) -> pd.DataFrame:
    where, params = ("WHERE entity = ?", [entity]) if entity else ("", [])
    return warehouse.query(
        "SELECT entity, source_file, source_row, column_name, reason, load_id, quarantined_at "
        f"FROM meta.quarantine {where} ORDER BY entity, source_file, source_row "
        f"LIMIT {QUARANTINE_SAMPLE_ROWS}",
        params,
    )


def _check_columns() -> list[str]:
    present = set(
        warehouse.query(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_catalog = ? AND table_schema = 'meta' AND table_name = 'check_results'",
            [warehouse.CATALOG],
        )["column_name"]
    )
    return CHECK_COLUMNS + [c for c in OPTIONAL_CHECK_COLUMNS if c in present]


def latest_check_results() -> pd.DataFrame:
    """The results of the most recent run that recorded checks, errored first, then failed, then passed."""
    columns = ", ".join(f'"{c}"' for c in _check_columns())
    checks = warehouse.query(
        f"SELECT {columns} FROM meta.check_results WHERE run_id = ("
        "  SELECT run_id FROM meta.check_results GROUP BY run_id ORDER BY max(checked_at) DESC LIMIT 1)"
    )
    checks.insert(0, "status", [check_status(s, e) for s, e in zip(checks["success"], checks["errored"], strict=True)])
    for optional in OPTIONAL_CHECK_COLUMNS:
        if optional not in checks:
            checks[optional] = None
    checks["_order"] = checks["status"].map(STATUS_ORDER)
    return (
        checks.sort_values(["_order", "suite", "expectation", "column_name"], na_position="first")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def check_status(success: object, errored: object) -> str:
    """An errored check did not check anything: say so. A missing success flag is a failure, never a pass."""
    if _is_true(errored):
        return "errored"
    return "passed" if _is_true(success) else "failed"


def _is_true(value: object) -> bool:
    return bool(pd.notna(value) and value)
