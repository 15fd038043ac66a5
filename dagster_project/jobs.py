"""The main job: load -> dbt build -> checks -> publish, everything in one run."""

import dagster as dg

empathy_lake_job = dg.define_asset_job(
    "empathy_lake",
    selection=dg.AssetSelection.all(),
    # One process: DuckDB allows a single writer per file, so steps must not write concurrently.
    executor_def=dg.in_process_executor,
    description="Load landing files, build the dbt marts under dbt and GX checks, publish the serving copy.",
)
