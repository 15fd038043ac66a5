"""What an initiative changed: effect estimators on unit × month panels (docs/impact.md, decisions D81-D88).

Pure functions, pandas in and out; no dbt, DuckDB or Dagster import. The dbt Python model
int_initiative_estimates calls `evaluate.evaluate`, which calls `estimate` once per initiative × unit type × KPI;
marts.initiative_effects and marts.initiative_event_study select from it.
"""

from dagster_project.impact.estimators import (
    EFFECT_COLUMNS,
    EVENT_COLUMNS,
    FEW_CLUSTERS,
    WEBB_CLUSTERS,
    estimate,
)

__all__ = ["EFFECT_COLUMNS", "EVENT_COLUMNS", "FEW_CLUSTERS", "WEBB_CLUSTERS", "estimate"]
