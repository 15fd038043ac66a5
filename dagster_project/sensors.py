"""Event-driven runs: start the `empathy_lake` job when new or changed files land in the landing folder.

Every tick lists the files a run would read (dagster_project/loading/landing_state.py: each entity's files
and the import mappings; hidden, `_`-prefixed and partial uploads are ignored as the loader ignores them)
and fingerprints (relative path, size, mtime_ns). The cursor keeps two fingerprints, JSON-encoded:

- `seen`: the listing at the previous tick;
- `requested`: the listing the last run was requested for.

A run is requested (run_key = the fingerprint) only when the listing differs from `requested` and is the
same as at the previous tick: files must be quiet for one whole interval, so a drop still being copied
does not start a run on half a file (docs/decisions.md D45). While a run of the job is queued or running
the sensor skips and asks again at the next tick; files that landed meanwhile are picked up then. A CLI
run whose process is gone is marked failed instead of blocking (run_history.fail_dead_cli_runs).

EMPATHY_LAKE_SENSOR_INTERVAL_SECONDS  seconds between ticks (default 60), i.e. the quiet period
EMPATHY_LAKE_SENSOR_RUNNING=1         start the sensor running when the code location loads (default: stopped)
"""

from __future__ import annotations

import json

import dagster as dg

from dagster_project.jobs import empathy_lake_job
from dagster_project.loading.landing_state import fingerprint, landing_files
from dagster_project.run_history import fail_dead_cli_runs
from dagster_project.settings import DEFAULT_SENSOR_INTERVAL_SECONDS, get_settings, sensor_setting

SENSOR_NAME = "landing_files_sensor"
DEFAULT_INTERVAL_SECONDS = DEFAULT_SENSOR_INTERVAL_SECONDS


def _parse_cursor(cursor: str | None) -> dict[str, str | None]:
    try:
        data = json.loads(cursor) if cursor else {}
    except json.JSONDecodeError:
        data = {}
    return {"seen": data.get("seen"), "requested": data.get("requested")}


def _cursor(seen: str | None, requested: str | None) -> str:
    return json.dumps({"seen": seen, "requested": requested})


def _active_runs(instance: dg.DagsterInstance) -> list[str]:
    # A killed `empathy-lake run` would otherwise block this sensor and the run queue for good.
    return [run.run_id for run in fail_dead_cli_runs(instance, empathy_lake_job.name)]


def evaluate_landing(context: dg.SensorEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    landing = get_settings().landing_dir
    files = landing_files(landing)
    if not files:
        return dg.SkipReason(f"no landing files in {landing}")
    current = fingerprint(files)
    state = _parse_cursor(context.cursor)
    if current == state["requested"]:
        context.update_cursor(_cursor(current, state["requested"]))
        return dg.SkipReason(f"no new or changed files in {landing} ({len(files)} files)")
    if current != state["seen"]:
        context.update_cursor(_cursor(current, state["requested"]))
        return dg.SkipReason(
            f"landing files changed since the previous tick ({len(files)} files): "
            "waiting one interval for them to be quiet before starting a run"
        )
    active = _active_runs(context.instance)
    if active:
        # Cursor unchanged: the same listing is requested at the first tick after the run ends.
        return dg.SkipReason(f"new files are quiet, but a run of {empathy_lake_job.name} is in progress: {active[0]}")
    context.update_cursor(_cursor(current, current))
    newest = max(files, key=lambda f: f.mtime_ns)
    return dg.RunRequest(
        run_key=current,
        tags={
            "empathy_lake/trigger": "sensor",
            "empathy_lake/landing_files": str(len(files)),
            "empathy_lake/newest_file": newest.relative_path,
        },
    )


def build_landing_sensor() -> dg.SensorDefinition:
    """Read the environment when the code location loads (tests build one per setting)."""
    interval, running = sensor_setting()
    status = dg.DefaultSensorStatus.RUNNING if running else dg.DefaultSensorStatus.STOPPED

    @dg.sensor(
        name=SENSOR_NAME,
        job=empathy_lake_job,
        minimum_interval_seconds=interval,
        default_status=status,
        description="Starts empathy_lake when files in the landing folder are new or changed and have been quiet "
        f"for one tick ({interval} s).",
    )
    def _sensor(context: dg.SensorEvaluationContext):
        return evaluate_landing(context)

    return _sensor


landing_files_sensor = build_landing_sensor()
