"""Expected dashboard numbers, recomputed with SQL straight from a serving DuckDB file, and how the pages
write numbers. Shared by the AppTest and the browser test; independent of the app's own pandas code."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd

# Customer empathy cards: label -> (mart, numerator, denominator), restated from the marts' dbt docs, not
# taken from the app. Every one sums counts and divides last.
CUSTOMER_KPI_SQL = {
    "NPS": ("customer_nps_monthly", "100 * (sum(promoters) - sum(detractors))", "sum(responses)"),
    "CSAT %": ("customer_csat_monthly", "100 * sum(satisfied_responses)", "sum(responses)"),
    "CES mean": ("customer_ces_monthly", "sum(score_sum)", "sum(responses)"),
    "CES easy %": ("customer_ces_monthly", "100 * sum(easy_responses)", "sum(responses)"),
    "Churn %": ("customer_retention_monthly", "100 * sum(lost_from_start)", "sum(customers_at_start)"),
    "Repeat purchase %": ("customer_repeat_purchase_monthly", "100 * sum(repeat_buyers)", "sum(buyers)"),
    "Conversion %": ("customer_conversion_monthly", "100 * sum(converted_leads)", "sum(leads)"),
    "AOV": ("customer_orders_monthly", "sum(gross_revenue)", "sum(orders)"),
    "FCR %": ("customer_support_monthly", "100 * sum(first_contact_resolved_tickets)", "sum(resolved_tickets)"),
    "First reply time": ("customer_support_monthly", "sum(first_reply_minutes_sum)", "sum(replied_tickets)"),
    "AHT": ("customer_support_monthly", "sum(handle_minutes_sum)", "sum(handled_contacts)"),
    "Cost per interaction": ("customer_support_monthly", "sum(support_cost)", "sum(contacts)"),
}
# The marts with counts per month; the page's default month is the latest one all of them have reached.
CUSTOMER_MONTHLY_MARTS = sorted(
    {table for table, _, _ in CUSTOMER_KPI_SQL.values()} | {"customer_handle_time_sentiment"}
)


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


def present_marts(db: Path, tables: list[str]) -> list[str]:
    found = {r[0] for r in sql(db, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'")}
    return [t for t in tables if t in found]


def customer_default_month(db: Path) -> dt.date:
    """The latest month every non-empty monthly customer mart of the file has reached."""
    tables = present_marts(db, CUSTOMER_MONTHLY_MARTS)
    latest = " UNION ALL ".join(f"SELECT max(month) AS m FROM marts.{t}" for t in tables)
    return sql(db, f"SELECT min(m) FROM ({latest})")[0][0]


def customer_default_start(db: Path) -> dt.date:
    """The period's default start: 11 months before the default month, or the first month of any mart."""
    tables = present_marts(db, [*CUSTOMER_MONTHLY_MARTS, "customer_nps_detractor_comments"])
    earliest = " UNION ALL ".join(f"SELECT min(month) AS m FROM marts.{t}" for t in tables)
    first = sql(db, f"SELECT min(m) FROM ({earliest})")[0][0]
    return max(first, (pd.Timestamp(customer_default_month(db)) - pd.DateOffset(months=11)).date())


def sql_customer_kpi(
    db: Path,
    label: str,
    month: dt.date,
    *,
    segment: str | None = None,
    location: str | None = None,
    channel: str | None = None,
) -> float | None:
    """A Customer empathy card's value for a month and an optional segment / location / channel of its mart."""
    table, numerator, denominator = CUSTOMER_KPI_SQL[label]
    return sql(
        db,
        f"SELECT ({numerator})::DOUBLE / nullif({denominator}, 0) FROM marts.{table} WHERE month = ? "
        "AND (?::VARCHAR IS NULL OR segment = ?) AND (?::VARCHAR IS NULL OR location = ?) "
        "AND (?::VARCHAR IS NULL OR channel = ?)",
        [month, segment, segment, location, location, channel, channel],
    )[0][0]


def month_before(month: dt.date) -> dt.date:
    return (pd.Timestamp(month) - pd.DateOffset(months=1)).date()


def latest_load(db: Path) -> str:
    return sql(db, "SELECT load_id FROM meta.load_report GROUP BY load_id ORDER BY max(loaded_at) DESC LIMIT 1")[0][0]


def shown_number(text: str) -> float | None:
    """'24.4', '40.3%', '1,234.56' or '148.9 min' -> float; the no-data dash -> None."""
    return None if text == "—" else float(re.sub(r"[^0-9.+-]", "", text))


def display_tolerance(text: str) -> float:
    """Half a unit of the last decimal shown: '12.3' -> 0.05, '5.98' -> 0.005."""
    decimals = len(re.sub(r"[^0-9]", "", text.split(".")[1])) if "." in text else 0
    return 0.5 * 10**-decimals + 1e-9


def assert_shows(text: str, expected: float | None) -> None:
    value = shown_number(text)
    if expected is None:
        assert value is None, f"shown {text!r}, expected no data"
    else:
        tolerance = display_tolerance(text)
        assert value is not None and abs(value - expected) <= tolerance, f"shown {text!r}, SQL {expected}"
