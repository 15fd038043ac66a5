"""One Dagster instance per lake, so CLI, scheduled and sensor runs share one run history.

DAGSTER_HOME, when set, wins; otherwise the instance lives in <EMPATHY_LAKE_HOME>/dagster and is created
with a small dagster.yaml the first time (`empathy-lake run`, `empathy-lake dagster-home`). `make dagster`,
`dagster-daemon run` and `dagster-webserver` must be started with the same DAGSTER_HOME (docs/runs.md).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dagster_project.settings import Settings, dagster_home_setting, get_settings

TRIGGER_TAG = "empathy_lake/trigger"
PID_TAG = "empathy_lake/pid"
HOST_TAG = "empathy_lake/host"

# run_monitoring: a launched run whose worker never starts (within 180 s) is marked failed instead of
# holding the one run slot. (The default run launcher cannot tell whether a started worker is still alive;
# a killed CLI run is caught by is_dead_cli_run, see docs/runs.md for the rest.) max_concurrent_runs: DuckDB
# has one writer per file, so scheduled and sensor runs queue behind each other instead of colliding.
DAGSTER_YAML = """\
# Dagster instance of this lake (written by empathy-lake; edit freely, it is not overwritten).
# Run history, schedule and sensor state live here in SQLite. See docs/runs.md.
run_monitoring:
  enabled: true
  start_timeout_seconds: 180
  poll_interval_seconds: 30
concurrency:
  runs:
    max_concurrent_runs: 1
telemetry:
  enabled: false
"""


def dagster_home(settings: Settings | None = None) -> Path:
    return dagster_home_setting() or (settings or get_settings()).home / "dagster"


def ensure_dagster_home(settings: Settings | None = None) -> Path:
    """The instance folder, created with dagster.yaml when missing."""
    home = dagster_home(settings)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    return home


def open_instance(settings: Settings | None = None):
    import dagster as dg
    from sqlalchemy.exc import DatabaseError

    home = ensure_dagster_home(settings)
    unsynced_run_history(home)
    try:
        instance = dg.DagsterInstance.from_config(str(home))
        instance.get_run_records(limit=1)
    except DatabaseError:
        raise RunHistoryDamaged(
            f"the run history in {home} is damaged (the machine probably stopped during a run). The warehouse and "
            f"the published copy are not affected: move that folder aside and run again to start a new history."
        ) from None
    return instance


class RunHistoryDamaged(RuntimeError):
    """The lake's Dagster SQLite files cannot be read: only a machine crash during a run can cause it (D473)."""


_UNSYNCED_HOMES: set[str] = set()


def unsynced_run_history(home: Path) -> None:
    """In this process, the instance's SQLite files under `home` are written without fsync (D473).

    Dagster stores every event of a run (about 1,000 in a run at the demo's size) with a connection of its own:
    connect, insert, commit, close, and again in the asset index for materialisations and checks. In SQLite's
    default (`synchronous=FULL`) each commit and each close waits for the disk: 8-16 ms an event on this machine
    under load, 0.2-0.4 ms with `synchronous=OFF` (docs/performance.md "The run's fixed cost (s14)"). OFF loses
    nothing when the process is killed (the OS still writes what it was handed), only when the machine itself
    crashes, and then only run history: the warehouse, its ledger and the serving copy are DuckDB files, and
    `empathy-lake run` rebuilds what a lost run record would have said. Other processes (`dagster dev`, the
    daemon) keep SQLite's default."""
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not _UNSYNCED_HOMES:

        @event.listens_for(Engine, "connect")
        def _unsynced(dbapi_connection, _record) -> None:
            if not isinstance(dbapi_connection, sqlite3.Connection):
                return
            files = [row[2] for row in dbapi_connection.execute("PRAGMA database_list").fetchall()]
            if any(f and any(f.startswith(h + os.sep) for h in _UNSYNCED_HOMES) for f in files):
                dbapi_connection.execute("PRAGMA synchronous=OFF")

    _UNSYNCED_HOMES.update({str(home.absolute()), str(home.resolve())})


def cli_run_tags(stage: str | None = None) -> dict[str, str]:
    """Tags of an `empathy-lake run`: the trigger, and the process running it (see is_dead_cli_run)."""
    tags = {TRIGGER_TAG: "cli", PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}
    return {**tags, "empathy_lake/stage": stage} if stage else tags


def is_dead_cli_run(run) -> bool:
    """True when `run` is a CLI run on this host whose process is gone (killed, out of memory) although the
    instance still says it is in progress. Dagster cannot tell: the run was not launched by a run launcher, so
    run monitoring never looks at it, and it would hold the one run slot and the sensor forever."""
    tags = run.tags
    if tags.get(TRIGGER_TAG) != "cli" or PID_TAG not in tags or tags.get(HOST_TAG) != socket.gethostname():
        return False
    try:
        os.kill(int(tags[PID_TAG]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, ValueError):
        return False
    return False


IN_PROGRESS = ("QUEUED", "STARTING", "STARTED", "CANCELING")
DEAD_RUN_MESSAGE = "the empathy-lake run process is gone (killed?)"


def fail_dead_cli_runs(instance, job_name: str | None = None) -> list:
    """Mark failed every in-progress CLI run on this host whose process is gone, and return the runs still in
    progress. A run killed mid-way (SIGKILL, out of memory, a closed terminal) never reports its own end, so
    without this it would stay STARTED in `empathy-lake runs` and hold the run slot and the sensor."""
    import dagster as dg

    statuses = [dg.DagsterRunStatus(s) for s in IN_PROGRESS]
    alive = []
    for run in instance.get_runs(filters=dg.RunsFilter(job_name=job_name, statuses=statuses)):
        if is_dead_cli_run(run):
            instance.report_run_failed(run, message=DEAD_RUN_MESSAGE)
        else:
            alive.append(run)
    return alive


def trigger_of(tags: dict[str, str]) -> str:
    if "dagster/schedule_name" in tags:
        return f"schedule:{tags['dagster/schedule_name']}"
    if "dagster/sensor_name" in tags:
        return f"sensor:{tags['dagster/sensor_name']}"
    if "dagster/backfill" in tags:
        return "backfill"
    return tags.get(TRIGGER_TAG, "ui")


@dataclass(frozen=True)
class RunRow:
    run_id: str
    job: str
    status: str
    started: datetime | None
    seconds: float | None
    trigger: str


def recent_runs(instance, limit: int = 20) -> list[RunRow]:
    rows = []
    for record in instance.get_run_records(limit=limit):
        run = record.dagster_run
        start, end = record.start_time, record.end_time
        rows.append(
            RunRow(
                run_id=run.run_id,
                job=run.job_name,
                status=run.status.value,
                started=datetime.fromtimestamp(start, tz=UTC) if start else None,
                seconds=(end - start) if start and end else None,
                trigger=trigger_of(dict(run.tags)),
            )
        )
    return rows


def format_runs(rows: list[RunRow]) -> str:
    lines = [f"{'run id':36}  {'status':9}  {'started (UTC)':19}  {'duration':>8}  trigger"]
    for row in rows:
        started = row.started.strftime("%Y-%m-%d %H:%M:%S") if row.started else "-"
        seconds = f"{row.seconds:.0f} s" if row.seconds is not None else "-"
        lines.append(f"{row.run_id:36}  {row.status:9}  {started:19}  {seconds:>8}  {row.trigger}")
    if not rows:
        lines.append("(no runs yet)")
    return "\n".join(lines)
