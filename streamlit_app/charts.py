"""Trend charts. Altair (shipped with Streamlit) rather than st.line_chart, so the month axis reads as
months ("Jan 2025") instead of weekly date ticks, and the selection total stands out from the segments."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import altair as alt
import pandas as pd

from streamlit_app.labels import plain

Built = TypeVar("Built", bound=Callable)

# Altair's debug mode checks every channel object (alt.X, alt.Tooltip…) against the schema as it is created, for
# clearer tracebacks while a chart is written. The dashboard's charts are fixed code checked by the tests (see
# unvalidated): off for this process.
alt.utils.schemapi.disable_debug_mode()


def unvalidated(build: Built) -> Built:
    """A chart builder whose charts skip Altair's check of the spec against the Vega-Lite JSON schema when
    they are drawn. `st.altair_chart` calls `chart.to_dict()`, which validates the whole spec every render:
    most of a chart-heavy page's time (docs/performance.md, "Dashboard speed (s13)"). The builders are fixed
    code, so the check says the same every time; the test suite keeps it (every chart every page draws is
    validated against the schema in tests/test_dashboard_apptest.py)."""

    @functools.wraps(build)
    def built(*args, **kwargs):
        chart = build(*args, **kwargs)
        # SchemaBase routes attribute writes into the spec; object.__setattr__ sets a plain instance attribute.
        object.__setattr__(chart, "to_dict", functools.partial(chart.to_dict, validate=False))
        return chart

    return built  # type: ignore[return-value]


def value_when(channel: type, test, then, otherwise):
    """alt.condition(test, alt.value(then), alt.value(otherwise)) as the typed channel value it is (e.g.
    alt.OpacityValue): given the plain dict, Altair searches the schema for its class on every render (~5 ms)."""
    return channel(**alt.condition(test, alt.value(then), alt.value(otherwise)))


# Layers drawing the same rows get them once, on the layer (alt.layer(..., data=rows)), not on each layer: Altair
# would otherwise find the shared frame and hash its text rendering to move it up, on every render.


TOTAL_LABEL = "All selected"
# Axis numbers without padding zeros: "12", "0.5", never "0.000000" (Vega's default for a flat line of zeros).
AXIS_NUMBER = ",~f"


@unvalidated
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
            y=alt.Y(f"{value}:Q", title=title, axis=alt.Axis(format=AXIS_NUMBER)),
            color=alt.Color("segment:N", title="Segment", sort=[*segments, TOTAL_LABEL]),
            strokeDash=value_when(alt.StrokeDashValue, alt.datum.segment == TOTAL_LABEL, [6, 3], [1, 0]),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title="Month", format="%b %Y"),
                alt.Tooltip("segment:N", title="Segment"),
                alt.Tooltip(f"{value}:Q", title=title, format=".1f"),
            ],
        )
    )


@unvalidated
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
        alt.Chart()
        .mark_bar(opacity=0.45, color="#4c78a8")
        .encode(
            x=x,
            y=alt.Y("tickets:Q", title="Tickets", axis=alt.Axis(titleColor="#4c78a8", format=AXIS_NUMBER)),
            tooltip=tooltip,
        )
    )
    line = (
        alt.Chart()
        .mark_line(point=alt.OverlayMarkDef(color="#e45756", size=60), color="#e45756", strokeWidth=3)
        .encode(
            x=x,
            y=alt.Y(
                "sentiment_score:Q",
                title="Sentiment score (−100…100)",
                scale=alt.Scale(domain=[-100, 100]),
                axis=alt.Axis(titleColor="#e45756", orient="right", grid=False, format=AXIS_NUMBER),  # one grid''
            ),
            tooltip=tooltip,
        )
    )
    return alt.layer(bars, line, data=data).resolve_scale(y="independent")


@unvalidated
def monthly_by_group(
    by_group: pd.DataFrame, total: pd.DataFrame, value: str, title: str, group: str, group_title: str
) -> alt.Chart:
    """As monthly_by_segment, for any grouping column (the Brand & voice page's review / mention lines)."""
    renamed = by_group[["month", group, value]].rename(columns={group: "segment"})
    return monthly_by_segment(renamed, total, value, title).encode(
        color=alt.Color("segment:N", title=group_title, sort=[*sorted(renamed["segment"].unique()), TOTAL_LABEL]),
        tooltip=[
            alt.Tooltip("yearmonth(month):T", title="Month", format="%b %Y"),
            alt.Tooltip("segment:N", title=group_title),
            alt.Tooltip(f"{value}:Q", title=title, format=".1f"),
        ],
    )


@unvalidated
def rating_distribution(distribution: pd.DataFrame) -> alt.Chart:
    """Share of reviews per whole star (bars), with the count in the tooltip."""
    data = distribution.assign(
        share_pct=distribution["share_pct"].astype("float64"), label=lambda d: d["stars"].astype(str) + " ★"
    )
    return (
        alt.Chart(data)
        .mark_bar(color="#f2a900")
        .encode(
            x=alt.X("label:N", title="Rating", sort=[f"{s} ★" for s in range(1, 6)], axis=alt.Axis(labelAngle=0)),
            y=alt.Y("share_pct:Q", title="Share of reviews (%)", axis=alt.Axis(format=AXIS_NUMBER)),
            tooltip=[
                alt.Tooltip("label:N", title="Rating"),
                alt.Tooltip("reviews:Q", title="Reviews", format=",d"),
                alt.Tooltip("share_pct:Q", title="Share %", format=".1f"),
            ],
        )
    )


@unvalidated
def theme_shares(themes: pd.DataFrame) -> alt.Chart:
    """Theme share (% of texts mentioning it) as horizontal bars, coloured by the theme's sentiment."""
    data = themes.assign(
        theme_share_pct=themes["theme_share_pct"].astype("float64"),
        theme_sentiment_score=themes["theme_sentiment_score"].astype("float64"),
        label=themes["theme"].map(plain),
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort="-x"),
            x=alt.X("theme_share_pct:Q", title="Share of texts (%)", axis=alt.Axis(format=AXIS_NUMBER)),
            color=alt.Color(
                "theme_sentiment_score:Q",
                title="Theme sentiment",
                scale=alt.Scale(scheme="redyellowgreen", domain=[-100, 100]),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Theme"),
                alt.Tooltip("theme_texts:Q", title="Texts with the theme", format=",d"),
                alt.Tooltip("texts:Q", title="Texts", format=",d"),
                alt.Tooltip("theme_share_pct:Q", title="Share %", format=".1f"),
                alt.Tooltip("theme_sentiment_score:Q", title="Theme sentiment", format=".1f"),
            ],
        )
    )


def _with_ci(rows: pd.DataFrame, value: str) -> pd.DataFrame:
    """`value` and its 95 % CI bounds as floats (NA → gaps), for the impact charts."""
    return rows.assign(**{c: rows[c].astype("float64") for c in (value, "ci_low", "ci_high")})


def _value_and_ci_tooltips(value: str, title: str, number_format: str) -> list[alt.Tooltip]:
    return [
        alt.Tooltip(f"{value}:Q", title=title, format=number_format),
        alt.Tooltip("ci_low:Q", title="95 % CI from", format=number_format),
        alt.Tooltip("ci_high:Q", title="95 % CI to", format=number_format),
    ]


@unvalidated
def event_study(rows: pd.DataFrame, unit_label: str) -> alt.LayerChart:
    """Effect by month relative to the start (0 = first month with the initiative): the estimate as a line with
    its 95 % CI as a band, a dashed rule at the start and a grey rule at no effect. Months before the start
    should sit near zero; if they do not, the trends already differed."""
    data = _with_ci(rows, "estimate").assign(
        relative_month=rows["relative_month"].astype("int64"),
        period=rows["is_pre"].map({True: "Before the start", False: "After the start"}),
    )
    title = f"Difference ({unit_label})" if unit_label else "Difference"
    x = alt.X("relative_month:Q", title="Months since the start (0 = first month)", axis=alt.Axis(tickMinStep=1))
    y = alt.Y("estimate:Q", title=title)
    tooltip = [
        alt.Tooltip("relative_month:Q", title="Months since the start"),
        *_value_and_ci_tooltips("estimate", "Estimate", ".2f"),
        alt.Tooltip("n_obs:Q", title="Observations", format=",d"),
    ]
    band = (
        alt.Chart(data)
        .mark_area(opacity=0.2, color="#4c78a8")
        .encode(x=x, y=alt.Y("ci_low:Q", title=title), y2=alt.Y2("ci_high:Q"), tooltip=tooltip)
    )
    line = (
        alt.Chart(data)
        .mark_line(point=True, color="#4c78a8")
        .encode(x=x, y=y, shape=alt.Shape("period:N", title=None), tooltip=tooltip)
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="#888888").encode(y=alt.Y("y:Q", title=title))
    start = pd.DataFrame({"x": [0], "label": ["Start"]})
    start_rule = alt.Chart(start).mark_rule(color="#e45756", strokeDash=[6, 3], strokeWidth=2).encode(x=alt.X("x:Q"))
    start_text = (
        alt.Chart(start)
        .mark_text(align="left", dx=4, dy=-6, color="#e45756", fontWeight="bold")
        .encode(x=alt.X("x:Q"), y=alt.YValue(8), text=alt.Text("label:N"))
    )
    return alt.layer(band, zero, start_rule, line, start_text)


@unvalidated
def key_drivers(rows: pd.DataFrame, scale: str, directions: list[str]) -> alt.LayerChart:
    """Drivers of one kind (one scale, named by `scale`): importance as bars, largest first, with its 95 % CI as an
    error bar; colour: `direction_label`, one of `directions` (more of it goes with a higher / lower outcome)."""
    data = _with_ci(rows, "importance")
    order = list(data.sort_values("importance", ascending=False)["driver_label"])
    y = alt.Y("driver_label:N", title=None, sort=order)
    x_title = scale
    tooltip = [
        alt.Tooltip("driver_label:N", title="Driver"),
        alt.Tooltip("kind:N", title="Kind"),
        *_value_and_ci_tooltips("importance", "Importance", ".3f"),
        alt.Tooltip("n:Q", title="Answers or customers", format=",d"),
    ]
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            y=y,
            x=alt.X("importance:Q", title=x_title),
            color=alt.Color(
                "direction_label:N",
                title="More of it goes with",
                scale=alt.Scale(domain=directions, range=["#4c78a8", "#f58518"]),
            ),
            tooltip=tooltip,
        )
    )
    errors = (
        alt.Chart()
        .mark_errorbar(ticks=True, color="#333333")
        .encode(y=y, x=alt.X("ci_low:Q", title=x_title), x2=alt.X2("ci_high:Q"), tooltip=tooltip)
    )
    return alt.layer(bars, errors, data=data)


@unvalidated
def service_profit_chain(points: pd.DataFrame, employee_title: str, customer_title: str) -> alt.LayerChart:
    """One point per location and survey wave: the employee measure against the same location's customer KPI in
    the following months, with a least-squares line to guide the eye."""
    data = points.assign(
        employee_value=points["employee_value"].astype("float64"),
        customer_value=points["customer_value"].astype("float64"),
    )
    tooltip = [
        alt.Tooltip("location:N", title="Location"),
        alt.Tooltip("wave:N", title="Survey wave"),
        alt.Tooltip("employee_value:Q", title=employee_title, format=".2f"),
        alt.Tooltip("customer_value:Q", title=customer_title, format=".2f"),
        alt.Tooltip("respondents:Q", title="Employees who answered", format=",d"),
        alt.Tooltip("customer_n:Q", title="Customer answers", format=",d"),
    ]
    dots = (
        alt.Chart()
        .mark_circle(size=80, opacity=0.8)
        .encode(
            x=alt.X("employee_value:Q", title=employee_title, scale=alt.Scale(zero=False)),
            y=alt.Y("customer_value:Q", title=customer_title, scale=alt.Scale(zero=False)),
            color=alt.Color("location:N", title="Location"),
            tooltip=tooltip,
        )
    )
    trend = (
        alt.Chart()
        .transform_regression("employee_value", "customer_value")
        .mark_line(color="#333333", strokeDash=[4, 3])
        .encode(x=alt.X("employee_value:Q"), y=alt.Y("customer_value:Q"))
    )
    return alt.layer(dots, trend, data=data)


@unvalidated
def share_bars(data: pd.DataFrame, label: str, share: str, count: str, label_title: str) -> alt.Chart:
    """Horizontal bars of a share (%) per label, largest first, with the count behind it in the tooltip."""
    rows = data.assign(**{share: data[share].astype("float64")})
    return (
        alt.Chart(rows)
        .mark_bar(color="#e45756")
        .encode(
            y=alt.Y(f"{label}:N", title=None, sort="-x", axis=alt.Axis(labelLimit=260)),
            x=alt.X(f"{share}:Q", title="Share of comments (%)", axis=alt.Axis(format=AXIS_NUMBER)),
            tooltip=[
                alt.Tooltip(f"{label}:N", title=label_title),
                alt.Tooltip(f"{count}:Q", title="Comments", format=",d"),
                alt.Tooltip(f"{share}:Q", title="Share %", format=".1f"),
            ],
        )
    )


@unvalidated
def alert_history(history: pd.DataFrame, label: str, base_unit: str, alert_month: pd.Timestamp) -> alt.LayerChart:
    """An alert's KPI per month (the Alerts page), with a dashed rule at the alert's month. A month without a figure
    (NULL value) is a gap in the line, never a point at 0."""
    line = (
        alt.Chart(history)
        .mark_line(point=True, invalid="break-paths-show-domains")
        .encode(
            x=alt.X("yearmonth(month):T", title="Month", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("value:Q", title=label),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title="Month", format="%b %Y"),
                alt.Tooltip("value:Q", title=label, format=".1f"),
                alt.Tooltip("base_count:Q", title=f"Based on ({base_unit})", format=",.0f"),
            ],
        )
    )
    marker = (
        alt.Chart(pd.DataFrame({"month": [alert_month]}))
        .mark_rule(strokeDash=[6, 3], color="#e45756")
        .encode(x=alt.X("yearmonth(month):T"))
    )
    return line + marker
