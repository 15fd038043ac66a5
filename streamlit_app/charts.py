"""Trend charts. Altair (shipped with Streamlit) rather than st.line_chart, so the month axis reads as
months ("Jan 2025") instead of weekly date ticks, and the selection total stands out from the segments."""

from __future__ import annotations

import altair as alt
import pandas as pd

TOTAL_LABEL = "All selected"


def monthly_by_segment(by_segment: pd.DataFrame, total: pd.DataFrame, value: str, title: str) -> alt.Chart:
    """One line per segment plus the selection's total (its own summed counts, not a mean of the lines)."""
    lines = pd.concat(
        [
            by_segment[["month", "segment", value]],
            total[["month", value]].assign(segment=TOTAL_LABEL),
        ],
        ignore_index=True,
    )
    lines[value] = lines[value].astype("float64")  # no-data months (NA) become gaps in the line
    segments = sorted(by_segment["segment"].unique())
    return (
        alt.Chart(lines)
        .mark_line(point=True)
        .encode(
            x=alt.X("yearmonth(month):T", title="Month", axis=alt.Axis(format="%b %Y", tickCount="month")),
            y=alt.Y(f"{value}:Q", title=title),
            color=alt.Color("segment:N", title="Segment", sort=[*segments, TOTAL_LABEL]),
            strokeDash=alt.condition(alt.datum.segment == TOTAL_LABEL, alt.value([6, 3]), alt.value([1, 0])),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title="Month", format="%b %Y"),
                alt.Tooltip("segment:N", title="Segment"),
                alt.Tooltip(f"{value}:Q", title=title, format=".1f"),
            ],
        )
    )


def handle_time_sentiment(by_band: pd.DataFrame, bands: list[str]) -> alt.LayerChart:
    """Tickets per handle-time band (bars, left axis) with the customers' sentiment score over them (line,
    right axis, −100…100): two measures on one band axis, so each keeps its own scale."""
    data = by_band.assign(sentiment_score=by_band["sentiment_score"].astype("float64"))
    x = alt.X("band:N", title="Handle time", sort=bands, axis=alt.Axis(labelAngle=0))
    tooltip = [
        alt.Tooltip("band:N", title="Handle time"),
        alt.Tooltip("tickets:Q", title="Tickets", format=",d"),
        alt.Tooltip("scored_tickets:Q", title="Tickets with a survey", format=",d"),
        alt.Tooltip("sentiment_score:Q", title="Sentiment score", format=".1f"),
    ]
    bars = (
        alt.Chart(data)
        .mark_bar(opacity=0.45, color="#4c78a8")
        .encode(x=x, y=alt.Y("tickets:Q", title="Tickets", axis=alt.Axis(titleColor="#4c78a8")), tooltip=tooltip)
    )
    line = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(color="#e45756", size=60), color="#e45756", strokeWidth=3)
        .encode(
            x=x,
            y=alt.Y(
                "sentiment_score:Q",
                title="Sentiment score (−100…100)",
                scale=alt.Scale(domain=[-100, 100]),
                axis=alt.Axis(titleColor="#e45756", orient="right", grid=False),  # one grid: the tickets''
            ),
            tooltip=tooltip,
        )
    )
    return alt.layer(bars, line).resolve_scale(y="independent")
