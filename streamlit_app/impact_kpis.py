"""Wording of the Impact & ROI page, without Streamlit (tested directly): what each impact KPI is called and in
which unit its change is counted, and the plain-language verdict of one effect estimate.

The KPI names of marts.initiative_effects are the marts' column names (`csat_pct`, `churn_rate`, ...) or, for a
business's own outcome, its metric name. Their labels and units are not restated here: each built-in KPI points
at the dashboard's existing definition (customer_kpis, brand_kpis, employee_kpis), so a label changes in one
place. Only KPIs the other pages do not show get a definition here. A metric of the business's own is written
from its name ("complaints_per_agent" → "Complaints per agent") and its change carries no unit.

The direction of "better" comes from the mart's `higher_is_better`, the one definition the estimates used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from streamlit_app import brand_kpis, customer_kpis, employee_kpis
from streamlit_app.customer_kpis import Kpi
from streamlit_app.formatting import NO_DATA

__all__ = ["MEASURES", "NO_DATA", "Measure", "count_words", "driver_label", "measure", "method_text", "number"]
__all__ += ["verdict"]

CHANGE_UNITS = {" pts": "points", " min": "minutes", " ★": "stars"}  # Kpi.delta_unit → the word of a change


@dataclass(frozen=True)
class Measure:
    label: str  # on a card: "CSAT %"
    name: str  # in a sentence: "CSAT"
    unit: str  # the unit of a change: "points", "minutes", "stars", or "" (a count or the business's own unit)
    decimals: int = 1


def _from_kpi(kpi: Kpi, name: str, unit: str | None = None) -> Measure:
    return Measure(kpi.label, name, CHANGE_UNITS.get(kpi.delta_unit, "") if unit is None else unit, kpi.decimals)


_DIMENSIONS = employee_kpis.DIMENSION_LABELS
MEASURES: dict[str, Measure] = {
    # customer-facing
    "csat_pct": _from_kpi(customer_kpis.CSAT, "CSAT"),
    "nps": _from_kpi(customer_kpis.NPS, "NPS"),
    "ces_mean": _from_kpi(customer_kpis.CES_MEAN, "the customer effort score", unit="points"),
    "churn_rate": _from_kpi(customer_kpis.CHURN, "churn"),
    "repeat_purchase_rate": _from_kpi(customer_kpis.REPEAT, "repeat purchase"),
    "fcr_pct": _from_kpi(customer_kpis.FCR, "first contact resolution"),
    "reopen_rate": Measure("Reopened tickets %", "the share of reopened tickets", "points"),
    # Per handled ticket (the effects' panel), not AHT's per contact: its own label, in AHT's unit.
    "handle_time_minutes": Measure("Handle time per ticket", "handle time per ticket", "minutes"),
    "review_rating": _from_kpi(brand_kpis.RATING, "the mean review rating"),
    # Reviews only (the brand card also counts social mentions): its own label, on the brand sentiment scale.
    "review_sentiment": Measure("Review sentiment", "review sentiment", "points"),
    # employee-facing
    "enps": Measure("eNPS", "eNPS", "points"),
    "engagement": Measure(_DIMENSIONS["engagement"], "engagement", "points", 2),
    "manager_empathy_index": Measure(_DIMENSIONS["manager_empathy"], "the manager-empathy index", "points", 2),
    "voluntary_turnover_pct": Measure("Voluntary turnover %", "voluntary turnover", "points"),
    "absence_rate_pct": Measure("Absence rate %", "absence", "points"),
}

UNIT_WORDS = {  # unit_type → (one, several)
    "location": ("location", "locations"),
    "team": ("team", "teams"),
    "agent": ("agent", "agents"),
    "custom": ("unit", "units"),
}
METHOD_LABELS = {
    "before_after": "Before and after",
    "did": "Difference-in-differences",
    "staggered": "Staggered roll-out (Callaway & Sant'Anna)",
    "regression": "Regression with controls",
}
INFERENCE_LABELS = {
    "cluster_robust": "standard errors clustered by unit",
    "wild_cluster_bootstrap": "wild cluster bootstrap (few units)",
    "analytic": "analytic standard errors",
    "bootstrap": "bootstrap",
}
_NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def measure(kpi: str) -> Measure:
    """The KPI's label and unit; a survey dimension (the service-profit chain's employee measures) by the Employee
    empathy page's label; a business's own metric is written from its name, without a unit."""
    if kpi in MEASURES:
        return MEASURES[kpi]
    if kpi in _DIMENSIONS:
        return Measure(_DIMENSIONS[kpi], _DIMENSIONS[kpi].lower(), "points", 2)
    words = str(kpi).replace("_", " ").strip()
    return Measure(words[:1].upper() + words[1:], words, "")


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def count_words(count: Any, unit_type: str) -> str:
    """ "three locations", "one team", "25 agents" (numbers up to ten in words)."""
    one, several = UNIT_WORDS.get(str(unit_type), UNIT_WORDS["custom"])
    n = 0 if _missing(count) else int(count)
    number = _NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else f"{n:,}"
    return f"{number} {one if n == 1 else several}"


def _capital(text: str) -> str:
    """The first letter as a sentence starts, except a name written with a small first letter ("eNPS")."""
    if text[1:2].isupper():
        return text
    return text[:1].upper() + text[1:]


def number(value: Any, decimals: int = 1, signed: bool = False) -> str:
    """A figure as the page writes it: "9.8", "−4.1" (a true minus sign); "—" when there is none."""
    if _missing(value):
        return NO_DATA
    text = f"{float(value):{'+' if signed else ''},.{decimals}f}"
    return text.replace("-", "−")


def _unit_suffix(m: Measure) -> str:
    return f" {m.unit}" if m.unit else ""


def _with_unit(text: str, unit: str) -> str:
    return f"{text} {unit}" if unit else text


def ci_text(effect: Mapping[str, Any], m: Measure) -> str:
    """ "95 % CI 4.1 to 15.5"."""
    return f"95 % CI {number(effect.get('ci_low'), m.decimals)} to {number(effect.get('ci_high'), m.decimals)}"


def verdict(effect: Mapping[str, Any]) -> str:
    """One effect estimate (a row of marts.initiative_effects) in plain words.

    - no estimate or no interval: not enough data, nothing claimed;
    - pre-period trends differ: say so, and claim nothing about the effect;
    - the 95 % CI spans zero: "no clear change";
    - otherwise the direction (rose / fell), the size in the KPI's unit, where, against what, the interval, and
      whether that is an improvement (from `higher_is_better`).
    A before/after estimate has no comparison group, so it compares with before the start, not with elsewhere."""
    m = measure(effect.get("kpi", ""))
    where = f"the {count_words(effect.get('treated_units'), effect.get('unit_type', 'custom'))} where it ran"
    estimate, low, high = effect.get("estimate"), effect.get("ci_low"), effect.get("ci_high")
    if _missing(estimate) or _missing(low) or _missing(high):
        note = effect.get("note")
        # The mart's plain reason, without any technical detail it carries in brackets.
        reason = f" {str(note).split(' (')[0].rstrip('.')}." if isinstance(note, str) and note.strip() else ""
        return f"Not enough data to estimate a change in {m.name} at {where}.{reason}"
    if pretrend_differs(effect.get("pretrend_differs")):
        return (
            f"No effect is claimed: before the start, {m.name} at {where} was already moving differently from "
            "the comparison group, so the trends already differed and this estimate cannot separate the "
            "initiative from that earlier difference."
        )
    before_after = effect.get("method") == "before_after"
    if float(low) <= 0 <= float(high):
        against = "compared with before the start" if before_after else "compared with elsewhere"
        return f"No clear change in {m.name} at {where} {against} ({ci_text(effect, m)}{_unit_suffix(m)})."
    rose = float(estimate) > 0
    size = _with_unit(number(abs(float(estimate)), m.decimals), m.unit)
    direction = effect.get("higher_is_better")
    if before_after:
        claim = f"{_capital(m.name)} {'rose' if rose else 'fell'} {size} at {where} after the start"
    else:
        claim = f"{_capital(m.name)} {'rose' if rose else 'fell'} {size} more at {where} than elsewhere"
    if _missing(direction):
        unjudged = "Whether a rise is good for this measure is not set, so it is not judged."
        return f"{claim} ({ci_text(effect, m)}). {unjudged}"
    better = rose == bool(direction)
    return f"{claim} ({ci_text(effect, m)}): {'an improvement' if better else 'a change for the worse'}."


def pretrend_differs(value) -> bool:
    """True only when the pre-trend test ran and rejected (a missing verdict, pandas NA or None, is not a rejection)."""
    return bool(pd.notna(value) and bool(value))


def locations_text(row: Mapping[str, Any]) -> str:
    """' from 4 locations; the range resamples whole locations' when the chain summary says how many, else ''."""
    n = row.get("n_locations")
    if n is None or pd.isna(n):
        return ""
    return f" from {int(n):,} locations; the range resamples whole locations"


def method_text(effect: Mapping[str, Any]) -> str:
    """How the estimate was made, in words: the method, the comparison group, the uncertainty."""
    unit_type = str(effect.get("unit_type", "custom"))
    one, several = UNIT_WORDS.get(unit_type, UNIT_WORDS["custom"])
    method = effect.get("method")
    controls = count_words(effect.get("control_units"), unit_type)
    if method == "staggered":
        if effect.get("control_group") == "not_yet_treated":
            against = (
                f"No {one} went without it, so {several} that had not started yet served as the comparison until "
                "they started."
            )
        else:
            against = f"The comparison is the {controls} that never had it."
        text = (
            f"Started at different times: each group of {several} is compared from its own start with {several} "
            f"not (yet) reached (Callaway & Sant'Anna), avoiding the bias of one regression over all start dates. "
            f"{against}"
        )
    elif method == "before_after":
        text = f"Before and after at the {several} where it ran, without a comparison group."
    elif method == "regression":
        text = f"A regression against the {controls} without it, allowing for differences in customer mix and month."
    else:
        text = f"Difference-in-differences: the change where it ran against the change at the {controls} without it."
    inference = INFERENCE_LABELS.get(str(effect.get("inference")), "")
    return f"{text} Uncertainty: {inference}." if inference else text


def driver_label(driver_type: str, driver: Any, questions: Mapping[str, str] | None = None) -> str:
    """A key driver as the page names it: survey dimensions and manager-empathy questions by the Employee empathy
    page's labels, other survey questions by their text (`questions`: question id → text, from the published item
    mart), teams by their name, anything else written from its name ("billing_issue" → "Billing issue")."""
    text = "" if _missing(driver) and not isinstance(driver, str) else str(driver)
    if driver_type == "survey_dimension" and text in employee_kpis.DIMENSION_LABELS:
        return employee_kpis.DIMENSION_LABELS[text]
    if driver_type == "survey_item" and text in employee_kpis.INDICATOR_LABELS:
        return employee_kpis.INDICATOR_LABELS[text]
    if driver_type == "survey_item" and questions and questions.get(text):
        return str(questions[text])
    if driver_type == "team":
        return text
    words = text.replace("_", " ").strip()
    return _capital(words) if words else "Unnamed"


METHOD_NOTE = """
- **Effects.** Each estimate compares the change at the units where an initiative ran (its locations, teams or
  agents) with the change at comparable units without it, over the same months (difference-in-differences, with
  unit and month fixed effects). Its uncertainty allows for repeated months of the same unit; with few units a
  wild cluster bootstrap is used, which stays honest when there are only a handful of stores.
- **Roll-outs one unit at a time** are estimated start by start (Callaway & Sant'Anna), so units that started
  earlier are never used as the comparison for those that started later. When every unit got it eventually, the
  units that had not started yet are the comparison until they start; the page says so.
- **Trends before the start.** Every estimate is checked against the months before the start. If the units were
  already moving differently, the page says so and claims no effect.
- **95 % CI.** The range the true effect very likely lies in; when it spans zero the page says "no clear change".
- **Savings and ROI** price the effects with the assumptions shown (margin, customer lifetime, cost of a leaver,
  cost of a support minute), each of which you can change; the range comes from the effect's CI.
- **Key drivers** rank what goes with a better or worse outcome; **the service-profit chain** is a correlation,
  not a cause.

The methods, formulas and assumptions are written up in the Empathy Lake guide to impact and ROI (the "Impact"
page of the project's documentation), including how to read each part of this page.
"""
