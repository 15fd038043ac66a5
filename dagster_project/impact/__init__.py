"""What an initiative changed: effect estimators on unit × month panels (docs/impact.md, decisions D81-D88).

Pure functions, pandas in and out; no dbt, DuckDB or Dagster import. The dbt Python models
marts/impact/initiative_effects.py and initiative_event_study.py call `estimate` once per initiative × KPI.
"""

from dagster_project.impact.estimators import (
    EFFECT_COLUMNS,
    EVENT_COLUMNS,
    FEW_CLUSTERS,
    WEBB_CLUSTERS,
    estimate,
)

__all__ = ["EFFECT_COLUMNS", "EVENT_COLUMNS", "FEW_CLUSTERS", "WEBB_CLUSTERS", "estimate"]
