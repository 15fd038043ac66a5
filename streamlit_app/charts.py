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
