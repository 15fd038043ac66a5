"""Streamlit pieces shared by the pages."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import streamlit as st
from streamlit import dataframe_util
from streamlit.util import calc_hash

from streamlit_app import downloads, kpis, login, settings, sources, warehouse
from streamlit_app.access import Scope
from streamlit_app.customer_kpis import Kpi, aggregate, value_of
from streamlit_app.employee_charts import VegaLite
from streamlit_app.formatting import (
    NO_DATA,
    compared_with,
    delta_arrow,
    delta_color,
    format_delta,
    format_money,
    format_month,
    format_value,
    is_small_sample,
    small_sample_note,
)
from streamlit_app.mart_loading import Loaded, lacking_sentence

NOT_PUBLISHED_MESSAGE = (
    "No warehouse has been published yet, so there is nothing to show. Build one with `make demo` "
    "(generates sample data, builds the warehouse and starts this dashboard) or `uv run empathy-lake run` "
    "(builds from your landing folder), then reload this page."
)


# Every ASCII character Markdown (and Streamlit's colour, emoji and LaTeX syntax) may give a meaning to.
MARKDOWN_SIGNS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&=^\"'])")


def plain_text(text: object) -> str:
    """Stored text (a file name, a loader message) for st.warning/st.markdown, shown as typed: every
    Markdown sign is escaped, so a file or archive member named like a link or HTML is not rendered as one."""
    return MARKDOWN_SIGNS.sub(r"\\\1", " ".join(str(text).split()))


def require_published() -> warehouse.Publication:
    """The current publication, or a clear message and the end of this page's run."""
    try:
        return warehouse.publication()
    except warehouse.NotPublishedError as exc:
        st.info(NOT_PUBLISHED_MESSAGE, icon=":material/info:")
        st.caption(f"Looked for the serving copy at `{warehouse.serving_db_path()}` ({exc}).")
        st.stop()
        raise  # st.stop() raises; this line only tells type checkers the function never returns here


def open_page(page: str) -> Scope:
    """Start page `page` (a streamlit_app.access.PAGES key): refuse it to a viewer whose role may not see it
    (also when reached by its URL), say so when nothing is published, and return the rows the viewer may
    read, for every query the page makes."""
    scope = login.require_page(page).scope
    require_published()
    return scope


def nothing_chosen(scope: Scope, kind: str) -> str:
    """What a filter on `kind` ("location", "team") reads while nothing is chosen: "All locations", or, for a
    viewer who may read one location's or team's rows only, that one ("Your location, Leeds"), so the filter never
    claims more than the page shows."""
    return f"Your {kind}, {scope.value}" if scope.kind == kind else f"All {kind}s"


def preset_from_link(key: str, parameter: str, options: list[str]) -> None:
    """Start the multiselect keyed `key` from a link's query parameter (`?location=Leeds`, `?team=Sales`; the
    This week page's movers and league tables link so, D273/D300), once per session. Only values among
    `options` — what the viewer's own rows hold — are taken, so a link cannot widen a row scope; others are
    ignored rather than breaking the page."""
    if key not in st.session_state:
        st.session_state[key] = [v for v in st.query_params.get_all(parameter) if v in options]


OLDER_PUBLICATION = (
    "This publication holds no {what} yet: it was published before they existed. They appear after the next "
    "pipeline run."
)


def report_sources(page: str, tables: dict[str, str] | None = None, stop_when_none: bool = True) -> sources.PageSources:
    """The one place a page says what its publication lacks, in words: the sources of `page` not loaded yet and
    how to load them, those whose files left no row, and (`tables`: "schema.table" -> what it holds, in words) a
    table the page needs that this publication predates. The page stops when it cannot show anything: a table
    it needs is absent, or none of its sources is loaded (unless `stop_when_none` is False)."""
    for table, what in (tables or {}).items():
        if not warehouse.table_exists(*table.split(".")):
            st.info(OLDER_PUBLICATION.format(what=what), icon=":material/info:")
            st.stop()
    status = sources.page_sources(page)
    if len(status.not_loaded):
        st.info(sources.not_loaded_sentence(status.not_loaded), icon=":material/info:")
    if len(status.no_rows):
        st.warning(sources.no_rows_sentence(status.no_rows))
    if stop_when_none and not status.any_loaded:
        st.stop()
    return status


def data_table(
    data: pd.DataFrame,
    download: str,
    column_config: dict | None = None,
    download_rows: pd.DataFrame | None = None,
    **kwargs,
) -> None:
    """st.dataframe (whose own CSV export is switched off in app.py), and a "Download CSV" button for the same
    rows (or `download_rows`, the whole list of which `data` is one page): headers as the table shows them,
    spreadsheet formulas escaped (downloads.csv_bytes). `download` names the file (without .csv) and keys the
    button."""
    st.dataframe(data, column_config=column_config, **kwargs)
    data = data if download_rows is None else download_rows
    labels, hidden = {}, []
    for column, config in (column_config or {}).items():
        if config is None:
            hidden.append(column)
        elif label := (config if isinstance(config, str) else config.get("label")):
            labels[column] = label
    rows = data.drop(columns=[c for c in hidden if c in data.columns])
    st.download_button(
        "Download CSV",
        lambda: downloads.csv_bytes(rows, labels),  # written when clicked, not on every render of the page
        file_name=f"{download}.csv",
        mime="text/csv",
        key=f"download_{download}",
        icon=":material/download:",
    )


def vega_lite_chart(chart: VegaLite, **kwargs) -> None:
    """st.vega_lite_chart of a chart written as a plain Vega-Lite spec (employee_charts.VegaLite), its rows sent as
    a dataset named by their content, as st.altair_chart sends an Altair chart's rows: the same element (D782)."""
    rows = dataframe_util.convert_anything_to_arrow_bytes(chart.rows)
    name = calc_hash(rows)
    st.vega_lite_chart(spec={**chart.spec, "data": {"name": name}, "datasets": {name: rows}}, **kwargs)


def report_loaded(loaded: Loaded, page_sources: sources.PageSources | None = None) -> None:
    """Say, in words, what this publication lacks or holds empty; their numbers show — (no data). Where the page
    already said which of its sources are not loaded (`page_sources`, from report_sources), the sentence on what
    the business's data lacks is left out: it would name the same gaps again, mart by mart."""
    for message in loaded.missing:
        st.warning(message if NO_DATA in message else f"{message} Its numbers show — (no data).")
    lacking = [] if page_sources is not None and len(page_sources.not_loaded) else loaded.lacking
    if loaded.empty or lacking:
        text = " ".join([lacking_sentence(lacking)] if lacking else [])
        if loaded.empty:
            text = f"{text} {' '.join(loaded.empty)} Their numbers show — (no data).".strip()
        st.info(text)


def period_picker(
    months: list[pd.Timestamp], default: tuple[pd.Timestamp, pd.Timestamp], key: str, help: str
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """A month-range slider, or a caption when a single month is published (a slider needs two)."""
    if len(months) > 1:
        start, end = st.select_slider(
            "Period", options=months, value=default, format_func=format_month, key=key, help=help
        )
        return start, end
    st.caption(f"Period: {format_month(months[0])} (the only month published)")
    return months[0], months[0]


def count_column(label: str) -> st.column_config.NumberColumn:
    return st.column_config.NumberColumn(label, format="localized")


def kpi_column(kpi: Kpi, label: str | None = None) -> st.column_config.NumberColumn:
    """A table column of `kpi`, money with the dashboard's currency."""
    prefix = settings.currency_symbol().replace("%", "%%") if kpi.money else ""
    return st.column_config.NumberColumn(label or kpi.label, format=f"{prefix}%.{kpi.decimals}f")


def kpi_text(kpi: Kpi, value: float | None) -> str:
    """`kpi`'s value as a card writes it: money with the currency ("£48.20"), else with its unit; — for no data."""
    if kpi.money:
        return format_money(value, settings.currency_symbol(), kpi.decimals)
    return format_value(value, kpi.decimals, kpi.unit)


def kpi_delta_text(kpi: Kpi, change: float | None) -> str | None:
    """A signed change of `kpi` ("+£1.20", "-3.0 pts"); None hides the delta."""
    if change is None or not kpi.money:
        return format_delta(change, kpi.delta_unit, kpi.decimals)
    return ("+" if change >= 0 else "") + format_money(change, settings.currency_symbol(), kpi.decimals)


def sample_label(n: float | None, minimum: int | None = None, noun: str = "answers") -> str:
    """The words beside a table's ratio: "Few answers (4 of 30)" for a small sample, else "" (and "No data"
    when there is nothing to divide by)."""
    minimum = settings.min_answers() if minimum is None else minimum
    if n is None or pd.isna(n) or n == 0:
        return "No data"
    return f"Few {noun} ({int(n):,} of {minimum:,})" if is_small_sample(float(n), minimum) else ""


def with_sample_labels(table: pd.DataFrame, counts: dict[str, str], noun: str = "answers") -> pd.DataFrame:
    """`table` with a text column `<count>_sample` beside each count column of `counts` (count -> column to
    place it after): "Few answers (4 of 30)" where the ratio rests on fewer than min_answers()."""
    out = table.copy()
    minimum = settings.min_answers()
    for count, after in counts.items():
        labels = [sample_label(n, minimum, noun) for n in out[count]]
        out.insert(out.columns.get_loc(after) + 1, f"{count}_sample", labels)
    return out


def sample_column(label: str = "Sample") -> st.column_config.TextColumn:
    return st.column_config.TextColumn(
        label,
        help=f"“Few answers” marks a ratio resting on fewer than {settings.min_answers():,} answers (setting "
        "EMPATHY_LAKE_MIN_ANSWERS): read it as a rough indication only.",
    )


def ratio_card(
    column,
    kpi: Kpi,
    rows: pd.DataFrame,
    period_rows: pd.DataFrame,
    end: pd.Timestamp,
    previous: pd.Timestamp,
    help: str | None = None,
) -> float:
    """One KPI card: `kpi` for the month `end` from the summed counts of `rows`, its change against the month
    before (which may lie outside the period: the change compares consecutive months), and a line over the
    months of `period_rows`. Returns the month's denominator (the card's n)."""
    month_rows = rows[rows["month"] == end]
    now = value_of(month_rows, kpi)
    before = value_of(rows[rows["month"] == previous], kpi)
    trend = aggregate(period_rows, kpi, ["month"])[kpi.key].dropna()
    n = float(month_rows[kpi.denominator].sum())
    _ratio_metric(column, kpi, now, before, trend, n, previous, help)
    return n


def monthly_card(
    column,
    kpi: Kpi,
    by_month: pd.DataFrame,
    period: tuple[pd.Timestamp, pd.Timestamp],
    end: pd.Timestamp,
    previous: pd.Timestamp,
    help: str | None = None,
) -> float:
    """ratio_card from the rows already summed by month (`customer_kpis.aggregate(rows, kpis, ["month"])`, one
    grouping for every card of a mart, D571/D781): the card's month, the month before and the line over the
    `period`'s (first, last) months. Returns the month's denominator (the card's n)."""
    # Plain arrays: twelve cards, each a handful of lookups (pandas indexing costs more than the lookups).
    months = by_month["month"].to_numpy()

    def value(month: pd.Timestamp, name: str) -> float | None:
        """The month's column `name`; None when the month is absent or has nothing to divide by."""
        hit = np.flatnonzero(months == pd.Timestamp(month).to_datetime64())
        found = by_month[name].iloc[hit[0]] if len(hit) else None
        return None if found is None or pd.isna(found) else float(found)

    now, before = value(end, kpi.key), value(previous, kpi.key)
    in_period = (months >= pd.Timestamp(period[0]).to_datetime64()) & (
        months <= pd.Timestamp(period[1]).to_datetime64()
    )
    trend = by_month[kpi.key].to_numpy(dtype="float64", na_value=np.nan)[in_period]
    trend = trend[~np.isnan(trend)]
    n = value(end, kpi.denominator) or 0.0
    _ratio_metric(column, kpi, now, before, trend, n, previous, help)
    return n


def _ratio_metric(
    column,
    kpi: Kpi,
    now: float | None,
    before: float | None,
    trend: pd.Series,
    n: float,
    previous: pd.Timestamp,
    help: str | None,
) -> None:
    change = kpis.change(now, before)
    delta = kpi_delta_text(kpi, change)
    column.metric(
        kpi.label,
        kpi_text(kpi, now),
        delta=delta,
        delta_color=delta_color(change, kpi.decimals, kpi.lower_is_better),
        delta_arrow=delta_arrow(change, kpi.decimals),
        delta_description=compared_with(delta, f"vs {format_month(previous)}"),
        border=True,
        help=help or kpi.help,
        chart_data=[float(v) for v in trend] if len(trend) > 1 else None,
    )
    if note := small_sample_note(n, settings.min_answers()):
        column.caption(f":orange[{note}]")
