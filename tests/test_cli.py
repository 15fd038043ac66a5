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
