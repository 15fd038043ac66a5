"""Effect estimates of every initiative × KPI, computed once (docs/impact.md, D81-D88).

One long table: row_kind 'effect' rows are marts.initiative_effects, row_kind 'event' rows are
marts.initiative_event_study; both marts select from here, so the estimation runs once per build. The
statistics live in dagster_project/impact/ (estimators.py, evaluate.py).
"""

import pandas as pd

from dagster_project.impact.evaluate import evaluate


def model(dbt, session):
    dbt.config(materialized="table")
    # dbt-duckdb finds the config keys a Python model uses by parsing `dbt.config.get("...")` calls that stand
    # alone; nested inside another call the key is missed, config.get returns None and the setting is lost.
    exclude = dbt.config.get("impact_exclude_other_treated")
    min_n = dbt.config.get("impact_min_n")
    effects, events = evaluate(
        dbt.ref("int_impact_panel").df(),
        dbt.ref("int_initiative_units").df(),
        dbt.ref("impact_kpis").df(),
        exclude_other_treated=str(exclude).lower() == "true",
        min_n=float(min_n),
        cells=dbt.ref("int_impact_cells").df(),
    )
    events = events.rename(columns={"estimate": "event_estimate", "ci_low": "event_ci_low"})
    events = events.rename(columns={"ci_high": "event_ci_high", "n_obs": "event_n_obs"})
    return pd.concat([effects.assign(row_kind="effect"), events.assign(row_kind="event")], ignore_index=True)
