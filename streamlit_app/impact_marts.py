"""The impact marts the Impact & ROI page reads, loaded through mart_loading.load_marts (a mart the publication
lacks, or holds in an older shape, becomes no rows plus a message; the rest of the page keeps working).

The columns are the agreed interfaces of the impact marts (docs/impact.md); only the ones the page uses are
read, so a mart that gains columns still loads. The page is organisation-wide (access.PAGES: no row scope),
so every read here is of all rows; they still go through warehouse.query_table like every other read.
"""

from __future__ import annotations

import pandas as pd

from streamlit_app import roi, warehouse
from streamlit_app.access import Scope
from streamlit_app.customer_marts import Mart, mart_statement, with_months
from streamlit_app.mart_loading import Loaded, load_marts

MARTS: dict[str, Mart] = {
    "effects": Mart(
        "initiative_effects",
        "initiative effects",
        {},
        (),
        other=("initiative_id", "initiative_name", "unit_type", "kpi", "method", "headline", "estimate")
        + ("std_error", "ci_low", "ci_high", "p_value", "inference", "treated_units", "control_units")
        + ("control_group", "pre_start", "pre_end", "post_start", "post_end", "n_obs", "n_treated_obs")
        + ("n_control_obs", "pretrend_p_value", "pretrend_differs", "higher_is_better", "note"),
        monthly=False,
    ),
    "event_study": Mart(
        "initiative_event_study",
        "effects by month since the start",
        {},
        (),
        other=("initiative_id", "kpi", "unit_type", "relative_month", "estimate", "ci_low", "ci_high", "n_obs")
        + ("is_pre",),
        monthly=False,
    ),
    "roi": Mart(
        "initiative_roi",
        "savings and ROI",
        {},
        (),
        other=("initiative_id", "initiative_name", "component", "kpi", "cost", "savings_low", "savings_central")
        + ("savings_high", "roi_low", "roi_central", "roi_high", *roi.BASE_FIELDS),
        monthly=False,
    ),
    "assumptions": Mart(
        "roi_assumptions",
        "ROI assumptions",
        {},
        (),
        other=("assumption", "label", "value", "low", "high", "unit", "source"),
        monthly=False,
    ),
    "drivers": Mart(
        "key_drivers",
        "key drivers",
        {},
        (),
        other=("outcome", "driver_type", "driver", "importance", "ci_low", "ci_high", "rank", "n", "direction")
        + ("method", "importance_unit"),
        monthly=False,
    ),
    "chain": Mart(
        "service_profit_chain",
        "the service-profit chain",
        {},
        (),
        other=("location", "wave", "employee_measure", "employee_value", "respondents", "customer_kpi")
        + ("customer_value", "customer_n", "lag_months"),
        monthly=False,
    ),
    "chain_summary": Mart(
        "service_profit_chain_summary",
        "the service-profit chain summary",
        {},
        (),
        other=("employee_measure", "customer_kpi", "correlation", "ci_low", "ci_high", "n_pairs", "p_value")
        + ("method", "n_locations"),
        monthly=False,
    ),
}


def _no_rows(mart: Mart) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in mart.columns})


def _statement(name: str, scope: Scope) -> warehouse.Statement:
    """The columns the page needs; the ROI rows whole, as the ROI section (roi_view) reads what the mart carries
    beside them (the assumptions used, the number of units)."""
    if name == "roi":
        return warehouse.table_statement("*", MARTS[name].qualified, scope)
    return mart_statement(MARTS[name], scope)


def load_all(scope: Scope) -> Loaded:
    """Every impact mart's rows (all of them: the page has no row scope)."""
    return load_marts(
        MARTS,
        lambda name: _statement(name, scope),
        _no_rows,
        lambda name, frame: frame if name == "roi" else with_months(frame),
    )


def initiatives(effects: pd.DataFrame) -> dict[str, str]:
    """initiative_id → its name (the id when it has none), in name order: the page's choices."""
    if effects.empty:
        return {}
    names = effects.drop_duplicates("initiative_id").set_index("initiative_id")["initiative_name"]
    names = names.where(names.notna() & (names.astype(str).str.strip() != ""), names.index.to_series())
    return dict(sorted(names.astype(str).items(), key=lambda item: (item[1].lower(), item[0])))


def headline(effects: pd.DataFrame, initiative_id: str) -> pd.DataFrame:
    """The headline estimate per unit type × KPI of one initiative (an initiative at locations can also be
    evaluated per agent), in the mart's order."""
    rows = effects[(effects["initiative_id"] == initiative_id) & effects["headline"].fillna(False).astype(bool)]
    return rows.drop_duplicates(["unit_type", "kpi"]).reset_index(drop=True)


def question_texts(scope: Scope) -> dict[str, str]:
    """Survey question id → its text, from the published item mart (the key drivers name questions by id); empty
    when the publication has no such mart."""
    if not warehouse.table_exists("marts", "employee_survey_item_wave"):
        return {}
    table = "marts.employee_survey_item_wave"
    rows = warehouse.query_table("DISTINCT question_id, question_text", table, scope, "WHERE question_text IS NOT NULL")
    return dict(zip(rows["question_id"].astype(str), rows["question_text"].astype(str), strict=True))
