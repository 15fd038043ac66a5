"""Customer empathy: survey, retention, sales and support KPIs from the customer marts with their change,
their trends, handle time against customer sentiment, and what NPS detractors said."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from streamlit_app import charts, customer_kpis, customer_marts
from streamlit_app.formatting import format_month
from streamlit_app.ui import count_column, data_table, kpi_column, open_page, period_picker, ratio_card, report_loaded

DETRACTOR_ROWS = 1_000  # the latest ones; the caption gives the full count
HANDLE_TIME_BANDS = ["0-5 min", "5-10 min", "10-20 min", "20-40 min", "40+ min"]
KPIS_BY_KEY = {kpi.key: kpi for kpi in customer_kpis.CARD_KPIS}
HANDLE_TIME_KPIS = [customer_kpis.HANDLE_MINUTES, customer_kpis.SENTIMENT, customer_kpis.NEGATIVE]


def _filtered_by(mart: str) -> str:
    names = [label.lower() for f, label in customer_marts.FILTERS.items() if f in customer_marts.MARTS[mart].dimensions]
    return ", ".join(names)


scope = open_page("customer_empathy")
st.title("Customer empathy")

loaded = customer_marts.load_all(scope)
frames = loaded.frames
report_loaded(loaded)
all_months = customer_marts.months_of(frames)
if not all_months:
    st.info("The published customer marts hold no monthly rows yet, so there is nothing to show.")
    st.stop()
default_start, default_end = customer_marts.default_period(frames)

# --- filters ---------------------------------------------------------------------------------------------
period_col, segment_col, location_col = st.columns([2, 1, 1])
with period_col:
    start, end = period_picker(
        all_months,
        (default_start, default_end),
        key="customer_period",
        help="The cards show the period's last month; trends, handle time and comments cover the whole "
        "period. By default it ends on the latest month every mart has reached (a later month is still "
        "partial) and spans 12 months.",
    )
with segment_col:
    segments = st.multiselect(
        "Segment", customer_marts.options(frames, "segment"), key="customer_segments", placeholder="All segments"
    )
with location_col:
    locations = st.multiselect(
        "Location", customer_marts.options(frames, "location"), key="customer_locations", placeholder="All locations"
    )
acquisition_col, sales_col, contact_col = st.columns(3)
with acquisition_col:
    acquisition_channels = st.multiselect(
        "Acquisition channel",
        customer_marts.options(frames, "acquisition_channel"),
        key="acquisition_channels",
        placeholder="All acquisition channels",
        help="How the customer came to us. Filters the surveys, churn, repeat purchase, conversion (the lead's "
        "channel) and the detractor comments.",
    )
with sales_col:
    sales_channels = st.multiselect(
        "Sales channel",
        customer_marts.options(frames, "sales_channel"),
        key="sales_channels",
        placeholder="All sales channels",
        help="Where the order was placed. Filters AOV only.",
    )
with contact_col:
    contact_channels = st.multiselect(
        "Contact channel",
        customer_marts.options(frames, "contact_channel"),
        key="contact_channels",
        placeholder="All contact channels",
        help="How the customer reached support. Filters the support cards and handle time × sentiment.",
    )
choices = {
    "segment": segments,
    "location": locations,
    "acquisition_channel": acquisition_channels,
    "sales_channel": sales_channels,
    "contact_channel": contact_channels,
}
selected = {name: customer_marts.filter_rows(frame, choices=choices) for name, frame in frames.items()}
period = (start, end)
period_text = format_month(end) if start == end else f"{format_month(start)} – {format_month(end)}"

# --- KPI cards: the last month of the period against the month before it ---------------------------------
# As on the Overview, the month before may lie outside the period: the change compares consecutive months.
previous = end - pd.DateOffset(months=1)
vs = f"vs {format_month(previous)}"
st.subheader(format_month(end))
for title, row in customer_kpis.CARD_ROWS:
    st.markdown(f"**{title}**")
    bases: dict[tuple[str, str], tuple[list[str], int]] = {}  # one count per mart and denominator
    for column, kpi in zip(st.columns(len(row)), row, strict=True):
        rows = selected[kpi.mart]
        month_rows = rows[rows["month"] == end]
        ratio_card(
            column,
            kpi,
            rows,
            customer_marts.filter_rows(rows, period),
            end,
            previous,
            help=f"{kpi.help}\n\nFiltered by {_filtered_by(kpi.mart)}. The line shows the period's months.",
        )
        labels, _ = bases.setdefault((kpi.mart, kpi.denominator), ([], int(month_rows[kpi.denominator].sum())))
        labels.append(kpi.label)
    st.caption(
        " · ".join(
            f"{', '.join(labels)}: {count:,} {denominator.replace('_', ' ')}"
            for (_, denominator), (labels, count) in bases.items()
        )
    )

repeat_month = selected["repeat"][selected["repeat"]["month"] == end]
if not repeat_month.empty and not repeat_month["window_complete"].astype(bool).all():
    window = int(repeat_month["window_months"].max())
    st.caption(
        f"Repeat purchase %: the {window}-month window ending {format_month(end)} reaches back before the first "
        "order in the data, so it counts fewer months than it should."
    )

# --- trends ----------------------------------------------------------------------------------------------
st.header("Trends")
trend_key = st.selectbox(
    "KPI",
    list(KPIS_BY_KEY),
    format_func=lambda key: KPIS_BY_KEY[key].label,
    key="customer_trend",
    width=320,
)
trend_kpi = KPIS_BY_KEY[trend_key]
trend_rows = customer_marts.filter_rows(selected[trend_kpi.mart], period)
trend_total = customer_kpis.aggregate(trend_rows, trend_kpi, ["month"])
chart_col, table_col = st.columns([3, 2])
with chart_col:
    st.markdown(f"**{trend_kpi.label} by month and segment**")
    if trend_total[trend_kpi.key].notna().any():
        by_segment = customer_kpis.aggregate(trend_rows, trend_kpi, ["month", "segment"])
        st.altair_chart(charts.monthly_by_segment(by_segment, trend_total, trend_kpi.key, trend_kpi.label))
    else:
        st.caption(f"No {trend_kpi.label} data in the selection for {period_text}.")
with table_col:
    st.markdown(f"**{trend_kpi.label}: the counts behind it**")
    table = trend_total.sort_values("month", ascending=False).assign(month=lambda t: t["month"].dt.date)
    data_table(
        table[["month", *trend_kpi.counts, trend_kpi.key]],
        hide_index=True,
        column_config={
            "month": st.column_config.DateColumn("Month", format="MMM YYYY"),
            **{c: count_column(c.replace("_", " ").capitalize()) for c in trend_kpi.counts},
            trend_kpi.key: kpi_column(trend_kpi),
        },
        download="customer_kpi_by_month",
    )

# --- handle time with sentiment overlay ------------------------------------------------------------------
st.header("Handle time and customer sentiment")
handle_rows = customer_marts.filter_rows(selected["handle_time"], period)
sources = sorted(handle_rows["sentiment_source"].dropna().unique())
if len(sources) > 1:
    # A ticket is counted once per source: never add sources up.
    source = st.selectbox("Sentiment from", sources, key="sentiment_source")
    handle_rows = handle_rows[handle_rows["sentiment_source"] == source]
by_band = customer_kpis.aggregate(handle_rows, HANDLE_TIME_KPIS, ["band"])
bands = [b for b in HANDLE_TIME_BANDS if b in set(by_band["band"])] + sorted(
    set(by_band["band"]) - set(HANDLE_TIME_BANDS)
)
ignored = customer_marts.ignored_filters("handle_time", choices)
not_applied = (
    f"; the {' and '.join(f.lower() for f in ignored)} filter{'s do' if len(ignored) > 1 else ' does'} not apply"
)
source_text = f" ({sources[0]})" if len(sources) == 1 else ""
st.caption(
    f"Tickets opened in {period_text} with a recorded handle time, by how long agents worked on them; the line "
    f"is the sentiment of the customer's latest survey answer about the ticket{source_text}. Short handle times "
    "with low sentiment point to rushed service. Filtered by location and contact channel"
    + (f"{not_applied} here (this mart has no such column)" if ignored else "")
    + "."
)
if by_band.empty:
    st.caption("No tickets with a handle time in the selection.")
else:
    by_band["_order"] = by_band["band"].map({b: i for i, b in enumerate(bands)})
    by_band = by_band.sort_values("_order").drop(columns="_order")
    st.altair_chart(charts.handle_time_sentiment(by_band, bands), height=320)
    data_table(
        by_band[
            ["band", "tickets", "handle_minutes_avg", "scored_tickets", "positive_tickets"]
            + ["negative_tickets", "sentiment_score", "negative_pct"]
        ],
        hide_index=True,
        column_config={
            "band": "Handle time",
            "tickets": count_column("Tickets"),
            "scored_tickets": count_column("With a survey"),
            "positive_tickets": count_column("Positive"),
            "negative_tickets": count_column("Negative"),
            **{kpi.key: kpi_column(kpi) for kpi in HANDLE_TIME_KPIS},
        },
        download="handle_time_sentiment",
    )

# --- NPS detractor comments ------------------------------------------------------------------------------
st.header("NPS detractor comments")
comment_count = int(customer_marts.filter_rows(selected["detractors"], period)["rows"].sum())
shown = f"; the latest {DETRACTOR_ROWS:,} are listed" if comment_count > DETRACTOR_ROWS else ""
st.caption(
    f"{comment_count:,} NPS detractors (score 0–6) left a comment in {period_text}{shown}. Filtered by segment, "
    "location and acquisition channel. No customer key: what was said and where, not who said it."
)
if comment_count:
    comments = customer_marts.list_rows(
        customer_marts.MARTS["detractors"], scope, period, choices, "responded_at DESC, response_id", DETRACTOR_ROWS
    )
    data_table(
        comments[
            ["responded_at", "score", "comment", "segment", "location", "touchpoint", "acquisition_channel"]
            + ["ticket_id"]
        ],
        hide_index=True,
        column_config={
            "responded_at": st.column_config.DatetimeColumn("Answered", format="YYYY-MM-DD"),
            "score": st.column_config.NumberColumn("Score", format="%d"),
            "comment": st.column_config.TextColumn("Comment", width=380),
            "segment": "Segment",
            "location": "Location",
            "touchpoint": "Touchpoint",
            "acquisition_channel": "Acquisition channel",
            "ticket_id": "Ticket",
        },
        download="nps_detractor_comments",
    )

# --- definitions ----------------------------------------------------------------------------------------
with st.expander("KPI definitions: how every number is computed"):
    st.markdown(
        """
Every number comes from the published customer marts (schema `marts`), which hold **counts** beside each
ratio. For any selection the page **adds up the counts first and divides last**; it never averages the
rows' ratios, which would let a location with 10 answers weigh as much as one with 10,000. A month or
selection with nothing to divide by shows **—** (no data), never 0.

- **Cards** show the last month of the period; the change compares it with the month before (even when that
  month lies before the period's start). For churn, first reply time, AHT and cost a fall is good (green).
- **Channel** means three things: the *acquisition* channel (how the customer came to us) in the survey,
  churn, repeat-purchase and conversion marts (there the lead's channel), the *sales* channel of the order
  in the orders mart, the *contact* channel of the ticket in the support marts. Each has its own filter.
- **Filters** apply to every mart with that dimension. A chosen value a mart does not hold leaves it with no
  rows (—), rather than showing everyone's numbers. Handle time × sentiment has no segment, so the segment
  filter does not apply to it.
- Cut-offs (NPS 9/6, CSAT 4, CES 5/3, lost after 180 days without an order where the CRM has no status,
  a 12-month repeat window) are the warehouse's defaults; a pipeline run may set others (`dbt_project.yml`
  vars).
"""
    )
    st.markdown(
        "\n".join(
            f"- **{kpi.label}** (`{customer_marts.MARTS[kpi.mart].qualified}`): {kpi.formula}"
            for kpi in [*customer_kpis.CARD_KPIS, *HANDLE_TIME_KPIS]
        )
    )
