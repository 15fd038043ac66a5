"""Run health under hard failures and load: a full rebuild killed with SIGKILL mid `dbt build` leaves the
last published copy serving, and the re-run ends where a clean run ends; readers of the serving copy see no
error all the while, and see the old copy, then the new one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from tests.lake_helpers import TEST_PII_KEY, BuiltLake, assert_same_marts, clone_lake, lake_env, publication_run_id


def _pipeline_process(home: Path, *args: str) -> subprocess.Popen:
    """`empathy-lake run` in its own session (process group), so a kill reaches dbt too, as a machine or
    container dying would."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMPATHY_LAKE_")}
    env.update(EMPATHY_LAKE_HOME=str(home), EMPATHY_LAKE_PII_KEY=TEST_PII_KEY, DAGSTER_HOME=str(home / "dagster"))
    (home / "dagster").mkdir(parents=True, exist_ok=True)
    log = open(home / "pipeline.log", "w")  # noqa: SIM115 - closed by the OS when the child ends
    return subprocess.Popen(
        [sys.executable, "-m", "dagster_project.cli", "run", *args],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _dbt_builds_in_session(session_id: int) -> set[int]:
    """Process ids of `dbt build` processes started by the pipeline process (same session)."""
    found = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if os.getsid(int(proc.name)) != session_id:
                continue
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except (ProcessLookupError, FileNotFoundError, PermissionError):
            continue
        if any(a.endswith(b"dbt") for a in argv) and b"build" in argv:
            found.add(int(proc.name))
    return found


# Readers pause this long between rounds. Unpaced, the four dashboard threads and the analyst process kept both
# cores of a CI machine busy for the length of two pipeline runs, slowing those runs and the other test worker;
# paced, they still ask about ten times a second each (hundreds of rounds per run), so a serving copy missing or
# half-written for even a tenth of a second is seen (docs/decisions.md D235).
READER_PAUSE = 0.1


def _reader(errors: list, counts: dict, run_ids: set, stop: threading.Event) -> None:
    """What a dashboard session does: the publication line, a KPI query and a wide table, over and over."""
    from streamlit_app import warehouse

    while not stop.is_set():
        try:
            run_ids.add(warehouse.publication().run_id)
            assert len(warehouse.query("SELECT * FROM marts.customer_nps_monthly")) > 0
            assert len(warehouse.query("SELECT * FROM marts.customer_360 LIMIT 500")) > 0
            counts[threading.get_ident()] = counts.get(threading.get_ident(), 0) + 1
        except Exception as exc:  # noqa: BLE001 - every kind of failure is what this test counts
            errors.append(repr(exc))
        stop.wait(READER_PAUSE)


ANALYST_SCRIPT = """
import json, os, sys, time
import duckdb
path, stop, pause = sys.argv[1], sys.argv[2], sys.argv[3]
ok, errors = 0, []
while not os.path.exists(stop):
    try:
        with duckdb.connect(path, read_only=True) as con:
            con.execute("SELECT segment, sum(responses) FROM marts.customer_nps_monthly GROUP BY 1").fetchall()
        ok += 1
    except Exception as exc:
        errors.append(repr(exc))
    time.sleep(float(pause))
print(json.dumps({"ok": ok, "errors": errors}))
"""


def _dbt_log(dbt_pid: int) -> Path | None:
    """The log file of a running dbt process (dagster-dbt gives each invocation its own DBT_LOG_PATH)."""
    try:
        environ = Path(f"/proc/{dbt_pid}/environ").read_bytes().split(b"\0")
        cwd = os.readlink(f"/proc/{dbt_pid}/cwd")
    except (ProcessLookupError, FileNotFoundError, PermissionError):
        return None
    for item in environ:
        if item.startswith(b"DBT_LOG_PATH="):
            # Relative to dbt's working directory (the dbt project) when dagster-dbt sets it.
            return Path(cwd) / item.split(b"=", 1)[1].decode() / "dbt.log"
    return None


def _kill_during_model_build(pipeline: subprocess.Popen) -> None:
    """Dagster runs one `dbt build` (source tests and every model). Kill the whole process group 3 s after
    dbt starts its first table model, while tables are being replaced: the worst moment."""
    log: Path | None = None
    deadline = time.monotonic() + 600
    while pipeline.poll() is None and time.monotonic() < deadline:
        if log is None:
            log = next(filter(None, map(_dbt_log, _dbt_builds_in_session(pipeline.pid))), None)
        elif log.exists() and "table model" in log.read_text(errors="replace"):
            break
        time.sleep(0.1)
    time.sleep(3)
    assert pipeline.poll() is None, "the run ended before it could be killed"
    os.killpg(pipeline.pid, signal.SIGKILL)
    pipeline.wait()


@pytest.fixture(scope="module")
def killed_and_rerun(built_lake: BuiltLake, tmp_path_factory) -> dict:
    """A clone of the session lake rebuilt from scratch (`run --full-refresh`), killed with SIGKILL in the
    middle of `dbt build`, then re-run (`run`), while four dashboard sessions (threads running the dashboard's
    own warehouse code) and an analyst process (plain read-only DuckDB connections) query its serving copy."""
    home = clone_lake(built_lake, tmp_path_factory.mktemp("resilience_lake"))
    stop, stop_file = threading.Event(), home / "stop_readers"
    errors: list[str] = []
    counts: dict[int, int] = {}
    run_ids: set[str] = set()
    with lake_env(home) as settings:
        analyst = subprocess.Popen(
            [sys.executable, "-c", ANALYST_SCRIPT, str(settings.serving_db), str(stop_file), str(READER_PAUSE)],
            stdout=subprocess.PIPE,
            text=True,
        )
        readers = [threading.Thread(target=_reader, args=(errors, counts, run_ids, stop)) for _ in range(4)]
        for reader in readers:
            reader.start()
        killed = _pipeline_process(home, "--full-refresh")
        _kill_during_model_build(killed)
        build_db_after_kill = settings.build_db.exists()
        serving_after_kill = publication_run_id(settings.serving_db)
        rerun = _pipeline_process(home)
        rerun.wait(timeout=900)
        time.sleep(1)  # the readers run on the new copy too
        stop.set()
        stop_file.touch()
        for reader in readers:
            reader.join(timeout=60)
        analyst_result = json.loads(analyst.communicate(timeout=60)[0])
        with duckdb.connect(str(settings.build_db), read_only=True) as con:
            ledger = con.execute("SELECT count(*), count(DISTINCT (entity, source_file)) FROM meta.ingestion_ledger")
            files, distinct_files = ledger.fetchone()
    return {
        "home": home,
        "settings": settings,
        "killed_returncode": killed.returncode,
        "build_db_after_kill": build_db_after_kill,
        "serving_after_kill": serving_after_kill,
        "rerun_returncode": rerun.returncode,
        "files": files,
        "distinct_files": distinct_files,
        "errors": errors,
        "counts": counts,
        "run_ids": run_ids,
        "analyst": analyst_result,
    }


def test_a_run_killed_during_dbt_build_then_rerun_equals_a_clean_run(built_lake: BuiltLake, killed_and_rerun):
    result = killed_and_rerun
    assert result["killed_returncode"] == -signal.SIGKILL
    assert result["build_db_after_kill"], "the killed run had started writing"
    before = publication_run_id(built_lake.settings.serving_db)
    assert result["serving_after_kill"] == before, "the last published copy keeps serving after a killed run"
    assert result["rerun_returncode"] == 0, (result["home"] / "pipeline.log").read_text()[-3000:]
    compared = assert_same_marts(result["settings"].serving_db, built_lake.settings.serving_db)
    assert compared > 30
    assert result["files"] == result["distinct_files"], "a file was recorded twice"


def test_readers_get_answers_without_errors_while_runs_rebuild_and_republish(built_lake: BuiltLake, killed_and_rerun):
    result = killed_and_rerun
    assert result["errors"] == []
    assert result["analyst"]["errors"] == []
    assert result["analyst"]["ok"] > 20
    assert len(result["counts"]) == 4 and min(result["counts"].values()) > 10, result["counts"]
    before = publication_run_id(built_lake.settings.serving_db)
    assert before in result["run_ids"] and len(result["run_ids"]) == 2, "the readers saw the old copy, then the new one"


def test_run_history_is_written_without_waiting_for_the_disk_and_nothing_else_is(tmp_path, monkeypatch):
    """The lake's Dagster instance, opened by a run, writes its SQLite files with synchronous=OFF (D473); another
    SQLite file of the same process keeps SQLite's default (FULL, 2)."""
    import sqlalchemy as sa

    from dagster_project.run_history import open_instance

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    with lake_env(tmp_path / "lake") as settings:
        instance = open_instance(settings)
        with instance.run_storage.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 0
        with instance.event_log_storage.index_connection() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 0
        assert instance.get_runs() == []  # the history still reads
    other = sa.create_engine(f"sqlite:///{tmp_path / 'other.db'}")
    with other.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    other.dispose()


def test_a_damaged_run_history_is_reported_in_words_and_says_what_to_do(tmp_path, monkeypatch, capsys):
    """Without fsync a machine crash can damage the run history (D473): the next command says so and how to recover,
    instead of a traceback; with the folder moved aside the history starts again."""
    from dagster_project.cli import console_main
    from dagster_project.run_history import RunHistoryDamaged, open_instance

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    with lake_env(tmp_path / "lake") as settings:
        open_instance(settings)
        runs_db = next((tmp_path / "lake").rglob("runs.db"))
        with runs_db.open("r+b") as f:
            f.seek(100)
            f.write(b"\x07" * 800)
        with pytest.raises(RunHistoryDamaged, match="is damaged .* move that folder aside and run again"):
            open_instance(settings)
        monkeypatch.setattr(sys, "argv", ["empathy-lake", "runs"])
        monkeypatch.setattr(os, "_exit", lambda code: (_ for _ in ()).throw(SystemExit(code)))
        with pytest.raises(SystemExit) as exited:
            console_main()
        assert exited.value.code == 1
        assert "the run history in" in capsys.readouterr().err
        runs_db.parent.parent.rename(tmp_path / "aside")
        assert open_instance(settings).get_runs() == []
