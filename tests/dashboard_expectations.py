"""Expected dashboard numbers, recomputed with SQL straight from a serving DuckDB file, and how the pages
write numbers. Shared by the AppTest and the browser test; independent of the app's own pandas code."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

DISPLAY_TOLERANCE = 0.05 + 1e-9  # values are shown with one decimal


def sql(db: Path, statement: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(statement, params or []).fetchall()


def months(db: Path) -> list[dt.date]:
    """Every month either KPI mart holds, latest first (the dashboard's period choices)."""
    rows = sql(
        db,
        "SELECT DISTINCT month FROM (SELECT month FROM marts.customer_nps_monthly UNION ALL "
        "SELECT month FROM marts.customer_csat_monthly) ORDER BY month DESC",
    )
    return [r[0] for r in rows]


def sql_nps(db: Path, month: dt.date, segment: str | None = None) -> float | None:
    return sql(
        db,
        "SELECT 100.0::DOUBLE * (sum(promoters) - sum(detractors)) / nullif(sum(responses), 0) "
        "FROM marts.customer_nps_monthly WHERE month = ? AND (?::VARCHAR IS NULL OR segment = ?)",
        [month, segment, segment],
    )[0][0]


def sql_csat(db: Path, month: dt.date) -> float | None:
    return sql(
        db,
        "SELECT 100.0::DOUBLE * sum(satisfied_responses) / nullif(sum(responses), 0) "
        "FROM marts.customer_csat_monthly WHERE month = ?",
        [month],
    )[0][0]


def month_before(month: dt.date) -> dt.date:
    return (pd.Timestamp(month) - pd.DateOffset(months=1)).date()


def latest_load(db: Path) -> str:
    return sql(db, "SELECT load_id FROM meta.load_report GROUP BY load_id ORDER BY max(loaded_at) DESC LIMIT 1")[0][0]


def shown_number(text: str) -> float | None:
    """'24.4' or '40.3%' -> float; the no-data dash -> None."""
    return None if text == "—" else float(text.rstrip("%").replace(",", ""))


def assert_shows(text: str, expected: float | None) -> None:
    value = shown_number(text)
    if expected is None:
        assert value is None, f"shown {text!r}, expected no data"
    else:
        assert value is not None and abs(value - expected) <= DISPLAY_TOLERANCE, f"shown {text!r}, SQL {expected}"
