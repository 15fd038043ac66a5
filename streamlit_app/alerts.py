"""Queries behind the Alerts page, over the alert log the pipeline publishes (meta.alerts) and the marts a
rule reads, for the "why" trend of one alert. The same formulas as the rules (dbt_project/models/marts/
alerts/alert_breaches.sql): counts summed per scope, ratios divided last."""

from __future__ import annotations

import pandas as pd

from streamlit_app import warehouse
from streamlit_app.access import Scope

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
PAGE_SIZE = 100  # alerts listed at once (and offered under "Why did it fire?"); the caption gives the count
LOG_COLUMNS = (
    "alert_key, status, severity, rule_id, kpi, scope, scope_value, owner, period, kpi_value, previous_value, "
    "threshold, min_count, base_count, previous_base_count, base_unit, reason, rule_description, first_seen_at, "
    "last_seen_at, resolved_at, notification_status"
)
KPI_LABELS = {
    "nps_drop_location": "NPS",
    "csat_below_location": "CSAT %",
    "team_turnover_above": "Turnover % (trailing 3 months)",
    "enps_below_team": "eNPS",
    "customer_negative_run": "Negative events in a row",
}

# The KPI of one scope value per month, as the rule computes it, over the mart TREND_TABLE names ({table}: the
# rows the viewer may read, warehouse.scoped_table).
TREND_TABLE = {
    "nps_drop_location": "marts.customer_nps_monthly",
    "csat_below_location": "marts.customer_csat_monthly",
    "team_turnover_above": "marts.employee_headcount_monthly",
    "enps_below_team": "marts.employee_enps_wave",
}
TREND_SQL = {
    "nps_drop_location": """
        SELECT month, sum(responses) AS base_count,
               CASE WHEN sum(responses) > 0 THEN 100.0 * (sum(promoters) - sum(detractors)) / sum(responses) END
                   AS value
        FROM {table} AS t WHERE location = ? GROUP BY month ORDER BY month""",
    "csat_below_location": """
        SELECT month, sum(responses) AS base_count,
               CASE WHEN sum(responses) > 0 THEN 100.0 * sum(satisfied_responses) / sum(responses) END AS value
        FROM {table} AS t WHERE location = ? GROUP BY month ORDER BY month""",
    "team_turnover_above": """
        WITH team_months AS (
            SELECT month, sum(separations) AS separations, sum(avg_headcount) AS avg_headcount
            FROM {table} AS t WHERE team = ? GROUP BY month),
        windows AS (
            SELECT month, sum(separations) OVER w AS separations_3m, avg(avg_headcount) OVER w AS base_count,
                   count(*) OVER w AS window_months
            FROM team_months
            WINDOW w AS (ORDER BY month RANGE BETWEEN INTERVAL 2 MONTH PRECEDING AND CURRENT ROW))
        SELECT month, base_count,
               CASE WHEN base_count > 0 THEN 100.0 * separations_3m / base_count END AS value
        FROM windows WHERE window_months = 3 ORDER BY month""",
    # Published (unsuppressed) groups only, like the rule.
    "enps_below_team": """
        SELECT wave_month AS month, responses AS base_count, enps AS value
        FROM {table} AS t
        WHERE breakdown = 'team' AND group_value = ? AND NOT suppressed ORDER BY wave_month""",
}


def alert_log(scope: Scope) -> pd.DataFrame:
    """Every alert `scope` may read (a manager: those raised at their location or team), open first, then by
    severity and most recently seen first."""
    log = warehouse.query_table(LOG_COLUMNS, "meta.alerts", scope)
    log["_status"] = (log["status"] != "open").astype(int)
    log["_severity"] = log["severity"].map(SEVERITY_ORDER).fillna(len(SEVERITY_ORDER))
    return (
        log.sort_values(
            ["_status", "_severity", "period", "rule_id", "scope_value"], ascending=[True, True, False, True, True]
        )
        .drop(columns=["_status", "_severity"])
        .reset_index(drop=True)
    )


def filtered(log: pd.DataFrame, severities: list[str], scopes: list[str], statuses: list[str]) -> pd.DataFrame:
    keep = log["severity"].isin(severities) & log["scope"].isin(scopes) & log["status"].isin(statuses)
    return log[keep].reset_index(drop=True)


def describe(alert) -> str:
    """One alert in a line; `alert` is a row of the log (a Series or an itertuples row)."""
    return (
        f"{(alert.severity or '').upper()} · {alert.rule_id} · {alert.scope_value} · "
        f"{alert.period:%b %Y} · {alert.status}"
    )


def page_count(alerts: int) -> int:
    """Pages of PAGE_SIZE alerts needed to list `alerts` (at least one)."""
    return max(1, -(-alerts // PAGE_SIZE))


def page_of(log: pd.DataFrame, page: int) -> pd.DataFrame:
    """The alerts of page `page` (1 = the first PAGE_SIZE, in the log's order)."""
    first = (page - 1) * PAGE_SIZE
    return log.iloc[first : first + PAGE_SIZE]


def page_text(alerts: int, page: int) -> str:
    """Which alerts the table lists, out of how many match: the count is always shown."""
    first = (page - 1) * PAGE_SIZE + 1
    last = min(alerts, page * PAGE_SIZE)
    if page_count(alerts) == 1:
        return f"{alerts:,} alert matches the filters." if alerts == 1 else f"{alerts:,} alerts match the filters."
    return (
        f"Alerts {first:,}–{last:,} of {alerts:,} matching the filters (page {page} of {page_count(alerts)}, "
        f"{PAGE_SIZE} a page: open first, then by severity and latest period). The download holds all {alerts:,}."
    )


def trend(rule_id: str, scope_value: str, scope: Scope) -> pd.DataFrame:
    """month, value, base_count of the rule's KPI at this scope value; no rows for customer alerts (their
    events are per-person rows and are not published)."""
    sql = TREND_SQL.get(rule_id)
    if sql is None:
        return pd.DataFrame({"month": [], "value": [], "base_count": []})
    table, params = warehouse.scoped_table(TREND_TABLE[rule_id], scope)
    frame = warehouse.query(sql.format(table=table), [*params, scope_value])
    frame["value"] = frame["value"].astype("float64")
    return frame
