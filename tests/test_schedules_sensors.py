"""The daily schedule, the landing-folder sensor and the run history `empathy-lake runs` shows."""

from __future__ import annotations

import os
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from tests.lake_helpers import BuiltLake, lake_env

HEADER = "customer_id,segment,signup_date\n"


@pytest.fixture
def landing(tmp_path) -> Path:
    with lake_env(tmp_path / "lake") as settings:
        settings.landing_dir.mkdir(parents=True)
        yield settings.landing_dir


def _drop(landing: Path, relative: str, text: str = HEADER + "C1,SMB,2024-01-01\n") -> Path:
    path = landing / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _tick(cursor: str | None, instance: dg.DagsterInstance | None = None):
    from dagster_project.sensors import landing_files_sensor

    context = dg.build_sensor_context(instance=instance or dg.DagsterInstance.ephemeral(), cursor=cursor)
    result = landing_files_sensor(context)
    return result, context.cursor


def _settle(cursor: str | None = None):
    """Two ticks: the first sees the change, the second (files quiet) requests the run."""
    first, cursor = _tick(cursor)
    assert isinstance(first, dg.SkipReason) and "quiet" in first.skip_message
    return _tick(cursor)


def test_sensor_waits_one_quiet_tick_then_requests_a_run(landing):
    _drop(landing, "customers/customers_2025-01-01.csv")
    request, cursor = _settle()
    assert isinstance(request, dg.RunRequest)
    assert len(request.run_key) == 64
    assert request.tags["empathy_lake/trigger"] == "sensor"
    assert request.tags["empathy_lake/landing_files"] == "1"

    again, cursor_after = _tick(cursor)
    assert isinstance(again, dg.SkipReason) and "no new or changed files" in again.skip_message
    assert cursor_after == cursor


def test_new_file_requests_a_new_run_key(landing):
    _drop(landing, "customers/customers_2025-01-01.csv")
    first, cursor = _settle()
    _drop(landing, "customers/customers_2025-01-02.csv")
    second, _ = _settle(cursor)
    assert isinstance(second, dg.RunRequest)
    assert second.run_key != first.run_key
    assert second.tags["empathy_lake/newest_file"] == "customers/customers_2025-01-02.csv"


def test_changed_file_counts_as_new(landing):
    path = _drop(landing, "customers/customers_2025-01-01.csv")
    first, cursor = _settle()
    path.write_text(HEADER + "C1,SMB,2024-01-01\nC2,SMB,2024-01-02\n", encoding="utf-8")
    second, _ = _settle(cursor)
    assert isinstance(second, dg.RunRequest) and second.run_key != first.run_key


def test_a_file_still_growing_waits(landing):
    path = _drop(landing, "customers/customers_2025-01-01.csv")
    _, cursor = _tick(None)
    with path.open("a", encoding="utf-8") as fh:  # the copy is still going on at the next tick
        fh.write("C2,SMB,2024-01-02\n")
    still_moving, cursor = _tick(cursor)
    assert isinstance(still_moving, dg.SkipReason) and "quiet" in still_moving.skip_message
    quiet, _ = _tick(cursor)
    assert isinstance(quiet, dg.RunRequest)


@pytest.mark.parametrize(
    "relative",
    [
        "customers/.customers_2025-01-02.csv",
        "customers/_draft.csv",
        "customers/customers_2025-01-02.csv.part",
        "customers/customers_2025-01-02.csv.tmp",
        "_truth/ground_truth.json",
        "unmapped_export/data.csv",  # no mapping claims it and it is no entity folder: the loader ignores it
    ],
)
def test_hidden_partial_and_ignored_files_start_no_run(landing, relative):
    _drop(landing, "customers/customers_2025-01-01.csv")
    _, cursor = _settle()
    _drop(landing, relative)
    for _ in range(2):
        result, cursor = _tick(cursor)
        assert isinstance(result, dg.SkipReason) and "no new or changed files" in result.skip_message


def test_mapped_files_and_mappings_count(landing):
    from dagster_project.settings import SHIPPED_MAPPINGS_DIR

    _drop(landing, "customers/customers_2025-01-01.csv")
    _, cursor = _settle()
    mapping = (SHIPPED_MAPPINGS_DIR / "telco_customer_churn.yml").read_text(encoding="utf-8")
    _drop(landing, "_mappings/telco_customer_churn.yml", mapping)
    request, cursor = _settle(cursor)
    assert isinstance(request, dg.RunRequest)  # a new mapping can change what is loaded


def test_empty_landing_skips(landing):
    result, _ = _tick(None)
    assert isinstance(result, dg.SkipReason) and "no landing files" in result.skip_message


def test_run_in_progress_skips_and_the_request_follows_when_it_ends(landing):
    _drop(landing, "customers/customers_2025-01-01.csv")
    _, cursor = _tick(None)
    instance = dg.DagsterInstance.ephemeral()
    run = dg.DagsterRun(job_name="empathy_lake", run_id=str(uuid.uuid4()), status=dg.DagsterRunStatus.STARTED)
    instance.add_run(run)
    busy, cursor_busy = _tick(cursor, instance)
    assert isinstance(busy, dg.SkipReason) and "in progress" in busy.skip_message
    instance.report_run_failed(instance.get_run_by_id(run.run_id))
    after, _ = _tick(cursor_busy, instance)
    assert isinstance(after, dg.RunRequest)


def test_a_killed_cli_run_is_marked_failed_instead_of_blocking(landing):
    from dagster_project.run_history import PID_TAG, cli_run_tags

    _drop(landing, "customers/customers_2025-01-01.csv")
    _, cursor = _tick(None)
    instance = dg.DagsterInstance.ephemeral()
    gone = subprocess.Popen(["true"])
    gone.wait()
    started = dg.DagsterRunStatus.STARTED
    alive = dg.DagsterRun(job_name="empathy_lake", run_id=str(uuid.uuid4()), status=started, tags=cli_run_tags())
    dead_tags = {**cli_run_tags(), PID_TAG: str(gone.pid)}
    dead = dg.DagsterRun(job_name="empathy_lake", run_id=str(uuid.uuid4()), status=started, tags=dead_tags)
    instance.add_run(alive)
    instance.add_run(dead)
    busy, cursor = _tick(cursor, instance)
    assert isinstance(busy, dg.SkipReason) and alive.run_id in busy.skip_message
    assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
    instance.report_run_failed(instance.get_run_by_id(alive.run_id))
    after, _ = _tick(cursor, instance)
    assert isinstance(after, dg.RunRequest)


def test_schedule_defaults(monkeypatch):
    from dagster_project.schedules import build_daily_schedule

    for var in ("EMPATHY_LAKE_SCHEDULE_CRON", "EMPATHY_LAKE_TIMEZONE", "EMPATHY_LAKE_SCHEDULE_RUNNING"):
        monkeypatch.delenv(var, raising=False)
    schedule = build_daily_schedule()
    assert schedule.name == "empathy_lake_daily"
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.execution_timezone == "UTC"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.job_name == "empathy_lake"
    context = dg.build_schedule_context(scheduled_execution_time=datetime(2026, 1, 5, 6, tzinfo=UTC))
    [request] = schedule.evaluate_tick(context).run_requests
    assert request.tags["empathy_lake/trigger"] == "schedule"


def test_schedule_follows_the_environment(monkeypatch):
    from dagster_project.schedules import build_daily_schedule

    monkeypatch.setenv("EMPATHY_LAKE_SCHEDULE_CRON", "30 2 * * 1-5")
    monkeypatch.setenv("EMPATHY_LAKE_TIMEZONE", "Europe/Paris")
    monkeypatch.setenv("EMPATHY_LAKE_SCHEDULE_RUNNING", "1")
    schedule = build_daily_schedule()
    assert schedule.cron_schedule == "30 2 * * 1-5"
    assert schedule.execution_timezone == "Europe/Paris"
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING


def test_sensor_interval_and_status_follow_the_environment(monkeypatch):
    from dagster_project.sensors import build_landing_sensor

    monkeypatch.delenv("EMPATHY_LAKE_SENSOR_INTERVAL_SECONDS", raising=False)
    monkeypatch.delenv("EMPATHY_LAKE_SENSOR_RUNNING", raising=False)
    default = build_landing_sensor()
    assert default.minimum_interval_seconds == 60
    assert default.default_status == dg.DefaultSensorStatus.STOPPED
    monkeypatch.setenv("EMPATHY_LAKE_SENSOR_INTERVAL_SECONDS", "15")
    monkeypatch.setenv("EMPATHY_LAKE_SENSOR_RUNNING", "1")
    tuned = build_landing_sensor()
    assert tuned.minimum_interval_seconds == 15
    assert tuned.default_status == dg.DefaultSensorStatus.RUNNING


def test_schedule_and_sensor_are_in_the_code_location(dbt_manifest):
    from dagster_project.definitions import defs

    assert defs.resolve_schedule_def("empathy_lake_daily").job_name == "empathy_lake"
    assert defs.resolve_sensor_def("landing_files_sensor").job_name == "empathy_lake"


def test_cli_runs_are_recorded_and_listed(built_lake: BuiltLake, rerun_lake: BuiltLake, capsys, monkeypatch):
    from dagster_project.cli import main
    from dagster_project.run_history import open_instance

    # The session lake was built by `run_pipeline` with no DAGSTER_HOME: its run is in <lake>/dagster.
    with lake_env(built_lake.home) as settings:
        monkeypatch.delenv("DAGSTER_HOME", raising=False)
        [session_run] = open_instance(settings).get_runs()
        assert session_run.tags["empathy_lake/trigger"] == "cli"
        assert (built_lake.home / "dagster" / "dagster.yaml").exists()

    # The re-run lake ran `empathy-lake run` with DAGSTER_HOME set (tests/conftest.py rerun_lake).
    dagster_home = rerun_lake.home / "dagster_home"
    assert rerun_lake.success
    with lake_env(rerun_lake.home):
        os.environ["DAGSTER_HOME"] = str(dagster_home)
        capsys.readouterr()
        assert main(["runs", "--limit", "5"]) == 0
        out = capsys.readouterr().out
    assert (dagster_home / "dagster.yaml").exists()
    header, row, *rest = out.strip().splitlines()
    assert header.split()[:3] == ["run", "id", "status"]
    assert "SUCCESS" in row and row.rstrip().endswith("cli")
    assert not rest  # DAGSTER_HOME wins over <lake>/dagster: only this run is in it


KILLED_RUN_SCRIPT = """
import sys, time, uuid
import dagster as dg
from dagster_project.run_history import cli_run_tags, open_instance
instance = open_instance()
run = dg.DagsterRun(job_name="empathy_lake", run_id=str(uuid.uuid4()), status=dg.DagsterRunStatus.STARTED,
                    tags=cli_run_tags())
instance.add_run(run)
print(run.run_id, flush=True)
time.sleep(600)
"""


def test_a_cli_run_killed_mid_way_is_marked_failed_by_the_next_run(tmp_path, dbt_manifest, capsys, monkeypatch):
    """A process records a STARTED CLI run (its pid and host) in the lake's instance and is killed with
    SIGKILL, so the run never reports its end. `empathy-lake runs` and the next `empathy-lake run` mark it
    failed; a run whose process is alive is left alone."""
    import signal
    import sys

    from dagster_project.cli import main, run_pipeline
    from dagster_project.run_history import DEAD_RUN_MESSAGE, cli_run_tags, open_instance

    with lake_env(tmp_path / "lake") as settings:
        monkeypatch.delenv("DAGSTER_HOME", raising=False)
        settings.landing_dir.mkdir(parents=True)
        worker = subprocess.Popen([sys.executable, "-c", KILLED_RUN_SCRIPT], stdout=subprocess.PIPE, text=True)
        killed_id = worker.stdout.readline().strip()
        instance = open_instance(settings)
        alive = dg.DagsterRun(
            job_name="empathy_lake", run_id=str(uuid.uuid4()), status=dg.DagsterRunStatus.STARTED, tags=cli_run_tags()
        )
        instance.add_run(alive)
        assert instance.get_run_by_id(killed_id).status == dg.DagsterRunStatus.STARTED
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        assert instance.get_run_by_id(killed_id).status == dg.DagsterRunStatus.STARTED  # nobody said otherwise

        capsys.readouterr()
        assert main(["runs"]) == 0
        listing = capsys.readouterr().out
        assert any(line.startswith(killed_id) and "FAILURE" in line for line in listing.splitlines())
        failure = instance.get_run_by_id(killed_id)
        assert failure.status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id(alive.run_id).status == dg.DagsterRunStatus.STARTED

        # The next run does the same on its own (here the `runs` listing was skipped: a second killed run).
        worker = subprocess.Popen([sys.executable, "-c", KILLED_RUN_SCRIPT], stdout=subprocess.PIPE, text=True)
        second_id = worker.stdout.readline().strip()
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        run_pipeline(stage="load")
        assert open_instance(settings).get_run_by_id(second_id).status == dg.DagsterRunStatus.FAILURE
        messages = [e.message for e in instance.all_logs(second_id) if e.message]
        assert DEAD_RUN_MESSAGE in messages
        assert instance.get_run_by_id(alive.run_id).status == dg.DagsterRunStatus.STARTED
