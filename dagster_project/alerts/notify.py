"""Notifications for newly opened alerts, through apprise (one library for webhooks, e-mail, Slack, Teams,
ntfy and ~100 other services, each addressed by a URL) — dry-run unless sending is switched on.

EMPATHY_LAKE_ALERT_URLS  comma-separated apprise URLs, e.g. json://hooks.example.org/empathy (a JSON
                         webhook), mailto://user:pass@example.org, slack://TokenA/TokenB/TokenC
EMPATHY_LAKE_ALERT_SEND  "1" to really send; anything else (the default) is a dry run: the message is
                         logged and recorded in meta.alert_notifications with status dry_run, nothing leaves
                         the machine

Why dry-run by default: a demo or a first run on real data raises every breach in the history at once;
nobody should be paged by a sample business or by a backlog. A dry-run alert counts as handled, so turning
sending on later notifies only alerts opened from then on.

Delivery is at-least-once per (alert, channel): a notification is recorded after apprise returns, so a
crash between sending and recording sends it again on the next run; a failed send (status failed) never
fails the run or loses the alert — it stays pending and is retried on the next run, on the failed
channels only. The channel recorded is the URL's scheme, host and port plus a short hash: apprise URLs
often carry tokens or passwords, and the notifications table is published.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import duckdb

from dagster_project.settings import alert_channel_setting
from dagster_project.transactions import transaction
from streamlit_app.labels import alert_reason_words, owner_words  # the Alerts page's words: one definition

NOTIFICATIONS_TABLE = "meta.alert_notifications"
CREATE_NOTIFICATIONS = f"""
CREATE TABLE IF NOT EXISTS {NOTIFICATIONS_TABLE} (
    alert_key VARCHAR NOT NULL,
    channel VARCHAR NOT NULL,      -- redacted URL ('dry-run' when nothing was configured)
    status VARCHAR NOT NULL,       -- dry_run | sent | failed
    message VARCHAR,
    attempted_at TIMESTAMP NOT NULL,
    run_id VARCHAR
)
"""
# Open alerts whose notification is not yet handled: new ones, and those whose last attempt failed.
PENDING_SQL = """
    SELECT alert_key, severity, rule_id, scope, scope_value, strftime(period, '%Y-%m') AS period, reason, owner
    FROM meta.alerts
    WHERE status = 'open' AND (notification_status IS NULL OR notification_status = 'failed')
    ORDER BY first_seen_at, alert_key
"""


@dataclass(frozen=True)
class NotifySettings:
    urls: tuple[str, ...] = ()
    send: bool = False

    @classmethod
    def from_env(cls) -> NotifySettings:
        """The channel the environment sets (dagster_project/settings.py reads it)."""
        urls, send = alert_channel_setting()
        return cls(urls=urls, send=send)


@dataclass
class NotifyRun:
    pending: int = 0
    dry_run: int = 0
    sent: int = 0
    failed: int = 0
    messages: list[str] = field(default_factory=list)


def redact(url: str) -> str:
    """scheme://host[:port]#hash of the whole URL: tells channels apart without publishing credentials."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    digest = hashlib.sha256(url.encode()).hexdigest()[:8]
    return f"{parts.scheme}://{host}{port}#{digest}"


def compose(alert: dict) -> tuple[str, str]:
    """Title and body of one alert's notification."""
    # Plain words for the person paged: the place and the month, then the reason sentence (no rule code).
    month = datetime.strptime(alert["period"], "%Y-%m").strftime("%b %Y")
    # A customer by their place in the sentence, never their pseudonym (the dashboard's words, D794).
    place = "A customer" if alert.get("scope") == "customer" else alert["scope_value"]
    title = f"[{(alert['severity'] or '').upper()}] Empathy Lake alert — {place} ({month})"
    reason = alert_reason_words(alert["reason"], alert.get("scope"), alert["scope_value"])
    body = f"{reason}\nOwner: {owner_words(alert['owner'])}\nAlert reference: {alert['alert_key']}"
    return title, body


def _send(url: str, title: str, body: str, html: str | None = None) -> tuple[bool, str]:
    """One message to one apprise URL; never raises (a broken channel must not fail the run). With `html`, a
    channel that takes HTML (e-mail, JSON and form webhooks...) gets it, and any other the plain `body`."""
    try:
        import apprise

        notifier = apprise.Apprise()
        if not notifier.add(url):
            return False, "apprise does not understand this URL"
        if html is not None and notifier[0].resolve_format(apprise.NotifyFormat.HTML) == apprise.NotifyFormat.HTML:
            ok = notifier.notify(title=title, body=html, body_format=apprise.NotifyFormat.HTML)
        else:
            ok = notifier.notify(title=title, body=body)
        return bool(ok), "" if ok else "apprise reported a failed delivery"
    except Exception as exc:  # noqa: BLE001 - any error is a failed send, recorded and retried
        return False, f"{type(exc).__name__}: {exc}"


def notify_pending(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    settings: NotifySettings | None = None,
    log: Callable[[str], None] = print,
    sender: Callable[[str, str, str], tuple[bool, str]] = _send,
) -> NotifyRun:
    """Notify every open alert not yet handled; record each attempt and mark the alert."""
    from dagster_project.alerts.log import ensure_alert_tables

    settings = settings or NotifySettings.from_env()
    ensure_alert_tables(con)
    cursor = con.execute(PENDING_SQL)
    names = [d[0] for d in cursor.description]
    pending = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    run = NotifyRun(pending=len(pending))
    for alert in pending:
        title, body = compose(alert)
        message = f"{title}\n{body}"
        attempts: list[tuple[str, str, str]] = []  # (channel, status, message)
        if not settings.send:
            log(f"alert (dry run, set EMPATHY_LAKE_ALERT_SEND=1 to send): {message}")
            attempts.append(("dry-run", "dry_run", message))
        elif not settings.urls:
            log(f"alert not sent: EMPATHY_LAKE_ALERT_SEND=1 but EMPATHY_LAKE_ALERT_URLS is empty: {title}")
            attempts.append(("none", "failed", f"{message}\n(no EMPATHY_LAKE_ALERT_URLS configured)"))
        else:
            already = {
                r[0]
                for r in con.execute(
                    f"SELECT channel FROM {NOTIFICATIONS_TABLE} WHERE alert_key = ? AND status = 'sent'",
                    [alert["alert_key"]],
                ).fetchall()
            }
            for url in settings.urls:
                channel = redact(url)
                if channel in already:
                    continue
                ok, error = sender(url, title, body)
                log(f"alert {'sent' if ok else 'NOT sent'} to {channel}: {title}" + (f" ({error})" if error else ""))
                attempts.append((channel, "sent" if ok else "failed", message if ok else f"{message}\n({error})"))
        statuses = {status for _, status, _ in attempts}
        outcome = "failed" if "failed" in statuses else ("dry_run" if statuses == {"dry_run"} else "sent")
        with transaction(con):
            for channel, status, text in attempts:
                con.execute(
                    f"INSERT INTO {NOTIFICATIONS_TABLE} VALUES (?, ?, ?, ?, current_timestamp::TIMESTAMP, ?)",
                    [alert["alert_key"], channel, status, text, run_id],
                )
            con.execute(
                "UPDATE meta.alerts SET notification_status = ?, "
                "notified_at = CASE WHEN ? THEN notified_at ELSE current_timestamp::TIMESTAMP END WHERE alert_key = ?",
                [outcome, outcome == "failed", alert["alert_key"]],
            )
        run.messages.append(message)
        if outcome == "dry_run":
            run.dry_run += 1
        elif outcome == "sent":
            run.sent += 1
        else:
            run.failed += 1
    return run
