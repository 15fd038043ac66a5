"""This week: the headline KPIs of every area the viewer's role sees, for the latest complete month, with their
change against the month before and the same month last year, target status, the biggest movers, league
tables of locations and teams, and the open alerts; each area links to its detail page.

Every number is read from marts.kpi_summary / marts.kpi_summary_monthly (computed from counts in dbt); the
page only decides how to show them (streamlit_app/summary.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from streamlit_app import access, kpi_catalog, login, settings, summary, warehouse
from streamlit_app.formatting import compared_with, delta_arrow, delta_color, format_month, small_sample_note
from streamlit_app.labels import plain
from streamlit_app.ui import data_table, report_sources, require_published

PAGE = "summary"
CARDS_PER_ROW = 3  # four cut values and "vs Nov 2025" short ("142 …", "vs No…") on a laptop beside the menu
LEAGUES = {  # tab -> (scope, area that must be visible, KPIs ranked)
    "Locations": ("location", "Customers", ("nps", "csat_pct")),
    "Teams": ("team", "Employees", ("turnover_pct", "enps")),
}

user = login.require_page(PAGE)
scope = user.scope
require_published()
currency = settings.currency_symbol()
minimum = settings.min_answers()
areas = summary.visible_areas(user.pages)

st.title("This week")
report_sources("summary", {"marts.kpi_summary": "headline figures"}, stop_when_none=False)

rows = warehouse.query_table("*", "marts.kpi_summary", scope, "ORDER BY sort_order, scope, scope_value")
own = rows[rows["scope"] == ("business" if scope.everything else scope.kind)]
if not scope.everything:
    own = own[own["scope_value"] == scope.value]
if own.empty:
    st.info("Nothing in this publication's summary is yours to see yet.")
    st.stop()

# The page's month: the one most headline KPIs read; a card whose KPI reads another period says so.
period_start = pd.Timestamp(own.loc[own["kpi"] != "enps", "period_start"].mode().max())
if pd.isna(period_start):  # only eNPS in view: its wave's month
    period_start = pd.Timestamp(own["period_start"].iloc[0])
previous_month = period_start - pd.DateOffset(months=1)
last_year = period_start - pd.DateOffset(months=12)
snapshot_kpis = (
    set(warehouse.query("SELECT kpi FROM marts.kpi_snapshot_sources WHERE is_snapshot")["kpi"])
    if warehouse.table_exists("marts", "kpi_snapshot_sources")
    else set()
)
st.caption(
    f"**{format_month(period_start)}**, the latest complete month of the data, compared with "
    f"{format_month(previous_month)} and with {format_month(last_year)}. "
    f"{summary.scope_note(scope.kind, scope.value)} "
    f"A number resting on fewer than {minimum:,} answers (tickets, people…) is marked as a small sample."
)

benchmarks = (
    warehouse.query("SELECT * FROM marts.kpi_benchmarks ORDER BY kpi, industry")
    if warehouse.table_exists("marts", "kpi_benchmarks")
    else pd.DataFrame(columns=["kpi"])
)


def kpi_card(column, row: pd.Series, area_month: pd.Timestamp) -> None:
    """One headline KPI: value and change vs the previous period (grey when it rounds to zero), then its n (and
    its period when not the area's month), the change vs last year, the target status in words, a small-sample
    note, why a snapshot export has no monthly figure, and published reference values."""
    unit, decimals = row["unit"], int(row["decimals"])
    higher = row["higher_is_better"]
    lower_is_better = False if summary.is_missing(higher) else not bool(higher)
    vs_previous = summary.change(row["value"], row["previous_value"])
    delta = summary.format_change(row["value"], row["previous_value"], unit, decimals, currency)
    column = column.container(border=True)
    column.metric(
        row["kpi_label"],
        summary.format_kpi(row["value"], unit, decimals, currency),
        delta=delta,
        delta_color=delta_color(vs_previous, decimals, lower_is_better) if not summary.is_missing(higher) else "off",
        delta_arrow=delta_arrow(vs_previous, decimals),
        # "vs Nov 2017" only beside a change: no previous value (a snapshot's headcount), no comparison phrase.
        delta_description=compared_with(
            # Just the month: "vs Sep 2025 wave" was cut short on a laptop; the n line names the wave.
            delta,
            f"vs {format_month(pd.Timestamp(row['previous_period_start']))}",
        )
        if not summary.is_missing(row["previous_period_start"]) and row.get("value_basis") != summary.TO_DATE
        else None,
    )
    lines = []
    n = int(row["n"])
    has_value = not summary.is_missing(row["value"])
    own_period = row["kpi"] != "enps" and (
        pd.Timestamp(row["period_start"]) != area_month or summary.period_words(row) != format_month(area_month)
    )
    to_date = row.get("value_basis") == summary.TO_DATE
    if to_date:
        lines.append(f"{n:,} {summary.to_date_noun(row['kpi'])} · {summary.to_date_words(row['kpi'])}")
    elif has_value:
        lines.append(
            f"{n:,} {row['n_noun']}"
            + (f" in {summary.period_words(row)}" if own_period else "")
            + (f" in the {summary.period_words(row)}" if row["kpi"] == "enps" else "")
        )
    elif row["kpi"] in snapshot_kpis:
        lines.append(summary.snapshot_words(str(row["kpi_label"])))
    else:
        lines.append(f"No data for {summary.period_words(row)}")
    vs_last_year = summary.coloured_change(row["value"], row["last_year_value"], row, currency)
    if to_date:
        pass  # a share to date has no month a year ago
    elif vs_last_year is not None:
        lines.append(f"{vs_last_year} vs a year ago ({int(row['last_year_n']):,} {row['n_noun']})")
    else:
        lines.append("No figure a year ago to compare with")
    if status := summary.status_words(row["status"]):
        lines.append(f"{status} · {summary.target_words(row, currency)}")
    column.caption("  \n".join(lines))
    if row["measure"] == "ratio" and (note := small_sample_note(n, minimum, str(row["n_noun"]))):
        column.caption(f":orange[{note}]")
    published = summary.benchmark_words(benchmarks, row["kpi"])
    if published:
        with column.popover("Published reference", icon=":material/menu_book:"):
            st.caption("Context only, from public sources; your own target is the yardstick.")
            for text in published:
                st.markdown(f"- {text}")


# --- the areas ----------------------------------------------------------------------------------------------
if not areas:
    st.info("Your role sees none of the summary's areas.")
for area in areas:
    area_rows = own[own["area"] == area]
    header, link = st.columns([2, 1], vertical_alignment="bottom")  # room for "Open Customer empathy"
    header.subheader(area)
    page_key = summary.AREA_PAGES[area]
    link.page_link(
        access.PAGES[page_key].path(page_key),
        label=f"Open {access.PAGES[page_key].title}",
        icon=":material/arrow_forward:",
    )
    # A location's view has no turnover, headcount or lost worktime: say why instead of leaving them out silently.
    not_here = [k for k in summary.NOT_PER_LOCATION if scope.kind == "location" and k not in set(area_rows["kpi"])]
    if area == "Employees" and not_here:
        labels = [kpi_catalog.label(k) for k in not_here]
        st.caption(summary.not_per_location_words(labels))
    if area_rows.empty:
        st.caption(f"No data for {area.lower()} in this publication for your view.")
        continue
    area_month = pd.Timestamp(area_rows.loc[area_rows["kpi"] != "enps", "period_start"].mode().max())
    if pd.notna(area_month) and area_month != period_start:
        st.caption(
            f"This area's data ends at a different date: its cards show **{format_month(area_month)}**, the latest "
            f"complete month of its data, compared with {format_month(area_month - pd.DateOffset(months=1))} and "
            f"{format_month(area_month - pd.DateOffset(months=12))}."
        )
    for start in range(0, len(area_rows), CARDS_PER_ROW):
        columns = st.columns(CARDS_PER_ROW)
        for column, (_, row) in zip(columns, area_rows.iloc[start : start + CARDS_PER_ROW].iterrows(), strict=False):
            kpi_card(column, row, area_month)
    if area == "Employees" and {"turnover_pct", "headcount"} <= set(area_rows["kpi"]):
        st.caption(summary.STAFF_WORDS)

# --- what moved, and league tables (whole-business viewers: a scoped view holds one location or team) -----------
visible = rows[rows["area"].isin(areas)]
if scope.everything and areas:
    st.subheader("Biggest movers")
    moved, left_out = summary.movers(visible, minimum)
    if moved.empty:
        st.caption("No location or team changed on enough answers in both months to compare.")
    for _, row in moved.iterrows():
        st.markdown(f"- {summary.mover_words(row, currency)}")
        # A location opens Customer empathy filtered to it, a team Employee empathy (when it is this area's page).
        page = summary.filter_page(row["scope"], user.pages)
        if page == summary.AREA_PAGES[row["area"]]:
            st.page_link(
                access.PAGES[page].path(page),
                label=f"See {row['scope_value']} on {access.PAGES[page].title}",
                icon=":material/arrow_forward:",
                query_params={row["scope"]: row["scope_value"]},
            )
    st.caption(
        "Changes against each area's month before, in points (percentages, NPS, eNPS, sentiment), largest "
        f"first; only where both months rest on at least {minimum:,} answers"
        + (f" ({left_out:,} smaller changes left out)." if left_out else ".")
    )

    leagues = {tab: spec for tab, spec in LEAGUES.items() if spec[1] in areas}
    if leagues:
        st.subheader("League tables")
        monthly = warehouse.query_table(
            "kpi, scope, scope_value, month, value, n",
            "marts.kpi_summary_monthly",
            scope,
            "WHERE scope IN ('location', 'team') AND kpi IN ('nps', 'csat_pct', 'turnover_pct', 'enps')",
        )
        for tab, (league_scope, _, kpis) in zip(st.tabs(list(leagues)), leagues.values(), strict=True):
            with tab:
                for kpi in kpis:
                    table = summary.league(visible, monthly, kpi, league_scope, minimum)
                    label = visible.loc[visible["kpi"] == kpi, "kpi_label"]
                    if table.empty or label.empty:
                        continue
                    st.markdown(f"**{label.iloc[0]}** by {league_scope}")
                    shown = summary.league_for_display(table)
                    link_page = summary.filter_page(league_scope, user.pages)
                    if link_page:  # each row opens its location's or team's detail page, filtered to it
                        shown["link"] = [summary.filter_url(link_page, league_scope, v) for v in shown["scope_value"]]
                    data_table(
                        shown,
                        download_rows=shown.drop(columns=["link"], errors="ignore"),
                        download=f"league_{league_scope}_{kpi}",
                        hide_index=True,
                        column_config={
                            "rank": "Rank",
                            "scope_value": plain(league_scope),
                            "value": st.column_config.NumberColumn(label.iloc[0], format="%.1f"),
                            "n": st.column_config.NumberColumn("Answers (n)", format="localized"),
                            "previous_rank": summary.rank_before_words(visible, kpi),
                            "rank_change": st.column_config.TextColumn(
                                "Places gained",
                                help="Up (+) or down (−) since the previous month (eNPS: survey wave); "
                                "— not ranked then",
                            ),
                            "trend": st.column_config.LineChartColumn(f"Last {summary.TREND_MONTHS} months"),
                            "note": "Note",
                            "link": st.column_config.LinkColumn(
                                "Details",
                                display_text=f"Open on {access.PAGES[link_page].title}" if link_page else None,
                                help="Opens the detail page filtered to this row (in a new tab)",
                            ),
                        },
                        column_order=["rank", "scope_value", *(["link"] if link_page else []), "value", "n"]
                        + ["rank_change", "previous_rank", "trend", "note"],
                    )
                st.caption(
                    f"Rank 1 is the best by each KPI's direction. Only values on at least {minimum:,} answers "
                    "are ranked; smaller ones are listed below them, unranked. Teams too small to report on "
                    "their own are never listed (their people count in the whole business)."
                )

# --- open alerts -----------------------------------------------------------------------------------------------
if summary.ALERTS_PAGE in user.pages and warehouse.table_exists("meta", "alerts"):
    header, link = st.columns([3, 1], vertical_alignment="bottom")
    header.subheader("Open alerts")
    link.page_link(access.PAGES["alerts"].path("alerts"), label="Open Alerts", icon=":material/arrow_forward:")
    alerts = warehouse.query_table(
        "severity, kpi, scope, scope_value, period, kpi_value, previous_value, base_count, base_unit, reason, "
        "last_seen_at",
        "meta.alerts",
        scope,
        "WHERE status = 'open'",
    )
    if alerts.empty:
        st.caption("No open alerts.")
    else:
        counts = summary.alert_counts(alerts)
        st.markdown(" · ".join(f"**{count:,}** {plain(severity).lower()}" for severity, count in counts.items()))
        for _, alert in summary.top_alerts(alerts, as_of=period_start).iterrows():
            st.markdown(f"- {summary.alert_words(alert, as_of=period_start)}")
        st.caption(
            f"Listed first: alerts about the last {summary.RECENT_ALERT_MONTHS} months before "
            f"{format_month(period_start)} lead, highest severity first; an alert stays open while its month's "
            "numbers are in the data, so older ones are marked as old."
        )
