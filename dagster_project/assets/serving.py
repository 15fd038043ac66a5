"""The published serving copy: the last step, reached only when every upstream step and blocking check passed."""

import dagster as dg

from dagster_project.assets.alerts import ALERT_LOG_KEY
from dagster_project.assets.dbt import dbt_models
from dagster_project.assets.raw import raw_assets
from dagster_project.contract import load_contract
from dagster_project.publishing import publish
from dagster_project.resources import LakeResource
from dagster_project.run_checks import check_events_in_instance, record_run_checks
from dagster_project.source_status import record_source_status

MART_KEYS = [key for key in dbt_models.keys if key.path[0] == "marts"]


@dg.asset(
    key=dg.AssetKey(["serving", "warehouse"]),
    deps=[*MART_KEYS, ALERT_LOG_KEY, *(a.key for a in raw_assets)],
    group_name="serving",
    kinds={"duckdb"},
    description="Read-only copy of the marts and run metadata (alert log included) that the dashboard and "
    "analysts open.",
)
def serving_warehouse(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    settings = lake.settings()
    # Every check of this run has been evaluated by now (the blocking ones gate this step; dbt's run in its
    # build): the Data quality page counts what the CLI prints (meta.run_checks, dagster_project/run_checks.py).
    with lake.connect() as con:
        record_run_checks(con, context.run.run_id, check_events_in_instance(context.instance, context.run.run_id))
        # Which sources this publication holds, for the pages' "not loaded yet" messages (source_status.py).
        record_source_status(con, load_contract())
    publication = publish(settings.build_db, settings.serving_db, context.run.run_id)
    context.log.info(f"published {publication.tables} tables ({publication.total_rows} rows) to {publication.path}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(publication.path)),
            "tables": publication.tables,
            "total_rows": publication.total_rows,
        }
    )
