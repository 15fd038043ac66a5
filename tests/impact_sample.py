"""The impact marts for dashboard tests: their columns (the agreed interfaces, docs/impact.md) and a small set of
rows written by hand to hit every case the Impact & ROI page words differently.

Planted (the tests restate these, they do not read them from the page code):
- EMP-TRAIN-1 "Empathy training", 3 of 12 locations, difference-in-differences headlines:
  CSAT +9.8 points (95 % CI 4.1 to 15.5) — an improvement; churn −1.2 points (−2.0 to −0.4), lower is
  better — an improvement; NPS +2.0 (−3.0 to 7.0) — no clear change; handle time +1.5 min (0.5 to 2.5),
  lower is better — a change for the worse; review rating with trends that already differed before the start.
  Plus a before/after and a regression row for CSAT (not headline). Event study for CSAT and churn.
- EMP-ROLL-2 "Store-by-store coaching", staggered over 12 locations with no location left out: controls are the
  not-yet-treated. CSAT +4.0 (1.0 to 7.0).
- EMP-NULL-3 "Break-room refresh", 2 teams: eNPS +0.5 (−4.0 to 5.0) — no clear change.
Key drivers of engagement (manager empathy on top; the team Customer Support) and NPS (touchpoints); the
service-profit chain for manager empathy → NPS over 12 locations × 2 waves.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from streamlit_app import roi as roi_formula
from tests.impact_gx_cases import IMPACT_MART_COLUMNS as IMPACT_GX_COLUMNS
from tests.roi_gx_cases import ROI_MART_COLUMNS as ROI_GX_COLUMNS

# The impact marts' columns as dbt builds them: one definition each, in the GX cases of the engineer who owns the
# mart (tests/impact_gx_cases.py, tests/roi_gx_cases.py); key_drivers also carries importance_unit
# (dagster_project/impact/drivers.py).
PAGE_MART_COLUMNS: dict[str, dict[str, str]] = {
    **IMPACT_GX_COLUMNS,
    **ROI_GX_COLUMNS,
    "marts.key_drivers": {**ROI_GX_COLUMNS["marts.key_drivers"], "importance_unit": "VARCHAR"},
}  # fmt: skip

TRAINING, ROLLOUT, NULL_INITIATIVE = "EMP-TRAIN-1", "EMP-ROLL-2", "EMP-NULL-3"
NAMES = {TRAINING: "Empathy training", ROLLOUT: "Store-by-store coaching", NULL_INITIATIVE: "Break-room refresh"}
LOCATIONS = [f"Store {i:02d}" for i in range(1, 13)]


def _effect(initiative: str, kpi: str, method: str, estimate, low, high, **extra) -> dict:
    row = {
        "initiative_id": initiative,
        "initiative_name": NAMES[initiative],
        "unit_type": "location",
        "kpi": kpi,
        "method": method,
        "headline": method in ("did", "staggered"),
        "estimate": estimate,
        "std_error": None if estimate is None else (high - low) / 3.92,
        "ci_low": low,
        "ci_high": high,
        "p_value": 0.01,
        "inference": "wild_cluster_bootstrap",
        "treated_units": 3,
        "control_units": 9,
        "control_group": "never_treated",
        "pre_start": dt.date(2024, 1, 1),
        "pre_end": dt.date(2024, 12, 1),
        "post_start": dt.date(2025, 1, 1),
        "post_end": dt.date(2025, 6, 1),
        "n_obs": 216,
        "n_treated_obs": 54,
        "n_control_obs": 162,
        "pretrend_p_value": 0.62,
        "pretrend_differs": False,
        "higher_is_better": True,
    }
    row.update(extra)
    return row


def effects() -> pd.DataFrame:
    rows = [
        _effect(TRAINING, "csat_pct", "did", 9.8, 4.1, 15.5),
        _effect(TRAINING, "csat_pct", "before_after", 11.2, 6.0, 16.4, headline=False, control_units=0),
        _effect(TRAINING, "csat_pct", "regression", 9.1, 3.5, 14.7, headline=False),
        _effect(TRAINING, "churn_rate", "did", -1.2, -2.0, -0.4, higher_is_better=False),
        _effect(TRAINING, "nps", "did", 2.0, -3.0, 7.0, pretrend_p_value=0.41),
        _effect(TRAINING, "handle_time_minutes", "did", 1.5, 0.5, 2.5, higher_is_better=False),
        _effect(TRAINING, "review_rating", "did", 0.4, 0.2, 0.6, pretrend_p_value=0.003, pretrend_differs=True),
        _effect(
            ROLLOUT, "csat_pct", "staggered", 4.0, 1.0, 7.0, treated_units=12, control_units=0,
            control_group="not_yet_treated", inference="bootstrap", n_obs=432,
            pretrend_p_value=None, pretrend_differs=None,  # every unit starts at some point: no pre-trend test ran
        ),
        _effect(
            NULL_INITIATIVE, "enps", "did", 0.5, -4.0, 5.0, unit_type="team", treated_units=2, control_units=6,
            n_obs=64,
        ),
    ]  # fmt: skip
    return pd.DataFrame(rows)


def event_study() -> pd.DataFrame:
    rows = []
    for initiative, kpi, effect in (
        (TRAINING, "csat_pct", 9.8),
        (TRAINING, "churn_rate", -1.2),
        (ROLLOUT, "csat_pct", 4.0),
    ):
        for month in range(-6, 7):
            estimate = 0.1 * ((month % 3) - 1) if month < 0 else effect * min(1.0, (month + 1) / 3)
            half = abs(effect) * 0.35 + 0.5
            rows.append(
                {
                    "initiative_id": initiative,
                    "kpi": kpi,
                    "unit_type": "location",
                    "relative_month": month,
                    "estimate": estimate,
                    "ci_low": estimate - half,
                    "ci_high": estimate + half,
                    "n_obs": 12,
                    "is_pre": month < 0,
                }
            )
    return pd.DataFrame(rows)


COST = 6_000.0  # EMP-TRAIN-1's cost
# The base quantities at the three trained locations (per month), carried on every ROI row.
BASE = {
    "customers": 900.0,
    "revenue_per_customer_year": 240.0,
    "expected_lifespan_years": 4.0,
    "employees": 30.0,
    "tickets_per_month": 1_200.0,
    "minutes_per_ticket": 14.0,
}


def roi() -> pd.DataFrame:
    """EMP-TRAIN-1's savings and ROI priced with the dashboard's own formula (streamlit_app/roi.py, the one the
    mart uses) from its usable headline effects (churn and handle time), BASE and the assumptions' values, so the
    ROI section's cards, tornado and what-if agree with these rows."""
    frame = effects()
    usable = frame[
        (frame["initiative_id"] == TRAINING) & frame["headline"] & ~frame["pretrend_differs"].fillna(False).astype(bool)
    ]
    effect = {r.kpi: (r.estimate, r.ci_low, r.ci_high) for r in usable.itertuples() if r.kpi in roi_formula.MONEY_KPIS}
    values = dict(zip(assumptions()["assumption"], assumptions()["value"], strict=True))
    rows = pd.DataFrame(roi_formula.evaluate(effect, BASE, values, COST))
    rows = rows[rows["savings_central"].notna() | (rows["component"] == "total")]
    return rows.assign(initiative_id=TRAINING, initiative_name=NAMES[TRAINING], cost=COST, treated_units=3, **BASE)


def assumptions() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("gross_margin", "Gross margin on customer revenue", 0.4, 0.3, 0.5, "share of revenue", "Demo"),
            ("cltv_horizon_years", "Years of margin a kept customer is worth", 3.0, 1.0, 5.0, "years", "Demo"),
            ("effect_years", "Years the initiative's effect lasts", 1.0, 0.5, 2.0, "years", "Demo"),
            ("cost_per_leaver", "Cost of replacing one employee who leaves", 12_000.0, 8_000.0, 20_000.0)
            + ("per leaver", "Demo"),
            ("cost_per_support_minute", "Cost of one minute of a support agent's time", 0.8, 0.6, 1.0)
            + ("per minute", "Demo"),
        ],
        columns=["assumption", "label", "value", "low", "high", "unit", "source"],
    )


def key_drivers() -> pd.DataFrame:
    """As dagster_project/impact/drivers.py publishes them: each driver_type on its own scale (importance_unit)."""
    share, item = "share of the differences between people explained (R²)", "standardised effect"
    gap, nps = "gap to the other teams (mean score, 1 to 5)", "difference in NPS points"
    rows = [
        ("engagement", "survey_dimension", "manager_empathy", 0.31, 0.22, 0.40, 1, 480, 1, share),
        ("engagement", "survey_dimension", "wellbeing", 0.12, 0.06, 0.18, 2, 480, 1, share),
        ("engagement", "survey_item", "mgr_listening", 0.29, 0.20, 0.38, 1, 480, 1, item),
        ("engagement", "survey_item", "eng_proud", 0.18, 0.10, 0.26, 2, 480, 1, item),
        ("engagement", "team", "Customer Support", -0.92, -1.15, -0.69, 1, 60, -1, gap),
        ("engagement", "team", "Sales", 0.10, -0.12, 0.32, 2, 80, 1, gap),
        ("nps", "touchpoint", "support_ticket", -14.0, -20.0, -8.0, 1, 2400, -1, nps),
        ("nps", "channel", "phone", 4.0, -1.0, 9.0, 2, 2400, 1, nps),
        ("nps", "detractor_theme", "long_wait", -9.0, -13.0, -5.0, 3, 2400, -1, nps),
    ]
    columns = ["outcome", "driver_type", "driver", "importance", "ci_low", "ci_high", "rank", "n", "direction"]
    frame = pd.DataFrame(rows, columns=[*columns, "importance_unit"])
    frame["method"] = "shapley_r2_bootstrap"
    return frame


def service_profit_chain() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(11)
    points = []
    for wave in ("2024-H2", "2025-H1"):
        for location in LOCATIONS:
            employee = float(rng.uniform(3.0, 4.5))
            points.append(
                {
                    "location": location,
                    "wave": wave,
                    "employee_measure": "manager_empathy_index",
                    "employee_value": employee,
                    "respondents": int(rng.integers(6, 20)),
                    "customer_kpi": "nps",
                    "customer_value": 20 * employee - 40 + float(rng.normal(0, 6)),
                    "customer_n": int(rng.integers(40, 200)),
                    "lag_months": 3,
                }
            )
    summary = pd.DataFrame(
        [("manager_empathy_index", "nps", 0.58, 0.22, 0.80, 24, 0.003, "pearson_location_bootstrap", 12)],
        columns=["employee_measure", "customer_kpi", "correlation", "ci_low", "ci_high", "n_pairs", "p_value"]
        + ["method", "n_locations"],
    )
    return pd.DataFrame(points), summary


def impact_marts() -> dict[str, pd.DataFrame]:
    points, summary = service_profit_chain()
    question = {"wave": "2025-H1", "question_id": "eng_proud", "question_text": "I am proud to work for this company."}
    return {
        "marts.employee_survey_item_wave": pd.DataFrame([question]),  # names the survey-item driver
        "marts.initiative_effects": effects(),
        "marts.initiative_event_study": event_study(),
        "marts.initiative_roi": roi(),
        "marts.roi_assumptions": assumptions(),
        "marts.key_drivers": key_drivers(),
        "marts.service_profit_chain": points,
        "marts.service_profit_chain_summary": summary,
    }
