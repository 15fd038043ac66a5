"""The alert log, `meta.alerts` in the build warehouse: one row per alert_key ever breached.

Why a log beside the mart: marts.alert_breaches is rebuilt from the data on every run and holds every breach
currently in it, history included. Whether a breach is *new* — and so whether anyone must be told — can
only be known against what earlier runs saw, which a rebuilt table forgets. The log remembers:

- a key seen for the first time is inserted as `open` (first_seen_at, first_run_id = this run);
- a key seen again only gets last_seen_at updated: never a second row, never a second notification
  (the breach columns keep the values it was raised with);
- an open key no longer in the mart (the data was corrected, a threshold raised, a rule disabled) becomes
  `resolved` with resolved_at; if it breaches again it is reopened, still one row and not notified again.

All of it in one transaction, so a failed run leaves the log as the previous run left it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from dagster_project.transactions import transaction

BREACHES_TABLE = "marts.alert_breaches"
ALERTS_TABLE = "meta.alerts"
# The mart's columns, copied as they were when the alert was raised.
BREACH_COLUMNS = (
    "rule_id",
    "severity",
    "kpi",
    "scope",
    "scope_value",
    "period",
    "kpi_value",
    "previous_value",
    "threshold",
    "min_count",
    "base_count",
    "previous_base_count",
    "base_unit",
    "z_score",
    "p_value",
    "certainty",
    "reason",
    "owner",
    "rule_description",
)

CREATE_ALERTS = f"""
CREATE TABLE IF NOT EXISTS {ALERTS_TABLE} (
    alert_key VARCHAR PRIMARY KEY,
    rule_id VARCHAR NOT NULL,
    severity VARCHAR,
    kpi VARCHAR,
    scope VARCHAR,
    scope_value VARCHAR,
    period DATE,
    kpi_value DOUBLE,
    previous_value DOUBLE,
    threshold DOUBLE,
    min_count INTEGER,
    base_count DOUBLE,
    previous_base_count DOUBLE,
    base_unit VARCHAR,
    z_score DOUBLE,                   -- tested rules: how many standard errors the change (or shortfall) is
    p_value DOUBLE,                   -- tested rules: one-sided; the chance of it with no real change
    certainty VARCHAR,                -- tested rules: the p-value in words ("very likely real")
    reason VARCHAR,
    owner VARCHAR,
    rule_description VARCHAR,
    status VARCHAR NOT NULL,          -- open | resolved
    first_seen_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    first_run_id VARCHAR,
    last_run_id VARCHAR,
    notified_at TIMESTAMP,            -- when its notification was handled (sent or logged as a dry run)
    notification_status VARCHAR       -- NULL (pending) | dry_run | sent | failed (retried next run)
)
"""


@dataclass(frozen=True)
class AlertSync:
    breaches: int  # rows in the mart this run
    opened: int  # keys never seen before
    seen_again: int  # keys already in the log
    reopened: int  # resolved keys breached again
    resolved: int  # open keys no longer breached
    open_total: int


def ensure_alert_tables(con: duckdb.DuckDBPyConnection) -> None:
    from dagster_project.alerts.notify import CREATE_NOTIFICATIONS

    con.execute("CREATE SCHEMA IF NOT EXISTS meta")
    con.execute(CREATE_ALERTS)
    # A log created before alerts carried their test (s12): the columns are added, empty for old alerts.
    for column, kind in (("z_score", "DOUBLE"), ("p_value", "DOUBLE"), ("certainty", "VARCHAR")):
        con.execute(f"ALTER TABLE {ALERTS_TABLE} ADD COLUMN IF NOT EXISTS {column} {kind}")
    con.execute(CREATE_NOTIFICATIONS)


def sync_alert_log(con: duckdb.DuckDBPyConnection, run_id: str, now: datetime | None = None) -> AlertSync:
    """Bring meta.alerts in line with marts.alert_breaches, in one transaction."""
    ensure_alert_tables(con)
    now_sql = "current_timestamp::TIMESTAMP" if now is None else "?::TIMESTAMP"
    now_params = [] if now is None else [now]
    columns = ", ".join(BREACH_COLUMNS)
    with transaction(con):
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE current_breaches AS SELECT alert_key, {columns} FROM {BREACHES_TABLE}"
        )
        breaches = con.execute("SELECT count(*) FROM current_breaches").fetchone()[0]
        seen_again, reopened = con.execute(
            f"SELECT count(*), count(*) FILTER (WHERE a.status = 'resolved') FROM {ALERTS_TABLE} a "
            "JOIN current_breaches b USING (alert_key)"
        ).fetchone()
        # Seen again: only the sighting is recorded (and a corrected-then-rebroken alert is open again).
        con.execute(
            f"UPDATE {ALERTS_TABLE} SET last_seen_at = {now_sql}, last_run_id = ?, status = 'open', resolved_at = NULL "
            "WHERE alert_key IN (SELECT alert_key FROM current_breaches)",
            [*now_params, run_id],
        )
        opened = con.execute(
            f"INSERT INTO {ALERTS_TABLE} (alert_key, {columns}, status, first_seen_at, last_seen_at, first_run_id, "
            f"last_run_id) SELECT alert_key, {columns}, 'open', {now_sql}, {now_sql}, ?, ? FROM current_breaches "
            f"WHERE alert_key NOT IN (SELECT alert_key FROM {ALERTS_TABLE})",
            [*now_params, *now_params, run_id, run_id],
        ).fetchone()[0]
        resolved = con.execute(
            f"UPDATE {ALERTS_TABLE} SET status = 'resolved', resolved_at = {now_sql} "
            "WHERE status = 'open' AND alert_key NOT IN (SELECT alert_key FROM current_breaches)",
            now_params,
        ).fetchone()[0]
        open_total = con.execute(f"SELECT count(*) FROM {ALERTS_TABLE} WHERE status = 'open'").fetchone()[0]
        con.execute("DROP TABLE current_breaches")
    return AlertSync(
        breaches=breaches,
        opened=opened,
        seen_again=seen_again,
        reopened=reopened,
        resolved=resolved,
        open_total=open_total,
    )
