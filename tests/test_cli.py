"""The CLI's run report: per-step seconds for `run --step-times` (what bench/pipeline.py reads)."""

from __future__ import annotations

import dagster as dg

from dagster_project.cli import step_durations


@dg.op
def _first() -> int:
    return 1


@dg.op
def _second(value: int) -> int:
    return value + 1


@dg.job
def _two_steps():
    _second(_first())


def test_step_durations_names_every_step_with_its_seconds():
    instance = dg.DagsterInstance.ephemeral()
    result = _two_steps.execute_in_process(instance=instance)
    durations = step_durations(instance, result.run_id)
    assert set(durations) == {"_first", "_second"}
    assert all(0 <= seconds < 60 for seconds in durations.values())


def test_the_manifest_is_reparsed_only_when_a_project_file_is_newer(tmp_path):
    import os

    from dagster_project.cli import _manifest_is_current

    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "m.sql"
    model.write_text("select 1")
    (tmp_path / "dbt_project.yml").write_text("name: x")
    assert not _manifest_is_current(tmp_path), "no manifest yet"
    manifest = tmp_path / "target" / "manifest.json"
    manifest.parent.mkdir()
    manifest.write_text("{}")
    os.utime(manifest, (2_000_000_000, 2_000_000_000))
    os.utime(model, (1_000_000_000, 1_000_000_000))
    os.utime(tmp_path / "dbt_project.yml", (1_000_000_000, 1_000_000_000))
    assert _manifest_is_current(tmp_path)
    os.utime(model, (2_000_000_000, 2_000_000_000))  # edited in the same second: parse again
    assert not _manifest_is_current(tmp_path)
