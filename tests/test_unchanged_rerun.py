"""`empathy-lake run` with nothing changed since the last publication keeps the published copy and starts no run
(dagster_project/run_inputs.py, docs/runs.md); any change to what a run reads makes it run."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from dagster_project.run_inputs import code_fingerprint, compare_with_publication, record_path
from tests.lake_helpers import BuiltLake, clone_lake, lake_env, publication_run_id


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


@pytest.fixture
def rerun_clone(rerun_lake: BuiltLake, tmp_path, monkeypatch):
    """A copy of the session's re-run lake (its last run was `empathy-lake run`, three-day-old customers' files)."""
    for name in [n for n in os.environ if n.startswith("EMPATHY_LAKE_ALERT_")]:
        monkeypatch.delenv(name)  # as when the re-run lake ran
    home = clone_lake(rerun_lake, tmp_path / "lake")
    with lake_env(home) as settings:
        monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster_home"))
        yield settings


def test_the_cli_rerun_of_touched_files_was_a_real_run_and_recorded_what_it_published(
    rerun_lake: BuiltLake, built_lake: BuiltLake
):
    """The re-run lake's customers' files were touched (tests/conftest.py): `empathy-lake run` ran and published."""
    assert rerun_lake.success
    assert publication_run_id(rerun_lake.settings.serving_db) != publication_run_id(built_lake.settings.serving_db)
    record = record_path(rerun_lake.settings).read_text(encoding="utf-8")
    assert publication_run_id(rerun_lake.settings.serving_db) in record
    assert rerun_lake.settings.pii_key not in record  # the key is compared by its hash only


def test_nothing_changed_keeps_the_published_copy_and_still_reports_a_stale_source(rerun_clone, capsys):
    import dagster as dg

    from dagster_project.cli import main

    serving = rerun_clone.serving_db
    before, published_by = _stamp(serving), publication_run_id(serving)
    instance = dg.DagsterInstance.from_config(os.environ["DAGSTER_HOME"])
    runs_before = len(instance.get_runs())
    started = time.monotonic()
    assert main(["run"]) == 0
    took = time.monotonic() - started
    out = capsys.readouterr().out
    assert f"nothing changed since run {published_by} published the serving copy" in out
    # The customers' files are three days old: reported although no run happened.
    assert "warning: stale: newest customers file is" in out
    assert _stamp(serving) == before and publication_run_id(serving) == published_by
    assert len(instance.get_runs()) == runs_before, "no Dagster run was started"
    print(f"skipped in {took:.1f} s")


def test_a_touched_or_new_landing_file_a_setting_or_the_serving_copy_makes_a_run(rerun_clone, monkeypatch):
    settings = rerun_clone
    assert compare_with_publication(settings).unchanged
    orders = sorted((settings.landing_dir / "orders").iterdir())[0]
    stat = orders.stat()

    os.utime(orders)  # touched: same bytes, new modification time
    assert compare_with_publication(settings).changed == ["the landing files"]
    os.utime(orders, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert compare_with_publication(settings).unchanged

    body = orders.read_bytes()  # same size, one digit changed, old modification time put back (rsync -a, cp -p)
    digit = next(i for i, b in enumerate(body) if body[i : i + 1].isdigit() and i > body.index(b"\n"))
    changed = body[:digit] + (b"1" if body[digit : digit + 1] != b"1" else b"2") + body[digit + 1 :]
    orders.write_bytes(changed)
    os.utime(orders, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert orders.stat().st_size == stat.st_size and orders.stat().st_mtime_ns == stat.st_mtime_ns
    assert compare_with_publication(settings).changed == ["the landing files"], "same stamp, other contents"
    orders.write_bytes(body)
    os.utime(orders, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert compare_with_publication(settings).unchanged

    extra = orders.with_name("orders_redelivered.csv")
    shutil.copy2(orders, extra)  # a new file, even with old contents and time
    assert compare_with_publication(settings).changed == ["the landing files"]
    extra.with_name("_ignored.csv").write_text("x\n")  # ignored by the loader: still new
    extra.unlink()
    assert compare_with_publication(settings).unchanged, "a file the loader ignores changes nothing"

    monkeypatch.setenv("EMPATHY_LAKE_ALERT_URLS", "https://example.invalid/hook")
    assert compare_with_publication(settings).changed == ["the settings"]
    monkeypatch.delenv("EMPATHY_LAKE_ALERT_URLS")
    monkeypatch.setenv("EMPATHY_LAKE_CURRENCY", "€")  # the dashboard's: changes nothing a run computes
    assert compare_with_publication(settings).unchanged
    monkeypatch.setenv("EMPATHY_LAKE_PII_KEY", "another-key")
    from dagster_project.settings import get_settings

    assert compare_with_publication(get_settings()).changed == ["the PII key"]
    monkeypatch.setenv("EMPATHY_LAKE_PII_KEY", settings.pii_key)
    assert compare_with_publication(settings).unchanged

    import duckdb

    with duckdb.connect(str(settings.build_db)) as con:  # a notification whose send failed is retried by a run
        con.execute(
            "UPDATE meta.alerts SET notification_status = 'failed' "
            "WHERE alert_key = (SELECT min(alert_key) FROM meta.alerts WHERE status = 'open')"
        )
    assert compare_with_publication(settings).changed == ["alert notifications waiting to be sent again"]
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute("UPDATE meta.alerts SET notification_status = 'dry_run' WHERE notification_status = 'failed'")
    assert compare_with_publication(settings).unchanged

    os.utime(settings.serving_db)  # replaced by another run (a sensor's, a schedule's)
    assert not compare_with_publication(settings).unchanged


def test_without_a_record_a_run_happens(rerun_clone):
    record_path(rerun_clone).unlink()
    comparison = compare_with_publication(rerun_clone)
    assert comparison.changed == ["no complete run recorded since the last change"]


def test_the_code_fingerprint_follows_code_and_ignores_dbt_output(tmp_path):
    from dagster_project.run_inputs import CODE_FILES, CODE_FOLDERS
    from dagster_project.settings import REPO_ROOT

    root = tmp_path / "repo"
    for folder in CODE_FOLDERS:
        ignore = shutil.ignore_patterns("target", "logs", "__pycache__", "*.duckdb*")
        shutil.copytree(REPO_ROOT / folder, root / folder, ignore=ignore)
    for name in CODE_FILES:
        shutil.copy2(REPO_ROOT / name, root / name)
    first = code_fingerprint(root)
    (root / "dbt_project" / "target").mkdir(exist_ok=True)
    (root / "dbt_project" / "target" / "run_results.json").write_text("{}")
    assert code_fingerprint(root) == first
    model = next((root / "dbt_project" / "models").rglob("*.sql"))
    model.write_text(model.read_text() + "\n-- edited\n")
    assert code_fingerprint(root) != first
