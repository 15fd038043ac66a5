"""The dbt step runs `dbt build --select fqn:*`, not a list of every node (docs/decisions.md D501).

dagster-dbt names every selected node in `--select` when the job runs a subset of the dbt asset's keys or
checks; a check on a table no job defines (a source another asset writes beside its own) is dropped from the
job and makes the step such a subset. No dbt process and no warehouse are needed: the manifest is enough.
"""

from __future__ import annotations

import json

from dagster_project.settings import DBT_PROJECT_DIR


def _dbt_step(job):
    steps = job.asset_layer.asset_graph.assets_defs
    return next(a for a in steps if a.is_executable and a.node_def.name == "dbt_models")


def test_the_job_runs_the_whole_dbt_asset_so_dbt_selects_fqn_star(dbt_manifest):
    from dagster_project.definitions import defs

    step = _dbt_step(defs.resolve_job_def("empathy_lake"))
    # Equal: dagster-dbt's get_subset_selection_for_context keeps the default `--select fqn:*`.
    assert step.keys_by_output_name == step.node_keys_by_output_name
    assert step.check_specs_by_output_name == step.node_check_specs_by_output_name


def test_only_tests_of_side_tables_are_left_out_of_the_checks(dbt_manifest):
    from dagster_project.assets.dbt import _tests_a_side_table, dbt_models, translator

    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    tests = [uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "test"]
    side = sorted(manifest["nodes"][uid]["name"] for uid in tests if _tests_a_side_table(manifest, uid, translator))
    # text.text_redactions is written by the text scoring asset beside text.text_scores; its tests still run in
    # the build (every node is selected), they are just not Dagster checks of a key no job defines.
    assert side and all("text_redactions" in name for name in side)
    checks = {spec.name for spec in dbt_models.check_specs}
    assert not checks & set(side)
    # The tests of text.text_scores itself (its own key) and of the loaders' tables stay checks.
    assert any("text_text_scores" in name for name in checks)
    assert len(checks) == len(tests) - len(side)


def test_a_failed_side_table_test_is_listed_as_failed_in_the_run_summary():
    """The side-table tests are observations (D501): a failed one must still be named in the run output."""
    import dagster as dg
    from dagster._core.events import AssetObservationData, DagsterEvent

    from dagster_project.cli import failed_observed_tests

    def observed(status: str) -> DagsterEvent:
        observation = dg.AssetObservation(
            asset_key=dg.AssetKey(["text", "text_redactions"]),
            metadata={"status": status, "unique_id": "test.empathy_lake.source_not_null_x.abc123"},
        )
        return DagsterEvent(
            event_type_value=dg.DagsterEventType.ASSET_OBSERVATION.value,
            job_name="empathy_lake",
            event_specific_data=AssetObservationData(observation),
        )

    assert failed_observed_tests([observed("pass")]) == []
    assert failed_observed_tests([observed("fail"), observed("error")]) == [
        "    FAILED text/text_redactions:source_not_null_x (dbt test, fail)",
        "    FAILED text/text_redactions:source_not_null_x (dbt test, error)",
    ]
