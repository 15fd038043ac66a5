"""Action triggers: the alert log (log.py) keeps every breach of marts.alert_breaches once, and notify.py
tells the owners about newly opened alerts through apprise, dry-run unless sending is switched on."""

from dagster_project.alerts.log import AlertSync, sync_alert_log
from dagster_project.alerts.notify import NotifyRun, NotifySettings, notify_pending

__all__ = ["AlertSync", "NotifyRun", "NotifySettings", "notify_pending", "sync_alert_log"]
