"""Effect estimates of every initiative × KPI, computed once (docs/impact.md, D81-D88).

One long table: row_kind 'effect' rows are marts.initiative_effects, row_kind 'event' rows are
marts.initiative_event_study; both marts select from here, so the estimation runs once per build. The
statistics live in dagster_project/impact/ (estimators.py, evaluate.py); on the spark engine they run per unit
type × KPI on Spark's executors (dagster_project/spark/estimates.py).
"""

import pandas as pd

from dagster_project.engine_frames import table
from dagster_project.impact.evaluate import evaluate_relations


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt-duckdb finds the config keys a Python model uses by parsing `dbt.config.get("...")` calls that stand
    # alone; nested inside another call the key is missed, config.get returns None and the setting is lost.
    exclude = dbt.config.get("impact_exclude_other_treated")
    min_n = dbt.config.get("impact_min_n")
    effects, events = evaluate_relations(
        session,
        dbt.ref("int_impact_panel"),
        dbt.ref("int_initiative_units"),
        dbt.ref("impact_kpis"),
        dbt.ref("int_impact_cells"),
        exclude_other_treated=str(exclude).lower() == "true",
        min_n=float(min_n),
    )
    events = events.rename(columns={"estimate": "event_estimate", "ci_low": "event_ci_low"})
    events = events.rename(columns={"ci_high": "event_ci_high", "n_obs": "event_n_obs"})
    return table(
        session, pd.concat([effects.assign(row_kind="effect"), events.assign(row_kind="event")], ignore_index=True)
    )
