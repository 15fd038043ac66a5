"""Arithmetic of the Employee empathy page, without Streamlit (tested directly).

Ratios are recomputed from the marts' counts (sum the counts, divide last). A suppressed survey cell is
never turned into a number: it is shown as "suppressed" with its reason, distinct from "–" (no data).
"""

from __future__ import annotations

import pandas as pd

SUPPRESSED = "suppressed"
NO_DATA = "–"
HEATMAP_DIMENSIONS = ["engagement", "wellbeing", "manager_empathy", "presenteeism"]


def cell_text(suppressed: bool, reason: str | None, value: float | None, decimals: int = 1) -> str:
    """How one survey cell reads: the value, 'suppressed (reason)', or '–' when there is no value."""
    if suppressed:
        return f"{SUPPRESSED} ({reason})"
    if value is None or pd.isna(value):
        return NO_DATA
    return f"{value:.{decimals}f}"


def heatmap_table(dimensions: pd.DataFrame, wave: str, breakdown: str = "team") -> pd.DataFrame:
    """Group × dimension of one wave as text: % favourable, or the suppression with its reason."""
    rows = dimensions[(dimensions["wave"] == wave) & (dimensions["breakdown"] == breakdown)]
    rows = rows[rows["dimension"].isin(HEATMAP_DIMENSIONS)]
    if rows.empty:
        return pd.DataFrame()
    text = rows.assign(
        shown=[
            cell_text(bool(s), r, v)
            for s, r, v in zip(rows["suppressed"], rows["suppression_reason"], rows["favourable_pct"], strict=True)
        ]
    )
    table = text.pivot(index="group_value", columns="dimension", values="shown")
    ordered = [d for d in HEATMAP_DIMENSIONS if d in table.columns]
    return table[ordered].sort_index().fillna(NO_DATA)


def _ratio(numerator: pd.Series, denominator: pd.Series, scale: float = 100.0) -> pd.Series:
    """numerator / denominator × scale, NULL (NaN) where the denominator is 0: no denominator, no number."""
    return (scale * numerator / denominator.where(denominator > 0)).astype(float)


def turnover_trend(headcount: pd.DataFrame) -> pd.DataFrame:
    """Monthly turnover % = Σ separations / Σ average headcount, voluntary and involuntary apart."""
    if headcount.empty:
        return pd.DataFrame(columns=["month", "separations", "avg_headcount", "turnover_pct"])
    by_month = (
        headcount.groupby("month", as_index=False)[
            ["separations", "voluntary_separations", "involuntary_separations", "avg_headcount"]
        ]
        .sum()
        .sort_values("month")
    )
    by_month["turnover_pct"] = _ratio(by_month["separations"], by_month["avg_headcount"])
    by_month["voluntary_turnover_pct"] = _ratio(by_month["voluntary_separations"], by_month["avg_headcount"])
    by_month["involuntary_turnover_pct"] = _ratio(by_month["involuntary_separations"], by_month["avg_headcount"])
    return by_month.reset_index(drop=True)


def absence_trend(absence: pd.DataFrame) -> pd.DataFrame:
    """Monthly absence rate % (Σ absent / Σ employees) and lost-worktime % (Σ hours absent / Σ usual hours)."""
    if absence.empty:
        return pd.DataFrame(columns=["month", "absence_rate_pct", "lost_worktime_pct"])
    by_month = (
        absence.groupby("month", as_index=False)[["employees", "employees_absent", "absence_hours", "usual_hours"]]
        .sum()
        .sort_values("month")
    )
    by_month["absence_rate_pct"] = _ratio(by_month["employees_absent"], by_month["employees"])
    by_month["lost_worktime_pct"] = _ratio(by_month["absence_hours"], by_month["usual_hours"])
    return by_month.reset_index(drop=True)


def manager_table(indicators: pd.DataFrame, wave: str) -> pd.DataFrame:
    """Manager × indicator mean score (1-5) for one wave, suppressed cells shown as suppressed."""
    rows = indicators[(indicators["wave"] == wave) & (indicators["breakdown"] == "manager")]
    if rows.empty:
        return pd.DataFrame()
    text = rows.assign(
        shown=[
            cell_text(bool(s), r, v, decimals=2)
            for s, r, v in zip(rows["suppressed"], rows["suppression_reason"], rows["mean_score"], strict=True)
        ]
    )
    return text.pivot(index="group_value", columns="indicator", values="shown").sort_index().fillna(NO_DATA)
