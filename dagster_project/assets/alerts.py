"""The alert log: every breach of the action-trigger rules (marts.alert_breaches) kept once in meta.alerts,
and a notification for each newly opened alert (dagster_project/alerts/).

A Python asset rather than a dbt model because it must remember what earlier runs saw (a dbt table is
rebuilt from the data each run) and because sending is a side effect dbt should not have. It runs after the
mart and before the serving copy, so meta.alerts is published with the marts it explains.
"""

import dagster as dg

from dagster_project.alerts import NotifySettings, notify_pending, sync_alert_log
from dagster_project.resources import LakeResource

ALERT_LOG_KEY = dg.AssetKey(["alerts", "alert_log"])
ALERT_BREACHES_KEY = dg.AssetKey(["marts", "alert_breaches"])
OWNER_CHECK = "open_alerts_have_owner_and_reason"


@dg.asset(
    key=ALERT_LOG_KEY,
    deps=[ALERT_BREACHES_KEY],
    group_name="alerts",
    check_specs=[
        dg.AssetCheckSpec(
            OWNER_CHECK,
            asset=ALERT_LOG_KEY,
            blocking=True,
            description="Every open alert names an owner and says why it fired: an alert nobody owns is never "
            "acted on.",
        )
    ],
    kinds={"duckdb", "python"},
    description="meta.alerts: one row per alert ever raised (open / resolved, first and last seen), and "
    "meta.alert_notifications: every notification attempt. New alerts are notified once through apprise; "
    "dry-run unless EMPATHY_LAKE_ALERT_SEND=1 (docs/alerts.md).",
)
def alert_log(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    run_id = context.run.run_id
    settings = NotifySettings.from_env()
    with lake.connect() as con:
        sync = sync_alert_log(con, run_id)
        sent = notify_pending(con, run_id, settings, log=context.log.info)
        by_rule = dict(
            con.execute(
                "SELECT rule_id, count(*) FROM meta.alerts WHERE status = 'open' GROUP BY rule_id ORDER BY rule_id"
            ).fetchall()
        )
        owner_check = open_alerts_have_owner_and_reason(con)
    context.log.info(
        f"alerts: {sync.opened} new, {sync.seen_again} seen again, {sync.resolved} resolved, {sync.open_total} open; "
        f"notifications: {sent.sent} sent, {sent.failed} failed, {sent.dry_run} dry run"
    )
    return dg.MaterializeResult(
        metadata={
            "breaches": sync.breaches,
            "opened": sync.opened,
            "seen_again": sync.seen_again,
            "reopened": sync.reopened,
            "resolved": sync.resolved,
            "open_alerts": sync.open_total,
            "open_by_rule": dg.MetadataValue.json(by_rule),
            "notifications_sent": sent.sent,
            "notifications_failed": sent.failed,
            "notifications_dry_run": sent.dry_run,
            "sending": "on" if settings.send else "dry run",
            "dagster/row_count": sync.open_total,
        },
        check_results=[owner_check],
    )


def open_alerts_have_owner_and_reason(con) -> dg.AssetCheckResult:
    """The alert log's blocking check, evaluated in the alert log's own step (D471)."""
    broken = con.execute(
        "SELECT alert_key, rule_id, scope_value FROM meta.alerts WHERE status = 'open' "
        "AND (coalesce(trim(owner), '') = '' OR coalesce(trim(reason), '') = '')"
    ).fetchall()
    return dg.AssetCheckResult(
        check_name=OWNER_CHECK,
        passed=not broken,
        metadata={"open_alerts_without_owner_or_reason": "\n".join(str(r) for r in broken) or "none"},
    )
