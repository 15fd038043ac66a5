"""dbt models as Dagster assets and dbt tests as asset checks (dagster-dbt)."""

import json
import os
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from dagster_project.resources import LakeDbtCliResource, LakeResource, dbt_project
from dagster_project.settings import (
    DBT_PROCESS_ENV,
    DBT_PROJECT_DIR,
    SPARK_DBT_EXECUTABLE,
    as_of_date_vars,
    export_env,
)

# The text scoring asset (dagster_project/assets/text.py) and the dbt source `text.text_scores`.
TEXT_SCORES_KEY = dg.AssetKey(["text", "text_scores"])


class EmpathyLakeTranslator(DagsterDbtTranslator):
    """Sources keep [source, table] (the loaders' keys); models are keyed [layer, model]."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else dbt_resource_props["resource_type"]
        return dg.AssetKey([layer, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else None

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        """Every seed and model also waits for text scoring. Only the text marts need it, but an external
        asset in the middle of the dbt graph makes Dagster split `dbt build` into one invocation per side,
        each paying dbt's start-up (about 15 s)."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        node = manifest["nodes"].get(unique_id, {})
        if node.get("resource_type") in {"model", "seed"} and TEXT_SCORES_KEY not in {d.asset_key for d in spec.deps}:
            return spec.merge_attributes(deps=[TEXT_SCORES_KEY])
        return spec

    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project
    ) -> dg.AssetCheckSpec | None:
        """The source tests (checks on the loaders' tables) wait for text scoring too, so the whole dbt
        graph is one Dagster step and one `dbt build` (docs/decisions.md D73): dbt runs each source's tests
        before the models that read it and skips those models when one fails, so a bad load is still never
        built or published. Text scoring reads the loaded tables unchecked by dbt, as the loaders' own
        contract checks and quarantine come first; at worst it caches scores of rows the build rejects."""
        if _tests_a_side_table(manifest, unique_id, self):
            return None
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.asset_key == TEXT_SCORES_KEY:
            return spec
        if TEXT_SCORES_KEY in {dep.asset_key for dep in spec.additional_deps}:
            return spec
        # Not blocking in Dagster's sense (that would make text scoring wait for them: a cycle); dbt blocks.
        return spec._replace(additional_deps=[*spec.additional_deps, dg.AssetDep(TEXT_SCORES_KEY)], blocking=False)


def _tests_a_side_table(manifest: Mapping[str, Any], unique_id: str, translator: DagsterDbtTranslator) -> bool:
    """Whether a test is on a source table that another asset writes beside its own (text.text_redactions and
    text.pseudonym_salt beside text_scores: `meta.dagster.asset_key` names that asset, not the table).

    No job defines such a table's key, so Dagster would drop a check on it from the job; the job's dbt asset is
    then a subset, and dagster-dbt names every selected node in `--select` instead of `fqn:*` (0.5 s of dbt's
    CPU per build, docs/performance.md "The dbt step (s14)", D501). Not a check, the test still runs in the
    same `dbt build` (its selection is every node), still fails the build and skips the models that read the
    table, and still appears in the run's count of dbt data tests, as before."""
    # dbt leaves `attached_node` empty for a source's tests; the source is their one dependency.
    upstream = manifest["nodes"].get(unique_id, {}).get("depends_on", {}).get("nodes", [])
    sources = [manifest.get("sources", {}).get(node) for node in upstream]
    if len(sources) != 1 or sources[0] is None:
        return False
    source = sources[0]
    named = ((source.get("meta") or {}).get("dagster") or {}).get("asset_key")
    return bool(named) and dg.AssetKey(named) != translator.get_asset_key(source)


translator = EmpathyLakeTranslator(settings=DagsterDbtTranslatorSettings(enable_source_tests_as_checks=True))


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=translator)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, lake: LakeResource):
    """`dbt build`: models, then their tests; a failing test stops dependants and fails the step, so a
    bad mart is never published.

    Unit tests are left out: their inputs are fixed rows, so they test the SQL, not the day's data, and dbt
    recommends running them in development and CI only. `make test` runs every one of them
    (tests/test_dbt_unit_tests.py); a pipeline run saves their ~50 nodes."""
    # dbt's profile reads the warehouse path and the engine (its target) from the environment of its subprocess.
    settings = lake.settings()
    os.environ.update({**export_env(settings), **DBT_PROCESS_ENV})
    # Dates set by the environment (EMPATHY_LAKE_AS_OF_DATE[_<DOMAIN>]) reach dbt as vars; none set: none passed.
    dates = as_of_date_vars()
    extra = ["--vars", json.dumps(dates)] if dates else []
    if settings.engine == "spark":
        yield from _build_on_spark(context, dbt, lake, extra)
        return
    yield from _every_model_reported(context, dbt, extra)


def _every_model_reported(context: dg.AssetExecutionContext, dbt: DbtCliResource, extra: list[str]):
    """`dbt build`'s events, and a failed step naming any selected model or seed dbt reported no result for.

    dagster-dbt learns what dbt built from dbt's structured log lines; one it cannot read (on Spark, a progress bar
    once landed inside one) leaves a model unreported: Dagster then skips everything downstream and publishes
    nothing while the run "succeeds". Never silently, on either engine."""
    reported = set()
    for event in dbt.cli(["build", "--exclude-resource-type", "unit_test", *extra], context=context).stream():
        if isinstance(event, dg.Output):
            reported.add(event.output_name)
        yield event
    built = {name for name, key in context.assets_def.keys_by_output_name.items() if key in context.selected_asset_keys}
    if missing := sorted(built - reported):
        raise dg.Failure(f"dbt reported no result for {len(missing)} models: {', '.join(missing[:10])}")


def _build_on_spark(context: dg.AssetExecutionContext, dbt: DbtCliResource, lake: LakeResource, extra: list[str]):
    """The same `dbt build` on the spark target (docs/spark.md): the loaded raw tables are handed to Spark as
    Parquet first, dbt runs through empathy-lake-dbt (dbt with Python models in its Spark session), and the marts
    Spark built are copied back into the build warehouse for the checks, the alerts and publishing."""
    from dagster_project.spark.marts_import import built_relations, import_marts
    from dagster_project.spark.raw_export import drop_catalog_made_elsewhere, export_raw_tables, source_tables

    settings = lake.settings()
    if dropped := drop_catalog_made_elsewhere(settings):
        context.log.info(dropped)
    with lake.connect() as con:
        exported = export_raw_tables(con, settings, source_tables(dbt_project.manifest_path))
    context.log.info(f"handed {len(exported)} raw tables to Spark ({sum(t.rows for t in exported):,} rows)")
    spark_dbt = LakeDbtCliResource(
        project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=SPARK_DBT_EXECUTABLE
    )
    yield from _every_model_reported(context, spark_dbt, extra)
    with lake.connect() as con:
        rows = import_marts(con, settings, built_relations(dbt_project.manifest_path))
    context.log.info(f"copied the marts Spark built into the build warehouse ({rows:,} rows)")
