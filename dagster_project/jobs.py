"""The main job: load -> dbt build -> checks -> publish, everything in one run. Predictive CLTV is not in it: it has
its own weekly job (dagster_project/clv/job.py)."""

import dagster as dg

from dagster_project.clv.job import customer_clv_model

empathy_lake_job = dg.define_asset_job(
    "empathy_lake",
    selection=dg.AssetSelection.all() - dg.AssetSelection.assets(customer_clv_model),
    # One process: DuckDB allows a single writer per file, so steps must not write concurrently.
    executor_def=dg.in_process_executor,
    description="Load landing files, build the dbt marts under dbt and GX checks, publish the serving copy.",
)
