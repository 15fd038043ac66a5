"""Impact & ROI: per initiative, what it changed (effect cards with their 95 % CI, n and a plain verdict), the
effect month by month around the start, savings and ROI; then which levers drive the outcomes and whether
employee empathy goes with customer outcomes. Every number comes from the impact marts (impact_marts.py); the
wording from impact_kpis.py. Organisation-wide: a viewer limited to one location or team does not get the page
(access.PAGES)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from streamlit_app import charts, drivers_text, impact_kpis, impact_marts, roi_view
from streamlit_app.formatting import format_month
from streamlit_app.impact_kpis import (
    count_words,
    locations_text,
    measure,
    method_text,
    number,
    pretrend_differs,
    verdict,
)
from streamlit_app.ui import data_table, open_page, report_sources

CARDS_PER_ROW = 3
NOTHING_TO_EVALUATE = (
    "No initiatives to evaluate yet. To see what an initiative changed and what it was worth, land the "
    "initiatives you ran (what, where, when it started and what it cost). Optionally, land the initiative "
    "units (each store's or team's own start, for a roll-out one by one) and your own outcome measures (a "
    "metric you track per unit and month, such as complaints per agent or sales per store). Then run the "
    "pipeline again."
)
DRIVER_KINDS = {
    "survey_dimension": "Survey dimension",
    "survey_item": "Survey question",
    "touchpoint": "Touchpoint",
    "channel": "Channel",
    "detractor_theme": "Detractor theme",
    "team": "Team",
}
CAUSATION_CAPTION = (
    "This is a correlation across locations, not proof that one causes the other: a location that is better run, "
    "busier or in a different area can score higher on both. The customer figures are from the months after each "
    "survey wave, so the order in time is right, but only an initiative's effect estimate above can say what "
    "changing one would do."
)

scope = open_page("impact_roi")
st.title("Impact & ROI")
st.caption(
    "Did an initiative work, and was it worth it? Each estimate compares the units where it ran with those "
    "without it, before and after its start, and carries its 95 % confidence interval (CI: the range the true "
    "effect very likely lies in) and how much data it rests on."
)

report_sources("impact_roi", stop_when_none=False)
loaded = impact_marts.load_all(scope)
frames = loaded.frames
effects = frames["effects"]
choices = impact_marts.initiatives(effects)


def _unit_months(row: pd.Series) -> str:
    one, _ = impact_kpis.UNIT_WORDS.get(str(row["unit_type"]), impact_kpis.UNIT_WORDS["custom"])
    n_obs = 0 if pd.isna(row["n_obs"]) else int(row["n_obs"])
    return f"{n_obs:,} {one}-months"


def _label(row: pd.Series, several_unit_types: bool) -> str:
    """The KPI's label; "CSAT % · per agent" when the initiative is evaluated on several kinds of unit."""
    one, _ = impact_kpis.UNIT_WORDS.get(str(row["unit_type"]), impact_kpis.UNIT_WORDS["custom"])
    return f"{measure(row['kpi']).label} · per {one}" if several_unit_types else measure(row["kpi"]).label


def _effect_card(column, row: pd.Series, label: str) -> None:
    m = measure(row["kpi"])
    with column.container(border=True):
        value = number(row["estimate"], m.decimals, signed=True)
        shown = value if value == impact_kpis.NO_DATA else f"{value} {m.unit}".strip()
        st.metric(label, shown, help=method_text(row))
        st.caption(
            f"{impact_kpis.ci_text(row, m)} · {count_words(row['treated_units'], row['unit_type'])} with it, "
            f"{count_words(row['control_units'], row['unit_type'])} without · {_unit_months(row)}"
        )
        st.markdown(verdict(row))


def _window(row: pd.Series) -> str:
    def month(value) -> str:
        return impact_kpis.NO_DATA if pd.isna(value) else format_month(pd.Timestamp(value))

    return (
        f"Before: {month(row['pre_start'])} – {month(row['pre_end'])} · "
        f"after: {month(row['post_start'])} – {month(row['post_end'])}"
    )


# --- one initiative ----------------------------------------------------------------------------------------
if not choices:
    st.info(NOTHING_TO_EVALUATE, icon=":material/info:")
else:
    if len(choices) > 1:
        initiative = st.selectbox(
            "Initiative",
            list(choices),
            format_func=choices.get,
            key="impact_initiative",
            help="The initiative to evaluate; its effects, savings and ROI follow.",
        )
    else:
        initiative = next(iter(choices))
    st.header(choices[initiative])
    headlines = impact_marts.headline(effects, initiative)
    if headlines.empty:
        st.info("This initiative has no estimate to show yet: there was not enough data around its start.")
    else:
        st.caption(_window(headlines.iloc[0]))
        staggered = headlines[headlines["method"] == "staggered"]
        if not staggered.empty:
            st.info(method_text(staggered.iloc[0]), icon=":material/stairs:")

        st.subheader("What changed")
        several = headlines["unit_type"].nunique() > 1
        labels = {(r.unit_type, r.kpi): _label(r, several) for _, r in headlines.iterrows()}
        for start in range(0, len(headlines), CARDS_PER_ROW):
            row_cards = headlines.iloc[start : start + CARDS_PER_ROW]
            for column, (_, row) in zip(st.columns(CARDS_PER_ROW), row_cards.iterrows(), strict=False):
                _effect_card(column, row, labels[(row["unit_type"], row["kpi"])])
        if headlines["pretrend_differs"].fillna(False).astype(bool).any():
            st.warning(
                "For some measures the trends already differed before the start, so no effect is claimed for them: "
                "the units where it ran were already moving differently from the others.",
                icon=":material/warning:",
            )

        with st.expander("Every estimate: the other methods side by side"):
            every = effects[effects["initiative_id"] == initiative]
            table = pd.DataFrame(
                {
                    "Measure": every["kpi"].map(lambda k: measure(k).label),
                    "Method": every["method"].map(lambda k: impact_kpis.METHOD_LABELS.get(k, "Other method")),
                    "Estimate": every["estimate"].astype("float64"),
                    "95 % CI from": every["ci_low"].astype("float64"),
                    "95 % CI to": every["ci_high"].astype("float64"),
                    "Observations": every["n_obs"].astype("float64"),
                    "Verdict": [verdict(row) for _, row in every.iterrows()],
                }
            )
            data_table(
                table,
                download=f"impact_estimates_{initiative}",
                hide_index=True,
                column_config={
                    "Estimate": st.column_config.NumberColumn(format="%.2f"),
                    "95 % CI from": st.column_config.NumberColumn(format="%.2f"),
                    "95 % CI to": st.column_config.NumberColumn(format="%.2f"),
                    "Observations": st.column_config.NumberColumn(format="localized"),
                    "Verdict": st.column_config.TextColumn(width="large"),
                },
            )
            st.caption(
                "The cards show one estimate per measure: the staggered roll-out method when units started at "
                "different times, otherwise difference-in-differences. Before and after has no comparison group; "
                "the regression also allows for differences in customer mix."
            )

        st.subheader("Month by month around the start")
        study = frames["event_study"]
        study = study[study["initiative_id"] == initiative]
        studied = set(zip(study["unit_type"], study["kpi"], strict=True))
        keys = [key for key in labels if key in studied]
        if not keys:
            st.caption("No month-by-month estimates for this initiative.")
        else:
            key = (
                st.selectbox("Measure", keys, format_func=labels.get, key="impact_event_kpi")
                if len(keys) > 1
                else keys[0]
            )
            m = measure(key[1])
            rows = study[(study["unit_type"] == key[0]) & (study["kpi"] == key[1])].sort_values("relative_month")
            st.altair_chart(charts.event_study(rows, m.unit), height=320)
            row = headlines[(headlines["unit_type"] == key[0]) & (headlines["kpi"] == key[1])].iloc[0]
            p = row["pretrend_p_value"]
            if pd.isna(p):
                pretrend = "the months before the start were not tested for a difference in trend"
            elif pretrend_differs(row["pretrend_differs"]):
                pretrend = "the trends already differed before the start, so no effect is claimed"
            else:
                pretrend = "the months before the start show no clear difference in trend"
            st.caption(
                f"{labels[key]}: the difference between the units with and without it, month by month; 0 is the "
                f"first month with it (dashed line), the band is the 95 % CI. Before the start the line should "
                f"hover around zero. Here {pretrend}"
                + (f" (test of the months before the start: p = {number(p, 2)})." if not pd.isna(p) else ".")
            )

        roi_view.render_roi(initiative, effects, frames["roi"], frames["assumptions"])

# --- key drivers -------------------------------------------------------------------------------------------
st.header("What drives the outcomes")
drivers = frames["drivers"]
if drivers.empty:
    st.caption("Not enough survey or customer data yet to rank what drives the outcomes.")
else:
    outcomes = list(dict.fromkeys(drivers["outcome"]))
    outcome = (
        st.selectbox("Outcome", outcomes, format_func=lambda o: measure(o).label, key="impact_driver_outcome")
        if len(outcomes) > 1
        else outcomes[0]
    )
    name = measure(outcome).name
    if lever := drivers_text.biggest_lever(drivers, outcome):
        st.markdown(f"**{lever}**")
    rows = drivers[drivers["outcome"] == outcome]
    kinds = [k for k in DRIVER_KINDS if k in set(rows["driver_type"])]
    kind = (
        st.selectbox("Kind of driver", kinds, format_func=DRIVER_KINDS.get, key="impact_driver_kind")
        if len(kinds) > 1
        else kinds[0]
        if kinds
        else None
    )
    # Each kind has its own scale (a share of R², a standardised effect, a gap in points): one chart per kind.
    rows = rows[rows["driver_type"] == kind].copy()
    if rows.empty:
        st.caption(f"No drivers of {name} to show.")
    else:
        questions = impact_marts.question_texts(scope) if kind == "survey_item" else {}
        rows["driver_label"] = [impact_kpis.driver_label(kind, driver, questions) for driver in rows["driver"]]
        rows["kind"] = DRIVER_KINDS[kind]
        rows["direction_label"] = rows["direction"].map(lambda d: f"lower {name}" if d == -1 else f"higher {name}")
        unit = rows["importance_unit"].dropna() if "importance_unit" in rows else pd.Series(dtype=str)
        scale = str(unit.iloc[0]) if not unit.empty else "importance"
        st.altair_chart(
            charts.key_drivers(rows, scale[:1].upper() + scale[1:], [f"higher {name}", f"lower {name}"]),
            height=max(160, 30 * len(rows)),
        )
        st.caption(
            f"What goes with a higher or lower {name}, largest first: each bar's length is on the scale named under "
            "the chart, the black line its 95 % CI (a wide line: the data cannot rank it well). Colour: whether more "
            f"of it goes with higher or lower {name}. A driver is where to look, not proof of a cause."
        )

# --- service-profit chain ----------------------------------------------------------------------------------
st.header("Employee empathy and customer outcomes")
summary, points = frames["chain_summary"], frames["chain"]
if summary.empty:
    st.caption("Not enough locations with published survey results yet to compare employees and customers.")
else:
    pairs = list(zip(summary["employee_measure"], summary["customer_kpi"], strict=True))
    pair = (
        st.selectbox(
            "Compare",
            pairs,
            format_func=lambda p: f"{measure(p[0]).label} → {measure(p[1]).label}",
            key="impact_chain_pair",
        )
        if len(pairs) > 1
        else pairs[0]
    )
    employee, customer = measure(pair[0]), measure(pair[1])
    row = summary[(summary["employee_measure"] == pair[0]) & (summary["customer_kpi"] == pair[1])].iloc[0]
    shown = points[(points["employee_measure"] == pair[0]) & (points["customer_kpi"] == pair[1])]
    if not shown.empty:
        st.altair_chart(charts.service_profit_chain(shown, employee.label, customer.label), height=340)
    lag = shown["lag_months"].dropna()
    later = f" over the {int(lag.iloc[0])} months after each survey wave" if not lag.empty else " in the months after"
    st.markdown(
        f"Correlation between {employee.name} and {customer.name}{later}: **r = {number(row['correlation'], 2)}** "
        f"(95 % CI {number(row['ci_low'], 2)} to {number(row['ci_high'], 2)}, "
        f"n = {int(row['n_pairs']):,} location-waves{locations_text(row)})."
    )
    st.caption(CAUSATION_CAPTION)

# --- method ------------------------------------------------------------------------------------------------
with st.expander("How these numbers are made"):
    st.markdown(impact_kpis.METHOD_NOTE)
