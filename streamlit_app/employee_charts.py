"""Charts of the Employee empathy page (Altair, shipped with Streamlit; no Streamlit here).

The survey heatmap draws a suppressed cell as its own thing: a grey cell with a dashed border and the words
"suppressed" and its short reason, outside the colour scale, so it can never read as 0 % or as missing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import altair as alt
import pandas as pd

from streamlit_app.charts import unvalidated
from streamlit_app.employee_kpis import NO_ROW, SHOWN, SUPPRESSED

SUPPRESSED_FILL = "#c8c8c8"
SUPPRESSED_STROKE = "#555555"
NO_DATA_FILL = "#ffffff"
ROW_HEIGHT = 44
WRAP_AT = 16  # characters per line of a column header
HEADER_LINE = 15  # px


def wrap(label: str, width: int = WRAP_AT) -> list[str]:
    """A header in lines of at most `width` characters, breaking at spaces (a longer word keeps its line)."""
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [label]


def _header_expr(labels: list[str]) -> str:
    """A Vega expression writing each wrapped header as its lines (Vega draws an array one item per line)."""
    expr = "datum.label"
    for label in labels:
        if len(lines := wrap(label)) > 1:
            expr = f"datum.label === {json.dumps(label)} ? {json.dumps(lines)} : ({expr})"
    return expr


@dataclass(frozen=True)
class VegaLite:
    """A chart as a plain Vega-Lite spec and the rows it draws (drawn with ui.vega_lite_chart)."""

    spec: dict
    rows: pd.DataFrame


def _datum_is(operator: str, status: str) -> dict:
    return {"filter": f"(datum.status {operator} '{status}')"}


def survey_heatmap(
    cells: pd.DataFrame,
    *,
    value_title: str,
    domain: tuple[float, float],
    column_title: str,
    group_title: str,
) -> VegaLite:
    """Group (rows) × column (dimension or indicator) cells: shown ones coloured by value on a fixed
    `domain`, suppressed ones grey and dashed with their reason, missing ones white with a dash.

    Written as the Vega-Lite spec itself, not as Altair layers: Altair copies every layer (and its shared encodings)
    when layering and again when writing the spec, most of the page's chart time for the same five layers (D782).
    The spec is the one the Altair layers wrote, key for key."""
    few = cells["few"] if "few" in cells.columns else [None] * len(cells)
    data = cells.assign(
        value=cells["value"].astype("float64"),
        respondents_text=[
            SUPPRESSED if s == SUPPRESSED else ("—" if pd.isna(r) else f"{int(r):,}")
            for s, r in zip(cells["status"], cells["respondents"], strict=True)
        ],
        value_text=[
            t if s == SHOWN else (f"{SUPPRESSED} ({c})" if s == SUPPRESSED else "no data")
            for s, t, c in zip(cells["status"], cells["text"], cells["reason_code"], strict=True)
        ],
        status_text=[
            (f"shown — {f}" if f else "shown")
            if s == SHOWN
            else (r if s == SUPPRESSED else "nothing recorded for this group")
            for s, r, f in zip(cells["status"], cells["reason_text"], few, strict=True)
        ],
        # a cell resting on few people is drawn faded: readable, but not to be read with confidence
        few=[bool(f) for f in few],
        # dark cells at both ends of the colour scale get white text
        # (a faded cell keeps dark text: its colour is light)
        dark=[
            s == SHOWN and not f and not pd.isna(v) and not (0.2 <= (v - domain[0]) / (domain[1] - domain[0]) <= 0.8)
            for s, v, f in zip(cells["status"], cells["value"], few, strict=True)
        ],
    )
    groups = data.sort_values("group_order")["group"].drop_duplicates().tolist()
    columns = data["column"].drop_duplicates().tolist()
    x = {
        "axis": {
            "domain": False,
            "labelAngle": 0,
            "labelColor": "#31333f",
            # long headers wrap at their spaces rather than being dropped for overlapping
            "labelExpr": _header_expr(columns),
            "labelFontSize": 13,
            "labelLineHeight": HEADER_LINE,
            "labelOverlap": False,
            # Vega draws further lines below the first: lift the headers so the last line clears the cells.
            "labelPadding": 6 + HEADER_LINE * (max(len(wrap(c)) for c in columns) - 1),
            "orient": "top",
            "ticks": False,
        },
        "field": "column",
        "sort": columns,
        "title": None,
        "type": "nominal",
    }
    y = {
        "axis": {"domain": False, "labelColor": "#31333f", "labelFontSize": 13, "labelLimit": 340, "ticks": False},
        "field": "group",
        "sort": groups,
        "title": None,
        "type": "nominal",
    }
    tooltip = [
        {"field": field, "title": title, "type": "nominal"}
        for field, title in (
            ("group", group_title),
            ("column", column_title),
            ("value_text", value_title),
            ("respondents_text", "Respondents"),
            ("status_text", "Status"),
        )
    ]
    shared = {"tooltip": tooltip, "x": x, "y": y}
    label = {"field": "label", "type": "nominal"}
    layers = [
        {
            "mark": {"type": "rect", "stroke": "white", "strokeWidth": 2},
            "encoding": {
                "color": {
                    "field": "value",
                    "legend": {"gradientLength": 160, "orient": "right"},
                    "scale": {"domain": list(domain), "scheme": "redyellowblue"},
                    "title": value_title,
                    "type": "quantitative",
                },
                "opacity": {"condition": {"test": "datum.few", "value": 0.45}, "value": 1.0},
                **shared,
            },
            "transform": [_datum_is("===", SHOWN)],
        },
        {
            "mark": {
                "type": "rect",
                "fill": SUPPRESSED_FILL,
                "stroke": SUPPRESSED_STROKE,
                "strokeDash": [4, 3],
                "strokeWidth": 1.2,
            },
            "encoding": dict(shared),
            "transform": [_datum_is("===", SUPPRESSED)],
        },
        {
            "mark": {"type": "rect", "fill": NO_DATA_FILL, "stroke": "#dddddd", "strokeWidth": 1},
            "encoding": dict(shared),
            "transform": [_datum_is("===", NO_ROW)],
        },
        {
            "mark": {"type": "text", "fontSize": 13},
            "encoding": {
                "color": {"condition": {"test": "datum.dark", "value": "white"}, "value": "#222222"},
                "text": label,
                **shared,
            },
            "transform": [_datum_is("!==", SUPPRESSED)],
        },
        {
            "mark": {
                "type": "text",
                "color": "#222222",
                "fontSize": 11,
                "fontStyle": "italic",
                "lineBreak": "\n",
                "lineHeight": 13,
            },
            "encoding": {"text": label, **shared},
            "transform": [_datum_is("===", SUPPRESSED)],
        },
    ]
    height = ROW_HEIGHT * max(len(groups), 1)
    # "data": the rows' dataset, named when drawn (ui.vega_lite_chart)
    return VegaLite({"layer": layers, "data": None, "height": height, "$schema": alt.SCHEMA_URL}, data)


# Value axes: thousands separated, at most two decimals and no trailing zeros ("0", "2.5", "1,250"), never
# Vega's "0.000000" ticks of a flat series.
VALUE_FORMAT = ",.2~f"


@unvalidated
def monthly_lines(
    trend: pd.DataFrame, series: dict[str, str], y_title: str, *, bars: bool = False, value_format: str = ".2f"
) -> alt.Chart:
    """One line per column of `series` (column -> label) over the months, the month axis as "Jan 2025"; with
    `bars`, the series stacked as bars (counts or money that add up)."""
    long = trend.melt(id_vars="month", value_vars=list(series), var_name="series", value_name="value")
    long["series"] = long["series"].map(series)
    long["value"] = long["value"].astype("float64")  # no-denominator months (NaN) become gaps
    chart = alt.Chart(long)
    # Bars stand on one month each (an ordinal axis); a time axis would draw them beside their label.
    x = (
        alt.X("yearmonth(month):O", title=None, axis=alt.Axis(format="%b %Y", formatType="time", labelAngle=-40))
        if bars
        else alt.X("yearmonth(month):T", title=None, axis=alt.Axis(format="%b %Y", tickCount="month", labelAngle=-40))
    )
    return (chart.mark_bar() if bars else chart.mark_line(point=True)).encode(
        x=x,
        y=alt.Y("value:Q", title=y_title, axis=alt.Axis(format=VALUE_FORMAT), stack=True if bars else None),
        color=alt.Color("series:N", title=None, sort=list(series.values()), legend=alt.Legend(orient="bottom")),
        tooltip=[
            alt.Tooltip("yearmonth(month):T", title="Month", format="%b %Y"),
            alt.Tooltip("series:N", title="Measure"),
            alt.Tooltip("value:Q", title=y_title, format=value_format),
        ],
    )
