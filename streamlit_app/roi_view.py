"""The savings-and-ROI section of the Impact & ROI page, for one initiative.

The page calls one function:

    render_roi(initiative_id: str, effects: pd.DataFrame, roi_rows: pd.DataFrame, assumptions: pd.DataFrame) -> None

- initiative_id: the initiative shown (marts.initiative_roi.initiative_id).
- effects: marts.initiative_effects (any rows; this section keeps the initiative's headline rows with parallel
  pre-trends, the same selection marts.initiative_roi used).
- roi_rows: marts.initiative_roi (any rows; this section keeps the initiative's).
- assumptions: marts.roi_assumptions (assumption, label, value, low, high, unit, source).

It shows savings and ROI (low / central / high, in the dashboard's currency, streamlit_app.settings), the sensitivity
tornado, and what-if sliders that start from marts.roi_assumptions and recompute with streamlit_app.roi (the same
formula as the mart). Everything on screen is plain words.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from streamlit_app import roi, settings
from streamlit_app.charts import unvalidated
from streamlit_app.impact_kpis import measure
from streamlit_app.ui import data_table

COMPONENT_LABELS = {
    "customers_kept": "Customers kept",
    "employees_kept": "Employees kept",
    "support_cost": "Support time saved",
    "total": "Total",
}
EFFECT_SIZE_LABEL = "Size of the measured effects (each at the limit of its 95 % CI)"
RANGE_WORDS = "with every effect at the limit of its 95 % CI"
NO_CLEAR_SAVING = "No clear saving"
MARGIN_NOTE = (
    "The gross margin is set to 100 %, so the customers kept are valued at the revenue they bring, not the profit. "
    "Ask whoever runs the data pipeline to set your gross margin in its settings (as a share, e.g. 0.4 for 40 %), "
    "or try one with the slider below."
)


def money(value, currency: str | None = None) -> str:
    """'£12,300' / '−£4,000'; a dash when unknown."""
    currency = settings.currency_symbol() if currency is None else currency
    if value is None or pd.isna(value):
        return "—"
    sign = "−" if value < 0 else ""
    return f"{sign}{currency}{abs(value):,.0f}"


def percent(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{value * 100:+,.0f} %"


def measured_on(row: dict) -> str:
    """The effects a component was valued from, in words ('reopened tickets and handle time')."""
    kpis = row.get("kpis") if isinstance(row.get("kpis"), str) else row.get("kpi")
    if not isinstance(kpis, str) or not kpis:
        return "—"
    return " and ".join(measure(k).name for k in kpis.split("|"))


def best_estimate(row: dict, effect: dict, currency: str) -> str:
    """The central saving of one component, or "No clear saving" when none of its effects is clear of zero."""
    component = row["component"]
    if (
        component in roi.COMPONENTS
        and not pd.isna(row["savings_central"])
        and not roi.component_is_clear(component, effect)
    ):
        return NO_CLEAR_SAVING
    return money(row["savings_central"], currency)


def base_of(rows: pd.DataFrame) -> dict:
    """The base quantities at the treated units, carried on every marts.initiative_roi row."""
    first = rows.iloc[0]
    return {field: (None if pd.isna(first[field]) else float(first[field])) for field in roi.BASE_FIELDS}


def assumption_table(assumptions: pd.DataFrame) -> dict:
    """{assumption: (value, low, high)} for the assumptions roi.py knows."""
    known = assumptions[assumptions["assumption"].isin(roi.ASSUMPTIONS)]
    return {r.assumption: (float(r.value), float(r.low), float(r.high)) for r in known.itertuples()}


@unvalidated
def tornado_chart(rows: list[dict], labels: dict, currency: str) -> alt.Chart:
    data = pd.DataFrame(
        [
            {"assumption": labels.get(r["assumption"], EFFECT_SIZE_LABEL), "end": end, "roi": r[f"roi_{end}"] * 100}
            for r in rows
            for end in ("low", "high")
        ]
    )
    order = [labels.get(r["assumption"], EFFECT_SIZE_LABEL) for r in rows]
    return (
        alt.Chart(data)
        .mark_line(strokeWidth=14)
        .encode(
            y=alt.Y("assumption:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("roi:Q", title="Return on investment (%)"),
            detail=alt.Detail("assumption:N"),
            tooltip=[
                alt.Tooltip("assumption:N", title="Assumption"),
                alt.Tooltip("end:N", title="At its"),
                alt.Tooltip("roi:Q", title="ROI (%)", format=",.0f"),
            ],
        )
    )


def render_roi(initiative_id: str, effects: pd.DataFrame, roi_rows: pd.DataFrame, assumptions: pd.DataFrame) -> None:
    """Savings, ROI, the sensitivity tornado and the what-if for one initiative (see the module docstring)."""
    currency = settings.currency_symbol()
    rows = roi_rows[roi_rows["initiative_id"] == initiative_id] if roi_rows is not None else pd.DataFrame()
    st.subheader("Savings and return on investment")
    if rows.empty:
        st.info("No savings estimate for this initiative yet.")
        return
    total = rows[rows["component"] == "total"].iloc[0]
    cost = None if pd.isna(total["cost"]) else float(total["cost"])
    if pd.isna(total["savings_central"]):
        st.info(
            "No measured effect of this initiative can be turned into money yet: it needs a reliable effect on "
            "churn, voluntary turnover, reopened tickets or handle time."
        )
        return
    effect = roi.usable_effects(effects).get(initiative_id, {})
    columns = st.columns(3)
    columns[0].metric("Cost", money(cost, currency))
    columns[1].metric(
        "Savings (best estimate)",
        money(total["savings_central"], currency),
        help=(
            f"Counting only effects clear of zero. {RANGE_WORDS.capitalize()}: "
            f"{money(total['savings_low'], currency)} to {money(total['savings_high'], currency)}."
        ),
    )
    if pd.isna(total["roi_central"]):
        columns[2].metric("Return on investment", "—", help="No return can be worked out without a cost.")
    else:
        columns[2].metric(
            "Return on investment",
            percent(total["roi_central"]),
            help=f"{RANGE_WORDS.capitalize()}: {percent(total['roi_low'])} to {percent(total['roi_high'])}.",
        )
    table = pd.DataFrame(
        {
            "Where the money comes from": [COMPONENT_LABELS[c] for c in rows["component"]],
            "Measured on": [measured_on(r) for r in rows.to_dict("records")],
            "Low": [money(v, currency) for v in rows["savings_low"]],
            "Best estimate": [best_estimate(r, effect, currency) for r in rows.to_dict("records")],
            "High": [money(v, currency) for v in rows["savings_high"]],
        }
    )
    data_table(table, download=f"savings_{initiative_id}", hide_index=True, width="stretch")
    st.caption(f"Low and high: {RANGE_WORDS}, a wider span than a 95 % range of the total.")
    if not any(roi.component_is_clear(c, effect) for c in roi.COMPONENTS if c in set(rows["component"])):
        st.caption(
            "No effect this saving rests on is clear of zero, so there is no proven saving: the best "
            "estimate is the cost alone."
        )
    elif not pd.isna(total["roi_low"]) and total["roi_low"] < 0 < total["roi_high"]:
        st.caption(
            "The range runs from a loss to a gain: with the uncertainty of the measured effects, the data cannot "
            "yet tell whether this initiative paid for itself."
        )

    base = base_of(rows)
    table_assumptions = assumption_table(assumptions)
    labels = dict(zip(assumptions["assumption"], assumptions["label"], strict=True))
    margin = rows["gross_margin"].iloc[0] if "gross_margin" in rows else None
    if margin is not None and not pd.isna(margin) and float(margin) >= 1.0:
        st.caption(MARGIN_NOTE)
    st.markdown("**Which assumption moves the return most**")
    bars = roi.tornado(table_assumptions, effect, base, cost)
    if bars:
        st.altair_chart(tornado_chart(bars, labels, currency), width="stretch")
    else:
        st.caption("The return cannot be worked out without a cost, so there is no sensitivity to show.")

    with st.expander("What if? Change the assumptions", expanded=False):
        chosen = {}
        for r in assumptions[assumptions["assumption"].isin(roi.ASSUMPTIONS)].itertuples():
            lo, hi = min(r.low, r.value), max(r.high, r.value)
            step = (hi - lo) / 50 if hi > lo else 1.0
            chosen[r.assumption] = st.slider(
                f"{r.label} ({r.unit})",
                min_value=float(lo),
                max_value=float(hi) if hi > lo else float(lo) + 1.0,
                value=float(r.value),
                step=float(step),
                key=f"roi_{initiative_id}_{r.assumption}",
            )
        factor = st.slider(
            "Effect size, as a share of the measured one",
            0.0,
            2.0,
            1.0,
            0.05,
            key=f"roi_{initiative_id}_effect",
        )
        treated = (
            int(rows["treated_units"].iloc[0]) if "treated_units" in rows and rows["treated_units"].notna().any() else 0
        )
        extra = st.slider(
            "More units trained like these", 0, max(10, 2 * treated), 0, 1, key=f"roi_{initiative_id}_extra"
        )
        scaled = roi.scale_effects(effect, factor)
        result = roi.evaluate(scaled, base, chosen, cost)[-1]
        line = f"Savings {money(result['savings_central'], currency)}"
        if result["roi_central"] is not None:
            line += f", return {percent(result['roi_central'])}"
            line += f" (range {percent(result['roi_low'])} to {percent(result['roi_high'])})"
        st.write(line + " at these units.")
        if extra and treated and cost:
            more = roi.what_if(scaled, extra, roi.per_unit(base, treated), chosen, cost / treated)[-1]
            st.write(
                f"At {extra} more units, at {money(cost / treated, currency)} each: savings "
                f"{money(more['savings_central'], currency)}, return {percent(more['roi_central'])}."
            )
