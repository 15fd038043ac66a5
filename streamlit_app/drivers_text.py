"""The "biggest lever" sentence for one outcome of marts.key_drivers, in plain words (no Streamlit; tested directly).

Employee outcomes: the top survey dimension (its Shapley share of R² with the 95 % CI and n) and, when a published
team sits clearly below the others on it, that team. Customer outcomes: the touchpoint, channel or comment theme
with the largest difference whose 95 % CI excludes zero; if none does, the sentence says nothing is clear yet.
"""

from __future__ import annotations

import pandas as pd

from streamlit_app import impact_kpis

EMPLOYEE_OUTCOMES = ("enps", "engagement")
# How a driver row reads, per outcome (NPS: per answer; churn: per customer, see dagster_project/impact/drivers.py).
KIND_WORDS = {
    "nps": {
        "touchpoint": "Answers about the {} touchpoint",
        "channel": "Answers from customers of the {} channel",
        "detractor_theme": "Answers whose comment is about {}",
    },
    "churn": {
        "touchpoint": "Customers who were unhappy at the {} touchpoint",
        "channel": "Customers from the {} channel",
        "detractor_theme": "Customers who commented about {}",
    },
}
VERBS = {"nps": "score {size:.1f} NPS points {way}", "churn": "have {size:.1f} percentage points {way} churn"}


def _n(value) -> str:
    return f"{int(value):,}"


def _clear(row) -> bool:
    return row.ci_low > 0 or row.ci_high < 0


# Below this share of explained differences (1 %), a survey theme is no lever worth naming.
NEGLIGIBLE_SHARE = 0.01


def biggest_lever(drivers: pd.DataFrame, outcome: str) -> str | None:
    """One or two sentences naming the biggest lever on `outcome`; None when key_drivers has no row for it."""
    rows = drivers[drivers["outcome"] == outcome] if drivers is not None and len(drivers) else pd.DataFrame()
    if rows.empty:
        return None
    name = impact_kpis.measure(outcome).name
    if outcome in EMPLOYEE_OUTCOMES:
        dims = rows[rows["driver_type"] == "survey_dimension"].sort_values("rank")
        if dims.empty:
            return None
        top = dims.iloc[0]
        if top.importance < NEGLIGIBLE_SHARE:
            # Shares that round to 0 % name no lever: say so instead of crowning the largest of nothing.
            return (
                f"None of the survey's themes explains a noticeable share of the differences in {name} between "
                f"people (the largest explains {top.importance:.1%}, {_n(top.n)} responses)."
            )
        label = impact_kpis.driver_label("survey_dimension", top.driver)
        text = (
            f"{label} is the biggest lever on {name}: it explains {top.importance:.0%} of the differences between "
            f"people (95 % CI {top.ci_low:.0%} to {top.ci_high:.0%}, {_n(top.n)} responses)."
        )
        if len(dims) > 1 and dims.iloc[1].ci_high >= top.ci_low:
            second = dims.iloc[1]
            text += (
                f" {impact_kpis.driver_label('survey_dimension', second.driver)} is about as strong "
                f"({second.importance:.0%}, 95 % CI {second.ci_low:.0%} to {second.ci_high:.0%}): the data cannot "
                "tell the two apart."
            )
        teams = rows[(rows["driver_type"] == "team")].sort_values("rank")
        if len(teams) and teams.iloc[0].importance < 0 and _clear(teams.iloc[0]):
            team = teams.iloc[0]
            text += (
                f" It is weakest in {team.driver}: {-team.importance:.2f} points below the other teams on a 1 to 5 "
                f"scale (95 % CI {-team.ci_high:.2f} to {-team.ci_low:.2f}, {_n(team.n)} responses)."
            )
        return text
    words = KIND_WORDS.get(outcome, KIND_WORDS["nps"])
    levers = rows[rows["driver_type"].isin(words)]
    clear = [r for r in levers.itertuples() if _clear(r)]
    if not clear:
        return (
            f"No touchpoint, channel or comment theme clearly moves {name} yet: every 95 % CI includes no difference."
        )
    top = max(clear, key=lambda r: abs(r.importance))
    what = words[top.driver_type].format(impact_kpis.driver_label(top.driver_type, top.driver).lower())
    verb = VERBS.get(outcome, VERBS["nps"]).format(
        size=abs(top.importance), way="higher" if top.importance > 0 else "lower"
    )
    low, high = sorted((abs(top.ci_low), abs(top.ci_high)))
    return (
        f"The biggest lever on {name}: {what} {verb} than the rest (95 % CI {low:.1f} to {high:.1f}, n = {_n(top.n)})."
    )
