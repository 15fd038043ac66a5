"""One quiet, in-memory GX context per process, with batch definitions that take any pandas or Spark frame.

Creating a context and importing GX are slow (import alone ~10 s), so both happen once, on first use.
Ephemeral: nothing is written to disk, so parallel runs and test sessions cannot collide over a gx/ folder.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from great_expectations.core.batch_definition import BatchDefinition

DATASOURCE_NAME = "empathy_lake_frames"
ASSET_NAME = "duckdb_frame"
SPARK_DATASOURCE_NAME = "empathy_lake_spark_frames"
SPARK_ASSET_NAME = "spark_frame"
BATCH_DEFINITION_NAME = "whole_frame"


@cache
def _context():
    # Must be set before GX reads its settings. GX 1.24 ships no analytics client any more, but an
    # upgrade that brings one back must not phone home from a pipeline run.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.enable_analytics(False)
    # tqdm bars would interleave with Dagster's logs for every metric GX computes.
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


@cache
def frame_batch_definition() -> BatchDefinition:
    """The batch definition every validation uses: `.get_batch(batch_parameters={"dataframe": df})`."""
    asset = _context().data_sources.add_pandas(DATASOURCE_NAME).add_dataframe_asset(ASSET_NAME)
    return asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION_NAME)


@cache
def spark_batch_definition() -> BatchDefinition:
    """The same for Spark DataFrames (GX's Spark data source): the marts' suites on the spark engine."""
    asset = _context().data_sources.add_spark(SPARK_DATASOURCE_NAME).add_dataframe_asset(SPARK_ASSET_NAME)
    return asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION_NAME)
