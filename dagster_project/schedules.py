"""A daily run of the `empathy_lake` job, for lakes whose extracts arrive on a fixed timetable.

EMPATHY_LAKE_SCHEDULE_CRON     cron expression (default "0 6 * * *": every day at 06:00)
EMPATHY_LAKE_TIMEZONE          IANA time zone the cron is read in (default UTC)
EMPATHY_LAKE_SCHEDULE_RUNNING=1  start the schedule running when the code location loads

A weekly run of the digest job (dagster_project/digest/job.py): each owner's numbers and open alerts.

EMPATHY_LAKE_DIGEST_CRON      cron expression (default "0 7 * * 1": Mondays at 07:00), in EMPATHY_LAKE_TIMEZONE
EMPATHY_LAKE_DIGEST_RUNNING=1 start the digest schedule running when the code location loads

A weekly run of the predictive CLTV job (dagster_project/clv/job.py): BG/NBD + Gamma-Gamma on the orders.

EMPATHY_LAKE_CLV_CRON         cron expression (default "0 5 * * 0": Sundays at 05:00), in EMPATHY_LAKE_TIMEZONE
EMPATHY_LAKE_CLV_RUNNING=1    start the CLTV schedule running when the code location loads

Like every Dagster schedule each is stopped until someone turns it on (UI, `dagster schedule start`), unless its
*_RUNNING variable is 1: a fresh checkout never starts runs on its own (docs/decisions.md D46).
"""

from __future__ import annotations

import dagster as dg

from dagster_project.clv.job import customer_clv_job
from dagster_project.digest.job import weekly_digest_job
from dagster_project.jobs import empathy_lake_job
from dagster_project.settings import (
    DEFAULT_DAILY_CRON,
    DEFAULT_TIMEZONE,
    clv_schedule_setting,
    daily_schedule_setting,
    digest_schedule_setting,
    schedule_timezone,
)

SCHEDULE_NAME = "empathy_lake_daily"
DIGEST_SCHEDULE_NAME = "empathy_lake_weekly_digest"
CLV_SCHEDULE_NAME = "customer_clv_weekly"
DEFAULT_CRON = DEFAULT_DAILY_CRON  # names kept for readers of this module (tests)
__all__ = ["DEFAULT_CRON", "DEFAULT_TIMEZONE"]


def _schedule(name: str, job, cron: str, running: bool, what: str, cron_setting: str) -> dg.ScheduleDefinition:
    """A schedule in EMPATHY_LAKE_TIMEZONE, stopped unless `running`, tagged as started by a schedule."""
    timezone = schedule_timezone()
    return dg.ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=cron,
        execution_timezone=timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED,
        tags={"empathy_lake/trigger": "schedule"},
        description=f"{what} at `{cron}` ({timezone}); {cron_setting} changes it.",
    )


def build_daily_schedule() -> dg.ScheduleDefinition:
    """Read the environment when the code location loads (tests build one per setting)."""
    cron, running = daily_schedule_setting()
    what = "Load, build, check and publish"
    return _schedule(SCHEDULE_NAME, empathy_lake_job, cron, running, what, "EMPATHY_LAKE_SCHEDULE_CRON")


empathy_lake_daily = build_daily_schedule()


def build_weekly_digest_schedule() -> dg.ScheduleDefinition:
    """The weekly digest, stopped unless EMPATHY_LAKE_DIGEST_RUNNING=1 (read when the code location loads)."""
    cron, running = digest_schedule_setting()
    what = "Each owner's weekly digest"
    return _schedule(DIGEST_SCHEDULE_NAME, weekly_digest_job, cron, running, what, "EMPATHY_LAKE_DIGEST_CRON")


empathy_lake_weekly_digest = build_weekly_digest_schedule()


def build_weekly_clv_schedule() -> dg.ScheduleDefinition:
    """The weekly predictive CLTV fit, stopped unless EMPATHY_LAKE_CLV_RUNNING=1 (read when the code location loads)."""
    cron, running = clv_schedule_setting()
    what = "Fit predictive CLTV and publish its totals"
    return _schedule(CLV_SCHEDULE_NAME, customer_clv_job, cron, running, what, "EMPATHY_LAKE_CLV_CRON")


customer_clv_weekly = build_weekly_clv_schedule()
