"""Overview: NPS and CSAT for the latest month, their trends by segment, and the numbers behind them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from streamlit_app import charts, kpis, marts
from streamlit_app.customer_kpis import CSAT, NPS
from streamlit_app.formatting import NO_DATA, format_month
from streamlit_app.labels import plain
from streamlit_app.mart_loading import lacking_sentence
from streamlit_app.ui import (
    data_table,
    nothing_chosen,
    open_page,
    period_picker,
    ratio_card,
    report_sources,
    sample_column,
    with_sample_labels,
)

DEFAULT_PERIOD_MONTHS = 12  # as on every page: the latest 12 months

scope = open_page("overview")
st.title("Customer empathy overview")
report_sources("overview")

nps_rows = marts.load_nps(scope)
csat_rows = marts.load_csat(scope)
missing = marts.missing_marts()
if missing:
    st.warning(
        f"This publication has no {' or '.join(missing)} survey figures (it was built without them), so they "
        "show — (no data)."
    )
surveys = (("NPS", "NPS survey answers", nps_rows), ("CSAT", "CSAT survey answers", csat_rows))
lacking = [words for name, words, rows in surveys if rows.empty and name not in missing]
if len(lacking) == 1:  # both empty: the message below says there are no survey answers at all
    st.info(lacking_sentence(lacking))
if nps_rows.empty and csat_rows.empty:
    st.info("The published marts hold no survey responses yet.")
    st.stop()
both = pd.concat([nps_rows[["month", "segment", "location"]], csat_rows[["month", "segment", "location"]]])
all_months = [pd.Timestamp(m) for m in sorted(both["month"].dropna().unique())]

# --- filters -------------------------------------------------------------------------------------------
period_col, segment_col, location_col = st.columns([2, 1, 1])
with period_col:
    start, end = period_picker(
        all_months,
        (kpis.period_start(all_months, all_months[-1], DEFAULT_PERIOD_MONTHS), all_months[-1]),
        key="period",
        help="The cards show the period's last month; the trends and the table cover the whole period (by default "
        "the latest 12 months).",
    )
with segment_col:
    segments = st.multiselect(
        "Segment", sorted(both["segment"].unique()), key="segments", placeholder="All segments", format_func=plain
    )
with location_col:
    locations = st.multiselect(
        "Location",
        sorted(both["location"].unique()),
        key="locations",
        placeholder=nothing_chosen(scope, "location"),
        format_func=plain,
    )

# --- KPI cards: the last month of the period against the month before it --------------------------------
# The month before may lie outside the chosen period: the delta always compares consecutive months.
previous = end - pd.DateOffset(months=1)
nps_sel = marts.filter_rows(nps_rows, segments=segments, locations=locations)
csat_sel = marts.filter_rows(csat_rows, segments=segments, locations=locations)

st.subheader(format_month(end))
nps_card, csat_card, nps_n_card, csat_n_card = st.columns(4)
nps_period_rows = marts.filter_rows(nps_sel, (start, end))
csat_period_rows = marts.filter_rows(csat_sel, (start, end))
ratio_card(nps_card, NPS, nps_sel, nps_period_rows, end, previous)
ratio_card(csat_card, CSAT, csat_sel, csat_period_rows, end, previous)
for column, label, published, chosen in (
    (nps_n_card, "NPS answers", nps_rows, nps_sel),
    (csat_n_card, "CSAT answers", csat_rows, csat_sel),
):
    # A survey the business's data does not have at all is no data (—), not 0 answers.
    answers = None if published.empty else int(chosen.loc[chosen["month"] == end, "responses"].sum())
    column.metric(label, NO_DATA if answers is None else f"{answers:,}", border=True)

# --- trends by segment over the period ------------------------------------------------------------------
nps_period = marts.filter_rows(nps_rows, (start, end), segments, locations)
csat_period = marts.filter_rows(csat_rows, (start, end), segments, locations)
nps_by_segment = kpis.aggregate_nps(nps_period, ["month", "segment"])
csat_by_segment = kpis.aggregate_csat(csat_period, ["month", "segment"])


nps_chart, csat_chart = st.columns(2)
with nps_chart:
    st.markdown("**NPS by month**")
    if nps_by_segment.empty:
        st.caption("No NPS responses in the selection.")
    else:
        nps_total = kpis.aggregate_nps(nps_period, ["month"])
        st.altair_chart(charts.monthly_by_segment(nps_by_segment, nps_total, "nps", "NPS"))
with csat_chart:
    st.markdown("**CSAT % by month**")
    if csat_by_segment.empty:
        st.caption("No CSAT responses in the selection.")
    else:
        csat_total = kpis.aggregate_csat(csat_period, ["month"])
        st.altair_chart(charts.monthly_by_segment(csat_by_segment, csat_total, "csat_pct", "CSAT %"))

# --- the numbers: counts beside every ratio --------------------------------------------------------------
st.markdown("**Numbers by month and segment**")
table = pd.merge(
    nps_by_segment.rename(columns={"responses": "nps_responses"}),
    csat_by_segment.rename(columns={"responses": "csat_responses"}),
    on=["month", "segment"],
    how="outer",
).sort_values(["month", "segment"], ascending=[False, True])
table["month"] = table["month"].dt.date
table["segment"] = table["segment"].map(plain)
data_table(
    with_sample_labels(
        table[
            ["month", "segment", "nps_responses", "promoters", "passives", "detractors", "nps"]
            + ["csat_responses", "satisfied_responses", "csat_pct", "csat_mean"]
        ],
        {"nps_responses": "nps", "csat_responses": "csat_mean"},
    ),
    hide_index=True,
    column_config={
        "month": st.column_config.DateColumn("Month", format="MMM YYYY"),
        "segment": "Segment",
        "nps_responses": st.column_config.NumberColumn("NPS answers", format="%d"),
        "promoters": st.column_config.NumberColumn("Promoters", format="%d"),
        "passives": st.column_config.NumberColumn("Passives", format="%d"),
        "detractors": st.column_config.NumberColumn("Detractors", format="%d"),
        "nps": st.column_config.NumberColumn("NPS", format="%.1f"),
        "nps_responses_sample": sample_column("NPS sample"),
        "csat_responses_sample": sample_column("CSAT sample"),
        "csat_responses": st.column_config.NumberColumn("CSAT answers", format="%d"),
        "satisfied_responses": st.column_config.NumberColumn("Satisfied (4-5)", format="%d"),
        "csat_pct": st.column_config.NumberColumn("CSAT %", format="%.1f"),
        "csat_mean": st.column_config.NumberColumn("Mean score", format="%.2f"),
    },
    download="numbers",
)

with st.expander("How is this computed?"):
    st.markdown(
        """
Every number comes from the published NPS and CSAT survey figures (one row per month, segment, region,
location, channel and touchpoint, with counts). For any selection the
dashboard **adds up the counts first and divides last**; it never averages the ratios of the rows, which
would let a location with 10 answers weigh as much as one with 10,000.

- **NPS** = 100 × (Σ promoters − Σ detractors) / Σ responses. Promoters answered 9–10, detractors 0–6,
  passives 7–8; the range is −100…100.
- **CSAT %** = 100 × Σ satisfied responses / Σ responses, where *satisfied* means a score in the top box
  (4 or 5 on a 1–5 scale). **Mean score** = Σ scores / Σ responses.
- A month or selection with no responses shows **—** (no data), never 0.
- The cards show the last month of the chosen period; the change compares it with the month before, even
  when that month lies before the period's start (a change that rounds to zero is shown grey, neither good
  nor bad). Segment and location filters apply to both.
- A month resting on fewer answers than the dashboard's minimum (setting `EMPATHY_LAKE_MIN_ANSWERS`, 30 by
  default) is labelled "Few answers": one answer more or less moves such a score a lot.
"""
    )
