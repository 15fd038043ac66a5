"""One blocking Dagster asset check per GX suite, evaluated in one step per warehouse layer (D472).

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
import duckdb

from dagster_project.quality.gx_suites import SuiteSpec, load_suites
from dagster_project.quality.gx_validation import record_results, register_spark_tables, validate, validate_spark
from dagster_project.settings import EXPECTATIONS_DIR, get_settings

DbPathFn = Callable[[], str | PathLike[str]]


def _evaluate(context: dg.AssetCheckExecutionContext, con: duckdb.DuckDBPyConnection, spec: SuiteSpec, spark=None):
    """Validate one suite on `con` (or, given a Spark session, on Spark's copy of a mart), record its results and
    return its check result (named, so a step that evaluates several suites reports each on its own asset)."""
    outcome = validate(con, spec) if spark is None else validate_spark(spark, spec)
    record_results(con, context.run.run_id, spec, outcome)
    if not outcome.success:
        context.log.error(f"{spec.name} on {spec.table}:\n{outcome.failing_text()}")
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(list(spec.asset_key)),
        check_name=f"gx_{spec.name}",
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


def _check_spec(spec: SuiteSpec) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        name=f"gx_{spec.name}",
        asset=dg.AssetKey(list(spec.asset_key)),
        blocking=True,
        description=f"Great Expectations suite {spec.name} ({spec.expectation_count} expectations) on "
        f"{spec.table}; an expectation that errors counts as failed. Results: meta.check_results.",
    )


def build_gx_asset_check(spec: SuiteSpec, db_path_fn: DbPathFn) -> dg.AssetChecksDefinition:
    """One suite as a check of its own (a factory, so each check closes over its own spec)."""
    return build_gx_layer_check(f"gx_{spec.name}", [spec], db_path_fn)


def layer_of(spec: SuiteSpec) -> str:
    """The warehouse layer a suite checks, from its table's schema: `raw` (raw_crm, raw_hris, ...) or `marts`."""
    return spec.table.split(".")[0].split("_")[0]


def build_gx_layer_check(name: str, specs: list[SuiteSpec], db_path_fn: DbPathFn) -> dg.AssetChecksDefinition:
    """Several suites in one Dagster step (D472): one connection and one step's overhead for all of them, while each
    suite is still its own blocking check on its own asset (shown, counted and failing by asset). A failed suite
    fails the step after every suite of it has been evaluated and recorded, and Dagster then skips what depends on
    any asset the step checks."""

    @dg.multi_asset_check(
        specs=[_check_spec(spec) for spec in specs],
        name=name,
        can_subset=True,  # `run --stage` and the UI may select some suites only
        description=f"Great Expectations suites ({len(specs)}); results: meta.check_results.",
    )
    def _checks(context: dg.AssetCheckExecutionContext):
        selected = context.selected_asset_check_keys
        chosen = [s for s in specs if dg.AssetCheckKey(dg.AssetKey(list(s.asset_key)), f"gx_{s.name}") in selected]
        # Read-write: the pipeline process is the only writer at this point and the results go in too.
        settings = get_settings()
        spark = None
        if settings.engine == "spark" and chosen and all(layer_of(s) == "marts" for s in chosen):
            # The spark engine: the marts' suites validate Spark's own tables, as Spark DataFrames (docs/spark.md).
            from dagster_project.resources import dbt_project
            from dagster_project.spark.marts_import import built_relations, spark_table_folder
            from dagster_project.spark.session import spark_session

            spark = spark_session(settings)
            relations = built_relations(dbt_project.manifest_path)
            register_spark_tables(spark, {f"{s}.{t}": str(spark_table_folder(settings, s, t)) for s, t in relations})
        con = settings.connect(Path(db_path_fn()))
        try:
            results = [_evaluate(context, con, spec, spark) for spec in chosen]
        finally:
            con.close()
        yield from results

    return _checks


def build_gx_asset_checks(
    db_path_fn: DbPathFn, expectations_dir: Path = EXPECTATIONS_DIR
) -> list[dg.AssetChecksDefinition]:
    """One step per layer. The step's name starts with the layer and `__`, as an asset's step key does, so the run's
    output counts the marts' suites under "checks" and the raw tables' under "load" (run_output.stage_of)."""
    by_layer: dict[str, list[SuiteSpec]] = {}
    for spec in load_suites(expectations_dir):
        by_layer.setdefault(layer_of(spec), []).append(spec)
    return [build_gx_layer_check(f"{layer}__gx_suites", specs, db_path_fn) for layer, specs in by_layer.items()]
