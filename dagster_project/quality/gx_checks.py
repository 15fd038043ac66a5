"""One blocking Dagster asset check per GX suite.

Blocking: a failed check (severity ERROR) raises in its step, and Dagster wires every asset that depends on
the checked asset to wait for the check and to be skipped when it fails (dagster 1.13,
_core/definitions/assets/job/asset_job.py `build_node_deps` + _core/execution/plan/execute_step.py). So a
failing mart check stops the serving copy from being published in the same run.
"""

# No `from __future__ import annotations`: Dagster inspects the check's `context` annotation at definition
# time and rejects it as a string.
from collections.abc import Callable
from os import PathLike
from pathlib import Path

import dagster as dg

from dagster_project.quality.gx_suites import SuiteSpec, load_suites
from dagster_project.quality.gx_validation import record_results, validate
from dagster_project.settings import EXPECTATIONS_DIR, get_settings

DbPathFn = Callable[[], str | PathLike[str]]


def build_gx_asset_check(spec: SuiteSpec, db_path_fn: DbPathFn) -> dg.AssetChecksDefinition:
    """A factory, so each check closes over its own spec (a loop variable would bind the last one)."""

    @dg.asset_check(
        asset=dg.AssetKey(list(spec.asset_key)),
        name=f"gx_{spec.name}",
        blocking=True,
        description=f"Great Expectations suite {spec.name} ({spec.expectation_count} expectations) on "
        f"{spec.table}; an expectation that errors counts as failed. Results: meta.check_results.",
    )
    def _check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        # Read-write: the pipeline process is the only writer at this point and the results go in too.
        con = get_settings().connect(Path(db_path_fn()))
        try:
            outcome = validate(con, spec)
            record_results(con, context.run.run_id, spec, outcome)
        finally:
            con.close()
        if not outcome.success:
            context.log.error(f"{spec.name} on {spec.table}:\n{outcome.failing_text()}")
        return dg.AssetCheckResult(
            passed=outcome.success,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={
                "table": spec.table,
                "evaluated": outcome.evaluated,
                "failed": outcome.failed,
                "errored": outcome.errored,
                "failing_expectations": outcome.failing_text(),
            },
        )

    return _check


def build_gx_asset_checks(
    db_path_fn: DbPathFn, expectations_dir: Path = EXPECTATIONS_DIR
) -> list[dg.AssetChecksDefinition]:
    return [build_gx_asset_check(spec, db_path_fn) for spec in load_suites(expectations_dir)]
