"""The code location: `dagster dev -m dagster_project.definitions` shows the asset graph, the daily schedule
and the landing-folder sensor."""

import dagster as dg

from dagster_project.assets.alerts import alert_log
from dagster_project.assets.dbt import dbt_models
from dagster_project.assets.raw import raw_assets
from dagster_project.assets.serving import serving_warehouse
from dagster_project.assets.text import text_scores
from dagster_project.clv.job import customer_clv_job, customer_clv_model
from dagster_project.digest.job import weekly_digest_job
from dagster_project.jobs import empathy_lake_job
from dagster_project.quality.gx_checks import build_gx_asset_checks
from dagster_project.resources import build_resources
from dagster_project.schedules import customer_clv_weekly, empathy_lake_daily, empathy_lake_weekly_digest
from dagster_project.sensors import landing_files_sensor
from dagster_project.settings import get_settings

defs = dg.Definitions(
    assets=[*raw_assets, text_scores, dbt_models, alert_log, serving_warehouse, customer_clv_model],
    asset_checks=[
        *build_gx_asset_checks(lambda: get_settings().build_db),
    ],
    jobs=[empathy_lake_job, weekly_digest_job, customer_clv_job],
    schedules=[empathy_lake_daily, empathy_lake_weekly_digest, customer_clv_weekly],
    sensors=[landing_files_sensor],
    resources=build_resources(),
    executor=dg.in_process_executor,
)
