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
        ("month", "team", "employees", "employees_absent", "absence_hours", "usual_hours"),
        dates=("month",),
    ),
    "eap": Mart(
        "employee_eap_monthly",
        "EAP utilisation",
        ("month", "employees", "eap_users", "eap_uses"),
        dates=("month",),
    ),
    # Shown in their own sections (turnover cost, recognition, internal responsiveness). Turnover cost and
    # responsiveness have no location or team column: a scoped viewer reads no rows of them (scoped_table).
    "turnover_cost": Mart(
        "employee_turnover_cost_monthly",
        "turnover cost",
        ("month", "department", "job_level", "separations", "cost_per_separation", "turnover_cost")
        + ("priced_by_default",),
        dates=("month",),
    ),
    "recognition": Mart(
        "employee_recognition_monthly",
        "recognition",
        ("month", "team", "location", "employees", "recognised_employees", "recognitions", "peer_recognitions")
        + ("manager_recognitions", "award_recognitions", "untyped_recognitions"),
        dates=("month",),
    ),
    "responsiveness": Mart(
        "employee_internal_responsiveness_monthly",
        "internal responsiveness",
        ("month", "assignee_team", "category", "requests", "answered_requests", "hours_to_answer_sum")
        + ("median_hours_to_answer",),
        dates=("month",),
    ),
    "cost_assumptions": Mart(
        "employee_turnover_cost_assumptions",
        "turnover cost assumptions",
        ("job_level", "recruiting_cost", "onboarding_cost", "lost_productivity_cost", "note"),
    ),
}
MONTHLY = ("headcount", "absence", "eap")
# The marts with a team column, which the page's team filter narrows (EAP is organisation-only; turnover cost is
# by department and job level; internal responsiveness is by the team that answers requests).
BY_TEAM = ("headcount", "absence", "recognition")
# What each workforce source records, and the published count that is above 0 in a month it recorded some:
# the months before the first such month have no data (not a 0); read for the whole organisation, a date only.
RECORDED = {
    # An HR export that is a snapshot (the IBM HR data) lists only who was still there or left at the snapshot:
    # the months before its first leaver did not record leavers, so their turnover is no data, not 0 %.
    "headcount": ("leavers", "employee_headcount_monthly", "separations > 0"),
    "recognition": ("recognitions", "employee_recognition_monthly", "recognitions > 0"),
    "absence": ("absence records", "employee_absence_monthly", "employees_absent > 0"),
    "eap": (
        "Employee Assistance Programme records",
        "employee_eap_monthly",
        "eap_users > 0 OR suppression_reason IS NOT NULL",
    ),
}


def _no_rows(mart: Mart) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="datetime64[us]" if c in mart.dates else "object") for c in mart.columns})


def statement(name: str, scope: Scope) -> warehouse.Statement:
    """The query of one mart's rows `scope` may read: for a location or team manager, their own group's survey rows
    and their location's or team's workforce rows; no organisation row and no organisation-only mart (EAP)."""
    mart = MARTS[name]
    return warehouse.table_statement(", ".join(mart.columns), mart.qualified, scope)


def _with_dates(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    for column in MARTS[name].dates:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def teams(frames: dict[str, pd.DataFrame]) -> list[str]:
    """The teams the viewer's rows hold (a team manager: their own), for the page's team filter."""
    found = set().union(*(frames[name]["team"].dropna() for name in BY_TEAM))
    return sorted(found)


def for_teams(frames: dict[str, pd.DataFrame], chosen: list[str]) -> dict[str, pd.DataFrame]:
    """`frames` narrowed to the `chosen` teams (none chosen: every team): the workforce marts' rows of those teams
    and, in the survey marts, the team breakdown's rows of those teams (the other breakdowns stay whole)."""
    if not chosen:
        return frames
    narrowed = dict(frames)
    for name in BY_TEAM:
        narrowed[name] = frames[name][frames[name]["team"].isin(chosen)]
    for name in ("dimensions", "indicators", "enps"):
        frame = frames[name]
        narrowed[name] = frame[(frame["breakdown"] != "team") | frame["group_value"].isin(chosen)]
    return narrowed


def load_all(scope: Scope) -> Loaded:
    return load_marts(MARTS, lambda name: statement(name, scope), _no_rows, _with_dates)


def survey_threshold() -> int | None:
    """The confidentiality threshold the survey marts were suppressed with (marts.employee_survey_settings,
    published with them), or None when the serving copy has none."""
    if not warehouse.table_exists("marts", "employee_survey_settings"):
        return None
    found = warehouse.query("SELECT max(min_respondents) AS n FROM marts.employee_survey_settings")["n"].dropna()
    return int(found.iloc[0]) if len(found) else None


def recorded_since() -> dict[str, pd.Timestamp | None]:
    """Per source of RECORDED whose mart is published: the first month the whole organisation's source recorded
    anything, or None when it never did (no such data was loaded); every source's month in one round trip. Read
    unscoped on purpose: a date, no figure about anyone."""
    published = [name for name, (_, table, _) in RECORDED.items() if warehouse.table_exists("marts", table)]
    found = warehouse.query_all(
        [(f"SELECT min(month) AS month FROM marts.{RECORDED[n][1]} WHERE {RECORDED[n][2]}", []) for n in published]
    )
    months = {name: frame["month"].dropna() for name, frame in zip(published, found, strict=True)}
    return {name: pd.Timestamp(month.iloc[0]) if len(month) else None for name, month in months.items()}
