"""Effect estimates of every initiative × KPI, computed once (docs/impact.md, D81-D88).

One long table: row_kind 'effect' rows are marts.initiative_effects, row_kind 'event' rows are
marts.initiative_event_study; both marts select from here, so the estimation runs once per build. The
statistics live in dagster_project/impact/ (estimators.py, evaluate.py).
"""

import pandas as pd

from dagster_project.impact.evaluate import evaluate


def model(dbt, session):
    dbt.config(materialized="table")
    effects, events = evaluate(
        dbt.ref("int_impact_panel").df(),
        dbt.ref("int_initiative_units").df(),
        dbt.ref("impact_kpis").df(),
        exclude_other_treated=str(dbt.config.get("impact_exclude_other_treated")).lower() == "true",
        min_n=float(dbt.config.get("impact_min_n")),
    )
    events = events.rename(columns={"estimate": "event_estimate", "ci_low": "event_ci_low"})
    events = events.rename(columns={"ci_high": "event_ci_high", "n_obs": "event_n_obs"})
    return pd.concat([effects.assign(row_kind="effect"), events.assign(row_kind="event")], ignore_index=True)
