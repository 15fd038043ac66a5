"""Queries behind the Alerts page, over the alert log the pipeline publishes (meta.alerts) and the marts a
rule reads, for the "why" trend of one alert and what lies behind it (comments, reviews, customers). The same
formulas as the rules (dbt_project/models/marts/alerts/alert_breaches.sql): counts summed per scope, ratios
divided last. Every query reads only the rows the viewer may read (warehouse.scoped_table)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from streamlit_app import warehouse
from streamlit_app.access import Scope
from streamlit_app.labels import alert_reason_words, owner_words, plain

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
PAGE_SIZE = 100  # alerts listed at once (and offered under "Why did it fire?"); the caption gives the count
LOG_COLUMNS = (
    "alert_key, status, severity, rule_id, kpi, scope, scope_value, owner, period, kpi_value, previous_value, "
    "threshold, min_count, base_count, previous_base_count, base_unit, reason, rule_description, first_seen_at, "
    "last_seen_at, resolved_at, notification_status"
)
# Published before s12: the log has no test columns; they read as empty.
TEST_COLUMNS = ("z_score", "p_value", "certainty")
KPI_LABELS = {
    "nps_drop_location": "NPS",
    "csat_below_location": "CSAT %",
    "team_turnover_above": "Turnover % (trailing 3 months)",
    "enps_below_team": "eNPS",
    "customer_negative_run": "Negative events in a row",
    "brand_sentiment_drop": "Brand sentiment",
    "brand_mentions_spike": "Social mentions",
}
# What each rule watches, in words: the name a person reads instead of the rule's code.
RULE_TITLES = {
    "nps_drop_location": "NPS drop at a location",
    "csat_below_location": "Low customer satisfaction at a location",
    "team_turnover_above": "High staff turnover in a team",
    "enps_below_team": "Low employee NPS in a team",
    "customer_negative_run": "A customer unhappy again and again",
    "brand_sentiment_drop": "Brand sentiment drop",
    "brand_mentions_spike": "Spike in social mentions",
}
# A rule without a test (a headcount, a published survey group, a run of events): no sampling error to state, so
# the "How often by chance" cell says why in words instead of a bare "Not tested" (docs/alerts.md).
NOT_TESTED = "No chance test for this rule"
NO_TEST_CARD = "No test"  # the card's value (its words would be cut short there); NO_TEST_WORDS under it
NO_TEST_WORDS = {
    "team_turnover_above": "No chance test: every leaver is counted, not sampled",
    "enps_below_team": "No chance test: the team's own answers against a fixed line",
    "customer_negative_run": "No chance test: one customer's own messages in a row",
}
SCOPE_WORDS = {"location": "Location", "team": "Team", "customer": "Customer", "brand": "The brand"}

# The KPI of one scope value per month, as the rule computes it, over the mart TREND_TABLE names ({table}: the
# rows the viewer may read, warehouse.scoped_table).
TREND_TABLE = {
    "nps_drop_location": "marts.customer_nps_monthly",
    "csat_below_location": "marts.customer_csat_monthly",
    "team_turnover_above": "marts.employee_headcount_monthly",
    "enps_below_team": "marts.employee_enps_wave",
    "brand_sentiment_drop": "marts.brand_sentiment_monthly",
    "brand_mentions_spike": "marts.brand_sentiment_monthly",
}
# The brand alerts' scope value names the source in words (int_alert_evidence.BRAND_SOURCES).
BRAND_SOURCE_SQL = "CASE source WHEN 'review' THEN 'reviews' WHEN 'mention' THEN 'social mentions' END"
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
    "brand_sentiment_drop": f"""
        SELECT month, sum(scored_texts) AS base_count,
               CASE WHEN sum(scored_texts) > 0
                    THEN 100.0 * (sum(positive_texts) - sum(negative_texts)) / sum(scored_texts) END AS value
        FROM {{table}} AS t WHERE {BRAND_SOURCE_SQL} = ? GROUP BY month ORDER BY month""",
    "brand_mentions_spike": f"""
        SELECT month, sum(texts) AS base_count, sum(texts)::DOUBLE AS value
        FROM {{table}} AS t WHERE {BRAND_SOURCE_SQL} = ? GROUP BY month ORDER BY month""",
}


def rule_title(rule_id: str) -> str:
    return RULE_TITLES.get(rule_id) or plain(rule_id)


def alert_log(scope: Scope, roles_by_place: Mapping[tuple[str, str], str] | None = None) -> pd.DataFrame:
    """Every alert `scope` may read (a manager: those raised at their location or team), open first, then by
    severity and most recently seen first; with the rule's title and the words a person reads (the owner in
    words: labels.owner_words with the login file's `roles_by_place`)."""
    present = set(warehouse.query("SELECT * FROM meta.alerts LIMIT 0").columns)
    tests = ", ".join(c if c in present else f"NULL AS {c}" for c in TEST_COLUMNS)
    log = warehouse.query_table(f"{LOG_COLUMNS}, {tests}", "meta.alerts", scope)
    log["what"] = log["rule_id"].map(rule_title)
    log["where"] = [
        where_words(s, v, o) for s, v, o in zip(log["scope"], log["scope_value"], log["owner"], strict=True)
    ]
    log["reason"] = [
        alert_reason_words(r, s, v) for r, s, v in zip(log["reason"], log["scope"], log["scope_value"], strict=True)
    ]
    log["owner"] = [owner_words(o, roles_by_place) for o in log["owner"]]
    log["severity_words"] = log["severity"].map(plain)
    log["status_words"] = log["status"].map(plain)
    log["how_sure"] = [
        plain(c) if isinstance(c, str) else NO_TEST_WORDS.get(r, NOT_TESTED)
        for c, r in zip(log["certainty"], log["rule_id"], strict=True)
    ]
    log["_status"] = (log["status"] != "open").astype(int)
    log["_severity"] = log["severity"].map(SEVERITY_ORDER).fillna(len(SEVERITY_ORDER))
    return (
        log.sort_values(
            ["_status", "_severity", "period", "rule_id", "scope_value"], ascending=[True, True, False, True, True]
        )
        .drop(columns=["_status", "_severity"])
        .reset_index(drop=True)
    )


def where_words(scope: str, value: str, owner: object) -> str:
    """Where or who an alert is about, in words: "Location: Leeds", "Team: Sales", "The brand (reviews)"; a
    customer as "A customer (owner: Store manager, Leeds)", never by their pseudonym (only the table behind the
    alert shows it, as the key to look them up in the CRM)."""
    if scope == "brand":
        return f"The brand ({value})"
    if scope == "customer":
        return f"A customer (owner: {owner_words(owner)})" if isinstance(owner, str) and owner.strip() else "A customer"
    return f"{SCOPE_WORDS.get(scope, plain(scope))}: {value}"


def filtered(log: pd.DataFrame, severities: list[str], scopes: list[str], statuses: list[str]) -> pd.DataFrame:
    keep = log["severity"].isin(severities) & log["scope"].isin(scopes) & log["status"].isin(statuses)
    return log[keep].reset_index(drop=True)


def describe(alert) -> str:
    """One alert in a line; `alert` is a row of the log (a Series or an itertuples row)."""
    return f"{plain(alert.severity)} · {rule_title(alert.rule_id)} · {alert.where} · {alert.period:%b %Y}"


def notification_words(status: str | None) -> str:
    return "Not sent yet" if status is None or (isinstance(status, float) and pd.isna(status)) else plain(status)


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


MONTHLY_RULES = ("nps_drop_location", "csat_below_location", "team_turnover_above", "brand_sentiment_drop",
                 "brand_mentions_spike")  # fmt: skip


def first_recorded_leaver(scope: Scope) -> pd.Timestamp | None:
    """The first month in which the HR data records anyone leaving (within the viewer's rows). An HR extract lists
    the people employed from some date on: before its first leaver it holds no one who left, so turnover there is
    unknown, not 0 % (the demo's roster starts in 2024 with staff hired since 2016)."""
    table, params = warehouse.scoped_table("marts.employee_headcount_monthly", scope)
    found = warehouse.query(f"SELECT min(month) AS month FROM {table} AS t WHERE separations > 0", params)
    month = found["month"].iloc[0] if not found.empty else None
    return None if month is None or pd.isna(month) else pd.Timestamp(month)


def trend(rule_id: str, scope_value: str, scope: Scope) -> pd.DataFrame:
    """month, value, base_count of the rule's KPI at this scope value; no rows for customer alerts (their
    events are per-person rows and are not published). A monthly KPI has a row for every month from its first to
    its last, NULL where the month has no figure (the chart leaves a gap there, never a 0); turnover starts at the
    first 3 months that all lie on or after the HR data's first recorded leaver (first_recorded_leaver)."""
    sql = TREND_SQL.get(rule_id)
    if sql is None:
        return pd.DataFrame({"month": [], "value": [], "base_count": []})
    table, params = warehouse.scoped_table(TREND_TABLE[rule_id], scope)
    frame = warehouse.query(sql.format(table=table), [*params, scope_value])
    frame["value"] = frame["value"].astype("float64")
    if frame.empty or rule_id not in MONTHLY_RULES:
        return frame
    frame["month"] = pd.to_datetime(frame["month"])
    if rule_id == "team_turnover_above":
        first = first_recorded_leaver(scope)
        if first is None:
            return frame.iloc[0:0]
        frame = frame[frame["month"] >= first + pd.DateOffset(months=2)]
        if frame.empty:
            return frame
    months = pd.date_range(frame["month"].min(), frame["month"].max(), freq="MS")
    return frame.set_index("month").reindex(months).rename_axis("month").reset_index()


# --- what lies behind an alert ------------------------------------------------------------------------------
# (title, mart, SQL over {table} = the rows the viewer may read, parameters from the alert) per rule: the
# comments, reviews or customers a person reads next. Published marts only, so their anonymity rules hold.
_DETRACTOR_COMMENTS = (
    "What detractors said at this location that month",
    "marts.customer_nps_detractor_comments",
    """SELECT responded_at AS "Answered", score AS "Score (0-10)", comment AS "Comment",
              touchpoint AS "Where it happened"
       FROM {table} AS t WHERE location = ? AND month = ? ORDER BY responded_at DESC LIMIT 50""",
)
# CSAT answers carry no comments of their own on the dashboard: a CSAT alert shows the same location's NPS
# detractor comments of that month, and its title says so.
_DETRACTOR_COMMENTS_FOR_CSAT = (
    "CSAT answers have no published comments; shown instead: what NPS detractors said at this location that month",
    *_DETRACTOR_COMMENTS[1:],
)
_FOLLOW_UP = (
    "Customers at this location who keep telling us they are unhappy",
    "marts.customer_sentiment_follow_up",
    """SELECT customer_id AS "Customer (code)", segment AS "Segment", recent_negative_texts AS "Recent negative",
              recent_scored_texts AS "Recent messages", last_negative_at AS "Last negative"
       FROM {table} AS t WHERE location = ? ORDER BY recent_negative_pct DESC, last_negative_at DESC LIMIT 50""",
)
_NEGATIVE_REVIEWS = (
    "Unhappy reviews that month",
    "marts.brand_review_examples",
    """SELECT platform AS "Platform", location AS "Location", rating AS "Stars", review_text AS "Review"
       FROM {table} AS t WHERE month = ? AND sentiment_label = 'negative' ORDER BY rating, platform LIMIT 50""",
)
_THE_CUSTOMER = (
    "This customer's recent messages",
    "marts.customer_sentiment_follow_up",
    """SELECT customer_id AS "Customer (code)", segment AS "Segment", location AS "Location",
              recent_negative_texts AS "Recent negative", recent_scored_texts AS "Recent messages",
              last_negative_at AS "Last negative"
       FROM {table} AS t WHERE customer_id = ?""",
)
BEHIND = {
    "nps_drop_location": [(_DETRACTOR_COMMENTS, ("scope_value", "period")), (_FOLLOW_UP, ("scope_value",))],
    "csat_below_location": [(_DETRACTOR_COMMENTS_FOR_CSAT, ("scope_value", "period")), (_FOLLOW_UP, ("scope_value",))],
    "brand_sentiment_drop": [(_NEGATIVE_REVIEWS, ("period",))],
    "customer_negative_run": [(_THE_CUSTOMER, ("scope_value",))],
}


# Columns of the tables above that hold codes (touchpoints, segments): shown through the glossary.
WORDED_COLUMNS = {"Where it happened", "Segment"}


def behind(alert: pd.Series, scope: Scope) -> list[tuple[str, pd.DataFrame]]:
    """(title, rows) of what lies behind `alert`, each only over the rows `scope` may read; a mart missing
    from the publication is left out."""
    out = []
    for (title, mart, sql), fields in BEHIND.get(alert["rule_id"], []):
        schema, name = mart.split(".")
        if not warehouse.table_exists(schema, name):
            continue
        table, params = warehouse.scoped_table(mart, scope)
        rows = warehouse.query(sql.format(table=table), [*params, *(alert[f] for f in fields)])
        for column in WORDED_COLUMNS.intersection(rows.columns):
            rows[column] = rows[column].map(plain)
        out.append((title, rows))
    return out
