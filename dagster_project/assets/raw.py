"""One loader asset per contract entity: landing files -> `raw_<source>.<entity>` in the build warehouse.

Asset keys are [source, entity], the keys dagster-dbt gives the dbt sources, so loaders and models form
one graph. Assets are generated from the contract: a new entity in the YAML is a new asset.
"""

import dagster as dg

from dagster_project.checks import conservation_result, freshness_result, loader_check_specs
from dagster_project.contract import Entity, load_contract
from dagster_project.loading.loader import load_entity
from dagster_project.resources import LakeResource
from dagster_project.source_status import never_loaded, source_words


def raw_asset_key(entity: Entity) -> dg.AssetKey:
    return dg.AssetKey([entity.source, entity.name])


def build_raw_asset(entity: Entity) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_asset_key(entity),
        # Conservation (blocking) and freshness (warning only) are evaluated here, on the loader's connection,
        # not in two steps of their own (checks.py, D471).
        check_specs=loader_check_specs(raw_asset_key(entity)),
        group_name=f"raw_{entity.source}",
        kinds={"duckdb", "csv"},
        # Rows are checked against the entities their rules reference (the question bank): load those first.
        deps=[raw_asset_key(load_contract().entity(ref.entity)) for ref in entity.references],
        description=f"{entity.description} Loaded from landing/{entity.name}/ and mapped exports.",
    )
    def _load(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
        settings = lake.settings()
        with lake.connect() as con:
            summary = load_entity(
                con, entity, settings.landing_dir, context.run.run_id, settings.pii_key, log=context.log.info
            )
            table_rows = con.execute(f"SELECT count(*) FROM {entity.raw_table}").fetchone()[0]
            not_loaded = never_loaded(con, entity.name)
            # Not evaluated when a file failed (the step fails below), as when they were steps of their own.
            checks = (
                []
                if summary.failures
                else [conservation_result(con, entity), freshness_result(con, settings.landing_dir, entity)]
            )
        metadata = {
            "rows_read": summary.rows_read,
            "rows_loaded": summary.rows_loaded,
            "rows_quarantined": summary.rows_quarantined,
            "rows_excluded": summary.rows_excluded,
            "rows_superseded": summary.rows_superseded,
            "files_loaded": sum(f.status == "loaded" for f in summary.files),
            "files_unchanged": sum(f.status == "skipped_unchanged" for f in summary.files),
            "dagster/row_count": table_rows,
        }
        unmatched = [f.message for f in summary.files if f.status in ("unmatched", "ignored")]
        if unmatched:
            # A mapping that found no file is a warning the run's summary prints (cli.print_run_summary).
            metadata["warnings"] = "\n".join(unmatched)
        if not_loaded:  # no file yet: a warning in the run's output (cli.print_run_summary), not a failure
            metadata["not_loaded"] = source_words(entity)
        if summary.failures:
            # The good files are in; failing the step keeps a half-fed warehouse from being published.
            raise dg.Failure(
                description="\n".join(f.message for f in summary.failures),
                metadata={**metadata, "files_failed": len(summary.failures)},
            )
        return dg.MaterializeResult(metadata=metadata, check_results=checks)

    return _load


raw_assets = [build_raw_asset(entity) for entity in load_contract().entities.values()]
