"""The employee marts the Employee empathy page reads, loaded whole (they are small aggregates).

Only the counts are loaded, never the marts' ratio columns: every ratio is recomputed from them
(employee_kpis.py). A mart this publication lacks, or one lacking a column the page needs, becomes a frame
with the right columns and no rows, and a message the page shows; the rest of the page keeps working.

The survey marts are read as published: one wave, one one-way breakdown (org, team, location, manager,
tenure band) per row. Nothing here combines breakdowns or waves: complementary suppression protects each
breakdown on its own, and a cross-tab would defeat it (docs/decisions.md D25).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from streamlit_app import warehouse
from streamlit_app.access import Scope
from streamlit_app.mart_loading import Loaded, load_marts

_SURVEY_KEYS = ("wave", "wave_month", "breakdown", "group_value", "suppressed", "suppression_reason")


@dataclass(frozen=True)
class Mart:
    table: str  # in schema marts
    label: str
    columns: tuple[str, ...]
    dates: tuple[str, ...] = ()  # read as Timestamps

    @property
    def qualified(self) -> str:
        return f"marts.{self.table}"


MARTS: dict[str, Mart] = {
    "dimensions": Mart(
        "employee_survey_dimension_wave",
        "survey dimensions",
        (*_SURVEY_KEYS, "dimension", "respondents", "answers", "score_sum", "favourable_answers"),
        dates=("wave_month",),
    ),
    "indicators": Mart(
        "employee_manager_empathy_wave",
        "manager empathy indicators",
        (*_SURVEY_KEYS, "question_id", "indicator", "respondents", "answers", "score_sum", "favourable_answers"),
        dates=("wave_month",),
    ),
    "enps": Mart(
        "employee_enps_wave",
        "eNPS",
        (*_SURVEY_KEYS, "responses", "promoters", "passives", "detractors"),
        dates=("wave_month",),
    ),
    "headcount": Mart(
        "employee_headcount_monthly",
        "headcount and turnover",
        ("month", "team", "manager_id", "headcount_start", "hires", "separations", "voluntary_separations")
        + ("involuntary_separations", "avg_headcount"),
        dates=("month",),
    ),
    "absence": Mart(
        "employee_absence_monthly",
        "absence",
        ("month", "employees", "employees_absent", "absence_hours", "usual_hours"),
        dates=("month",),
    ),
    "eap": Mart(
        "employee_eap_monthly",
        "EAP utilisation",
        ("month", "employees", "eap_users", "eap_uses"),
        dates=("month",),
    ),
}
MONTHLY = ("headcount", "absence", "eap")


def _no_rows(mart: Mart) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="datetime64[us]" if c in mart.dates else "object") for c in mart.columns})


def load(name: str, scope: Scope) -> pd.DataFrame:
    """One mart's rows `scope` may read: for a location or team manager, their own group's survey rows and
    their location's or team's workforce rows; no organisation row and no organisation-only mart (EAP)."""
    mart = MARTS[name]
    frame = warehouse.query_table(", ".join(mart.columns), mart.qualified, scope)
    for column in mart.dates:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def load_all(scope: Scope) -> Loaded:
    return load_marts(MARTS, lambda name: load(name, scope), _no_rows)


def survey_threshold() -> int | None:
    """The confidentiality threshold the survey marts were suppressed with (marts.employee_survey_settings,
    published with them), or None when the serving copy has none."""
    if not warehouse.table_exists("marts", "employee_survey_settings"):
        return None
    found = warehouse.query("SELECT max(min_respondents) AS n FROM marts.employee_survey_settings")["n"].dropna()
    return int(found.iloc[0]) if len(found) else None
