"""Employee empathy: eNPS, engagement, turnover, absence and EAP cards; a heatmap of the survey dimensions
per team (or location, manager, tenure band) with the anonymity threshold made visible; manager empathy
indicators; workforce trends. From the employee marts of the serving copy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import streamlit as st

from streamlit_app import employee_charts, employee_kpis, employee_marts, kpi_catalog, kpis, settings, warehouse
from streamlit_app.employee_kpis import BREAKDOWNS, SUPPRESSED, OrgFigure
from streamlit_app.formatting import (
    NO_DATA,
    compared_with,
    delta_arrow,
    delta_color,
    format_delta,
    format_money,
    format_month,
    format_value,
    small_sample_note,
)
from streamlit_app.labels import plain
from streamlit_app.ui import (
    data_table,
    nothing_chosen,
    open_page,
    preset_from_link,
    report_loaded,
    report_sources,
    vega_lite_chart,
)

# The labels of the KPIs This week shows too: one definition (streamlit_app/kpi_catalog.py, D302).
ENPS, TURNOVER = kpi_catalog.label("enps"), kpi_catalog.label("turnover_pct")
LOST_WORKTIME = kpi_catalog.label("absence_pct")
ENGAGEMENT = "Engagement % fav."  # % favourable; the full name would not fit the card
MONEY = "money"  # a card's delta_unit for money: the change is written with the currency
HELP = {
    ENPS: "eNPS = 100 × (promoters − detractors) / responses to the eNPS question (0–10); promoters answer "
    "9–10, detractors 0–6, passives (7–8) stay in the denominator (Bain). Whole organisation: the `org` row of "
    "`marts.employee_enps_wave`. −100…100.",
    ENGAGEMENT: "Engagement % favourable = 100 × favourable answers / answers to the engagement "
    "questions; favourable = at or above the item's favourable cut (4–5 on 1–5), after flipping reverse-scored "
    "items. Whole organisation: the `org` row of `marts.employee_survey_dimension_wave`.",
    TURNOVER: "Turnover % = 100 × separations / average headcount (SHRM); average headcount = (employed on "
    "the 1st + employed after the last day) / 2; workers, not position changes; voluntary and involuntary "
    "together. Σ over every team of `marts.employee_headcount_monthly`, divided last.",
    "Absence rate %": "Absence rate % = 100 × employees with a non-vacation absence starting in the month / "
    "employees employed in the month (BLS, adapted). Σ over every team of `marts.employee_absence_monthly`, "
    "divided last.",
    "EAP utilisation %": "EAP utilisation % = 100 × distinct (pseudonymised) Employee Assistance Programme users "
    "in the month / employees employed in the month. Whole organisation only (`marts.employee_eap_monthly`): "
    "health data is never broken down, and a month with too few users to keep them anonymous shows a dash.",
    "Turnover cost": "Turnover cost = Σ over the leavers of the month (recruiting + onboarding + lost-productivity "
    "cost of their job level). The costs per job level are assumptions your business sets (listed under the "
    "table); job levels without their own line use the default line. Whole organisation.",
    "Cost per leaver": "Cost per leaver = Σ turnover cost / Σ leavers over the period.",
    "Recognised %": "Recognised % = 100 × employees recognised at least once in the month / employees employed "
    "in the month (sum over teams first, divide last).",
    "Recognitions per employee": "Recognitions per employee = recognitions received in the month / employees "
    "employed in the month.",
    "Requests answered %": "Requests answered % = 100 × internal requests answered / internal requests opened in "
    "the month (requests employees raise to other teams, e.g. IT or payroll).",
    "Mean hours to answer": "Mean hours to answer = Σ hours from opening to the answer / answered requests, "
    "requests opened in the month. The table also gives each team's median, which cannot be added up across "
    "teams or months.",
}
# The trend table: per month the counts beside each ratio (column -> header, decimals). Voluntary and
# involuntary turnover are in the chart (and its tooltips) only, to keep the table on one screen.
TREND_COLUMNS = {
    "avg_headcount": ("Avg headcount", None),
    "separations": ("Separations", None),
    "turnover_pct": (TURNOVER, 2),
    "absence_employees": ("Employees", None),
    "employees_absent": ("Absent", None),
    "absence_rate_pct": ("Absence rate %", 2),
    "lost_worktime_pct": (LOST_WORKTIME, 2),
    "eap_users": ("EAP users", None),
    "eap_utilisation_pct": ("EAP utilisation %", 2),
}


def _wave_text(wave: str | None) -> str:
    return employee_kpis.wave_name(wave_names, wave)


def _card(
    column,
    label: str,
    now: float | None,
    before: float | None,
    vs: str,
    *,
    unit: str = "",
    lower_is_better: bool | None = False,
    trend: list[float] | None = None,
    suppressed: OrgFigure | None = None,
    n: float | None = None,
    noun: str = "people",
    no_data: str | None = None,
    decimals: int = 1,
    show: Callable[[float | None], str] | None = None,
    delta_unit: str = " pts",
) -> None:
    """One KPI card: the value, its change (grey when it rounds to nothing; `lower_is_better` None: a change
    is neither good nor bad), a line, and under it why there is no number (`no_data`) or that the number rests
    on few answers or people (fewer than settings.min_answers())."""
    help_text = HELP[label]
    show = show or (lambda value: format_value(value, decimals, unit))
    if suppressed is not None and suppressed.suppressed:
        column.metric(
            label,
            SUPPRESSED,
            border=True,
            help=f"{help_text}\n\nSuppressed: {employee_kpis.reason_text(suppressed.suppression_reason)}",
        )
        return
    change = kpis.change(now, before)
    delta = _delta_text(change, delta_unit, decimals)
    column.metric(
        label,
        show(now),
        delta=delta,
        delta_color="off" if lower_is_better is None else delta_color(change, decimals, lower_is_better),
        delta_arrow=delta_arrow(change, decimals),
        delta_description=compared_with(delta, vs),
        border=True,
        help=help_text,
        chart_data=trend if trend and len(trend) > 1 else None,
    )
    if now is None and no_data:
        column.caption(no_data)
    elif now is not None and (note := small_sample_note(n, settings.min_answers(), noun)):
        column.caption(f":orange[{note}]")


def _delta_text(change: float | None, unit: str, decimals: int) -> str | None:
    if unit == MONEY and change is not None:
        return ("+" if change >= 0 else "-") + format_money(abs(change), settings.currency_symbol(), 0)
    return format_delta(change, unit, decimals)


def _series(values: pd.Series) -> list[float]:
    return [float(v) for v in values.dropna()]


def _legend(cells: pd.DataFrame) -> str:
    """The heatmap's legend: what grey means, and both reasons in full (with this data's threshold)."""
    threshold = employee_marts.survey_threshold()
    codes = [c for c in cells["reason_code"].dropna().unique() if c.startswith("n < ")]
    few = f"n < {threshold}" if threshold else (codes[0] if codes else None)
    too_few = (
        f"**{few}**: fewer than {few.removeprefix('n < ')} people in this group answered the question"
        if few
        else "**Too few answers**: too few people in this group answered the question"
    )
    return (
        "**Grey dashed cells are suppressed** and carry no number (they are never 0). "
        f"{too_few}, so its results are hidden to keep answers anonymous. "
        f"**{employee_kpis.COMPLEMENTARY_CODE}**: enough people answered, but the group is hidden too, because "
        "together with the groups that are shown it would let someone work out a smaller hidden group's results "
        "by subtraction (complementary suppression). Hover a cell for its reason in full. A white cell with "
        f"{NO_DATA} has no data (nothing was recorded for it). **Faded cells** rest on fewer than "
        f"{settings.min_answers()} people: shown, but one answer more or less moves them a lot."
    )


def _survey_section(
    cells: pd.DataFrame, *, value_title: str, domain, column_title: str, group_title: str, download: str
) -> None:
    chart_tab, table_tab = st.tabs(["Heatmap", "Numbers table"])
    with chart_tab:
        chart = employee_charts.survey_heatmap(
            cells,
            value_title=value_title,
            domain=domain,
            column_title=column_title,
            group_title=group_title,
        )
        vega_lite_chart(chart, width="stretch")
        st.caption(_legend(cells))
    with table_tab:
        data_table(
            employee_kpis.cells_table(cells),
            hide_index=True,
            width="stretch",
            column_config={
                "group": group_title,
                "column": column_title,
                "respondents": st.column_config.TextColumn("Respondents"),
                "answers": st.column_config.TextColumn("Answers"),
                "favourable_answers": st.column_config.TextColumn("Favourable answers"),
                "favourable_pct": st.column_config.TextColumn("% favourable"),
                "mean_score": st.column_config.TextColumn("Mean score (1–5)"),
                "status": st.column_config.TextColumn("Status", width="large"),
            },
            download=download,
        )


scope = open_page("employee_empathy")
st.title("Employee empathy")
st.caption(
    "How employees feel (survey waves) and what the workforce does (turnover, absence, use of the Employee "
    "Assistance Programme). Survey results of a group with too few respondents — or hidden so that they cannot "
    "be worked out from the groups shown — read **suppressed** with the reason, never 0 or blank. "
    f"“{NO_DATA}” means no data."
)

page_sources = report_sources("employee_empathy")
loaded = employee_marts.load_all(scope)
frames = loaded.frames
report_loaded(loaded, page_sources)

dimensions, indicators, enps = frames["dimensions"], frames["indicators"], frames["enps"]
headcount, absence, eap = frames["headcount"], frames["absence"], frames["eap"]
all_waves = employee_kpis.waves(dimensions, enps, indicators)
wave_month = employee_kpis.wave_months(dimensions, enps, indicators)
wave_names = employee_kpis.wave_names(wave_month)
monthly = [frames[name] for name in employee_marts.MONTHLY]
all_months = employee_kpis.months_of(*monthly)
if not all_waves and not all_months:
    st.info("No employee survey waves and no monthly workforce figures are published yet, so there is nothing to show.")
    st.stop()


# --- filters -------------------------------------------------------------------------------------------------
def _follow_wave() -> None:
    """A newly chosen wave older than the slider's months switches on every month, so the period can follow it."""
    month = wave_month.get(st.session_state.get("employee_wave"))
    if month is not None and recent_months and month < recent_months[0]:
        st.session_state["employee_all_months"] = True


# The slider offers the latest RECENT_MONTHS months (a history reconstructed from decades of hire dates would
# make a year a sliver of it); a toggle under it offers every month.
recent_months = employee_kpis.latest_months(all_months, employee_kpis.RECENT_MONTHS)


wave_col, breakdown_col, team_col, period_col = st.columns([1, 1, 1, 2])
with wave_col:
    wave = (
        st.selectbox(
            "Survey wave",
            all_waves[::-1],
            format_func=_wave_text,
            key="employee_wave",
            on_change=_follow_wave,
            help="The survey cards, the heatmap and the manager indicators show this survey; the survey cards' "
            "change compares it with the survey before. Choosing a survey also moves the period to the 12 months "
            "ending in the month it was answered, so the workforce cards show that month.",
        )
        if all_waves
        else None
    )
with breakdown_col:
    offered = (employee_kpis.breakdowns_of(dimensions, wave) if wave else []) or list(BREAKDOWNS)
    breakdown = st.selectbox(
        "Break survey results down by",
        offered,
        format_func=BREAKDOWNS.get,
        key="employee_breakdown",
        help="One breakdown at a time, as they are published. There is no team × tenure (or any other) "
        "cross-tab: combining two breakdowns would let hidden groups be worked out by subtraction.",
    )
with team_col:
    team_options = employee_marts.teams(frames)
    # A link that names a team (the This week page's team movers and league: ?team=Sales) opens the page filtered.
    preset_from_link("employee_teams", "team", team_options)
    chosen_teams = st.multiselect(
        "Team",
        team_options,
        key="employee_teams",
        placeholder=nothing_chosen(scope, "team"),
        format_func=plain,
        help="Turnover, absence and recognition of these teams only, and only these teams' rows when survey "
        "results are broken down by team. The survey cards, EAP use (never broken down, to protect the people "
        "who use it) and turnover cost stay whole-organisation figures.",
    )
with period_col:
    if len(all_months) > 1:
        every_month = st.session_state.get("employee_all_months", False)
        options = all_months if every_month else recent_months
        # The latest survey goes with the latest 12 months; an earlier one with the 12 months ending in the month
        # it was answered, so the workforce cards show that month. The key names the wave, so choosing another
        # wave starts the slider afresh at its months (it can still be moved afterwards).
        default = (
            employee_kpis.default_period(*monthly)
            if wave is None or wave == all_waves[-1] or wave not in wave_month
            else employee_kpis.period_ending(all_months, wave_month[wave])
        )
        if any(m not in options for m in default):  # older than the months offered: their latest 12
            default = (options[max(0, len(options) - 12)], options[-1])
        start, end = st.select_slider(
            "Period" if every_month else f"Period (the latest {len(recent_months)} months)",
            options=options,
            value=default,
            format_func=format_month,
            key=f"employee_period_{wave}_{every_month}",
            help="The trends cover the period; the turnover, absence and EAP cards show its last month against "
            "the month before. By default it is the latest 12 months every workforce figure has reached.",
        )
        if len(recent_months) < len(all_months):
            st.toggle(
                f"Show every month back to {format_month(all_months[0])}",
                key="employee_all_months",
                help="The workforce history reaches back as far as the earliest hire date in the HR data; "
                "the slider offers the latest months unless this is on.",
            )
    elif all_months:
        start = end = all_months[0]
        st.caption(f"Period: {format_month(end)} (the only month published)")
    else:
        start = end = None
        st.caption("No workforce months published.")

if not scope.everything and end is not None and warehouse.table_exists("marts", "employee_headcount_monthly"):
    # Only the newest month of the whole workforce is read unscoped: a date, no figure.
    newest = warehouse.query("SELECT max(month) AS month FROM marts.employee_headcount_monthly")["month"].iloc[0]
    if pd.notna(newest) and pd.Timestamp(newest) > pd.Timestamp(end):
        st.info(
            f"Workforce figures for your {scope.kind} end in {format_month(end)}: in later months it had too few "
            "employees to be shown on its own, so it is counted with other groups to protect them, and those "
            "combined figures are not shown here."
        )

# The chosen teams' rows from here on (every team when none is chosen).
frames = employee_marts.for_teams(frames, chosen_teams)
dimensions, indicators, enps = frames["dimensions"], frames["indicators"], frames["enps"]
headcount, absence = frames["headcount"], frames["absence"]
who = f"{'Team' if len(chosen_teams) == 1 else 'Teams'} {', '.join(map(plain, chosen_teams))}" if chosen_teams else ""

# --- KPI cards -----------------------------------------------------------------------------------------------
# Absence and EAP before their source recorded anything (or with no such source) are no data, never 0.
recorded_since = employee_marts.recorded_since()
absence_since, eap_since = recorded_since.get("absence"), recorded_since.get("eap")
leavers_since = recorded_since.get("headcount")
trend = employee_kpis.workforce_trend(headcount, absence, eap)
trend = employee_kpis.blank_before(
    trend,
    leavers_since,
    ["separations", "voluntary_separations", "involuntary_separations", "turnover_pct"]
    + ["voluntary_turnover_pct", "involuntary_turnover_pct"],
)
trend = employee_kpis.blank_before(
    trend, absence_since, ["employees_absent", "absence_rate_pct", "lost_worktime_pct", "absence_hours"]
)
trend = employee_kpis.blank_before(trend, eap_since, ["eap_users", "eap_uses", "eap_utilisation_pct"])
in_period = trend if end is None else trend[trend["month"].between(start, end)]
before_wave = employee_kpis.previous(all_waves, wave) if wave else None
before_month = None if end is None else end - pd.DateOffset(months=1)
enps_now, enps_before = employee_kpis.org_enps(enps, wave), employee_kpis.org_enps(enps, before_wave)
engaged_now = employee_kpis.org_favourable(dimensions, wave, "engagement")
engaged_before = employee_kpis.org_favourable(dimensions, before_wave, "engagement")
# "vs Sep 2025": the month of the survey before (the card is narrow; the header names this survey)
vs_wave = (
    (f"vs {format_month(wave_month[before_wave])}" if before_wave in wave_month else "vs the survey before")
    if before_wave
    else "no earlier survey"
)
vs_month = f"vs {format_month(before_month)}" if before_month is not None else ""

survey_col, workforce_col = st.columns([2, 3])
with survey_col:
    st.markdown(f"**{_wave_text(wave)}**" if wave else "**Survey**")
    enps_col, engagement_col = st.columns(2)
with workforce_col:
    heading = ["Workforce", *([format_month(end)] if end is not None else []), *([who] if who else [])]
    st.markdown(f"**{' · '.join(heading)}**")
    turnover_card, absence_card, eap_card = st.columns(3)
# The line over every survey: each wave's organisation row, found among the organisation rows only (the same rows,
# without masking the whole frame once per wave).
org_enps_rows = enps[enps["breakdown"] == employee_kpis.ORG]
org_engagement_rows = dimensions[
    (dimensions["breakdown"] == employee_kpis.ORG) & (dimensions["dimension"] == "engagement")
]
_card(
    enps_col,
    ENPS,
    enps_now.value,
    enps_before.value,
    vs_wave,
    trend=[f.value for w in all_waves if (f := employee_kpis.org_enps(org_enps_rows, w)).value is not None],
    suppressed=enps_now,
    n=enps_now.count,
    noun="answers",
)
_card(
    engagement_col,
    ENGAGEMENT,
    engaged_now.value,
    engaged_before.value,
    vs_wave,
    unit="%",
    trend=[
        f.value
        for w in all_waves
        if (f := employee_kpis.org_favourable(org_engagement_rows, w, "engagement")).value is not None
    ],
    suppressed=engaged_now,
    n=engaged_now.count,
)
# label, ratio, the people it rests on, lower is better (None: neither), why there may be no number
WORKFORCE_CARDS = (
    (TURNOVER, "turnover_pct", "avg_headcount", True, ("leavers", leavers_since)),
    ("Absence rate %", "absence_rate_pct", "absence_employees", True, ("absence records", absence_since)),
    ("EAP utilisation %", "eap_utilisation_pct", "eap_employees", None, ("EAP records", eap_since)),
)
for column, (label, key, people, lower_is_better, source) in zip(
    (turnover_card, absence_card, eap_card), WORKFORCE_CARDS, strict=True
):
    _card(
        column,
        label,
        employee_kpis.value_in(trend, end, key),
        employee_kpis.value_in(trend, before_month, key),
        vs_month,
        unit="%",
        # A fall in turnover or absence is good; more EAP use is neither good nor bad.
        lower_is_better=lower_is_better,
        trend=_series(in_period[key]),
        n=employee_kpis.value_in(trend, end, people),
        no_data=(employee_kpis.no_source_text(*source, end) if source else None)
        or ("Withheld: too few users this month to keep them anonymous." if key == "eap_utilisation_pct" else None),
    )
month_row = trend[trend["month"] == end] if end is not None else trend.iloc[0:0]


def _month_count(column: str, decimals: int = 0) -> str:
    value = month_row[column].iloc[0] if len(month_row) else None
    return format_value(None if pd.isna(value) else float(value), decimals)


def _eap_users() -> str:
    """EAP users of the month, or why there is no number: too few users are withheld to protect them."""
    if employee_kpis.no_source_text("EAP records", eap_since, end):
        return "no EAP records"
    if len(month_row) and pd.isna(month_row["eap_users"].iloc[0]):
        return "EAP users not shown (too few to publish)"
    return f"{_month_count('eap_users')} EAP users"


with survey_col:
    if not wave:
        st.caption("No survey published.")
    elif not scope.everything and enps_now.count is None and engaged_now.count is None:
        # A scoped manager reads their own group's rows only: the organisation's row is not theirs (walk s18).
        st.caption(
            f"The whole organisation's survey figures are not shown in a single {scope.kind}'s view; your "
            f"{scope.kind}'s survey results are in the tables below."
        )
    else:
        # A count with no figure reads "no … published", not "— eNPS responses" (the real HR sample has no eNPS).
        counts = [
            f"{format_value(count, 0)} {noun}" if count is not None else f"no {noun} published"
            for count, noun in ((enps_now.count, "eNPS responses"), (engaged_now.count, "engagement respondents"))
        ]
        st.caption(f"Whole organisation: {', '.join(counts)}. The line runs over every survey.")
with workforce_col:
    st.caption(
        f"{who or 'Every employee'}: average headcount {_month_count('avg_headcount', 1)}, "
        f"{_month_count('separations')} separations; {_month_count('absence_employees')} employees, "
        f"{_month_count('employees_absent')} absent, "
        f"{_eap_users()}{' in the whole organisation' if who else ''}. The line runs over the period."
        if end is not None
        else "No workforce months published."
    )

# --- survey heatmap ------------------------------------------------------------------------------------------
teams_of = employee_kpis.manager_teams(headcount)
group_title = BREAKDOWNS[breakdown]
if wave:
    st.header(f"% favourable by {group_title.lower()} · {_wave_text(wave)}")
    cells = employee_kpis.mark_few(
        employee_kpis.dimension_cells(dimensions, wave, breakdown, teams_of), settings.min_answers()
    )
    if cells.empty:
        st.info(f"No survey dimensions published for the {_wave_text(wave)}.")
    else:
        st.caption(
            "Share of answers in the favourable range of each question's scale (4–5 on a 1–5 scale); higher is "
            "better in every column. "
            "Presenteeism is reverse-scored: its % favourable is the share who did not report working while "
            "unwell. The whole organisation comes first, for comparison."
            + (
                " A manager is shown with the team(s) whose workers mostly report to them in the HR records."
                if breakdown == "manager"
                else ""
            )
        )
        _survey_section(
            cells,
            value_title="% favourable",
            domain=(0, 100),
            column_title="Dimension",
            group_title=group_title,
            download="employee_survey_results",
        )

    # --- manager empathy indicators ----------------------------------------------------------------------
    st.header(f"Manager empathy indicators · {_wave_text(wave)}")
    manager_cells = employee_kpis.mark_few(
        employee_kpis.indicator_cells(indicators, wave, teams_of), settings.min_answers()
    )
    if manager_cells.empty:
        st.info(f"No manager indicators published for the {_wave_text(wave)}.")
    else:
        questions = indicators.drop_duplicates("question_id").set_index("question_id")["indicator"]
        st.caption(
            "Mean score on 1–5 (higher is better) per manager, from the people in the teams they manage; each "
            "manager is shown with the team(s) whose workers mostly report to them in the HR records. Questions: "
            + "; ".join(
                f"*{label}*: “{questions.get(q, label)}”"
                for q, label in employee_kpis.indicator_labels(indicators).items()
            )
            + "."
        )
        _survey_section(
            manager_cells,
            value_title="Mean score (1–5)",
            domain=(1, 5),
            column_title="Indicator",
            group_title="Manager",
            download="manager_empathy_indicators",
        )
else:
    st.info("No employee survey has been published yet.")

# --- workforce trends ----------------------------------------------------------------------------------------
st.header("Turnover, absence and EAP use per month")
if end is None or in_period.empty:
    st.info("No workforce months published yet.")
else:
    period_text = format_month(end) if start == end else f"{format_month(start)} – {format_month(end)}"
    st.caption(
        f"{who or 'Every employee'}, {period_text}"
        + (" (EAP use: the whole organisation)" if who else "")
        + ". Each month sums the counts of all teams first and divides last."
    )
    # title, series (column -> label), axis title, what the source records and since when
    charts = (
        (
            TURNOVER,
            {"turnover_pct": "All", "voluntary_turnover_pct": "Voluntary", "involuntary_turnover_pct": "Involuntary"},
            TURNOVER,
            ("leavers", leavers_since),
        ),
        (
            "Absence (vacation excluded)",
            {"absence_rate_pct": "Absence rate %", "lost_worktime_pct": LOST_WORKTIME},
            "%",
            ("absence records", absence_since),
        ),
        (
            "EAP utilisation %",
            {"eap_utilisation_pct": "EAP utilisation %"},
            "EAP utilisation %",
            ("EAP records", eap_since),
        ),
    )
    for column, (title, series, axis, source) in zip(st.columns(3), charts, strict=True):
        with column:
            st.markdown(f"**{title}**")
            if in_period[list(series)].isna().all().all():  # nothing to draw: say why instead of an empty axis
                st.caption(employee_kpis.no_source_text(*source, end) or "No data in the period.")
            else:
                st.altair_chart(employee_charts.monthly_lines(in_period, series, axis), width="stretch")
    table = in_period.sort_values("month", ascending=False).assign(month=lambda t: t["month"].dt.date)
    # EAP counts withheld to protect a handful of users (after EAP records began) read "withheld", not a dash.
    withheld = (table["month"] >= (eap_since.date() if eap_since is not None else dt.date.max)) & table[
        "eap_users"
    ].isna()
    shown = {c: employee_kpis.as_text(table[c], d or 0) for c, (_, d) in TREND_COLUMNS.items()}
    for column in ("eap_users", "eap_utilisation_pct"):
        shown[column] = ["withheld" if w else v for w, v in zip(withheld, shown[column], strict=True)]
    st.caption(
        f"{NO_DATA} means no data (nothing to divide by, or no records for that month); EAP counts of a month "
        "with too few users read “withheld” to protect them."
    )
    data_table(
        pd.DataFrame({"month": table["month"], **shown}),
        hide_index=True,
        width="stretch",
        height=35 * (len(table) + 1) + 3,  # every month of the period, no inner scroll
        column_config={
            "month": st.column_config.DateColumn("Month", format="MMM YYYY"),
            **{c: st.column_config.TextColumn(label) for c, (label, _) in TREND_COLUMNS.items()},
        },
        download="workforce_by_month",
    )


# --- turnover cost, recognition, internal responsiveness ------------------------------------------------------
def _money(value: float | None) -> str:
    return format_money(None if value is None or pd.isna(value) else float(value), settings.currency_symbol(), 0)


def _of(frame: pd.DataFrame, month, column: str) -> float | None:
    return None if month is None else employee_kpis.value_in(frame, month, column)


def _text_table(columns: dict[str, tuple[str, object]], download: str, wide: str | None = None) -> None:
    """A table of words and numbers already written as text: column key -> (header, values); `wide` is the
    column given room (a note). Headers are plain words; no cell reads "None"."""
    data_table(
        pd.DataFrame({key: list(values) for key, (_, values) in columns.items()}),
        hide_index=True,
        width="stretch",
        column_config={
            key: st.column_config.TextColumn(header, width="large" if key == wide else None)
            for key, (header, _) in columns.items()
        },
        download=download,
    )


def _month_cards(months: pd.DataFrame, period: pd.DataFrame, specs: list[tuple]) -> None:
    """One card per spec (label, ratio column, unit, change unit, decimals, lower is better, count column,
    noun of the count) side by side: the period's last month against the month before, a line over the period."""
    for column, (label, key, unit, delta_unit, decimals, lower, count, noun) in zip(
        st.columns(len(specs)), specs, strict=True
    ):
        _card(
            column,
            label,
            _of(months, end, key),
            _of(months, before_month, key),
            vs_month,
            unit=unit,
            delta_unit=delta_unit,
            decimals=decimals,
            lower_is_better=lower,
            trend=_series(period[key]),
            n=_of(months, end, count),
            noun=noun,
        )


def _sample_notes(counts, noun: str) -> list[str]:
    return [small_sample_note(n, settings.min_answers(), noun) or "" for n in counts]


def _org_only(what: str) -> None:
    st.info(f"{what} is counted for the whole organisation only, so it is not shown for a single {scope.kind}.")


def _period_words() -> str:
    return format_month(end) if start == end else f"{format_month(start)} – {format_month(end)}"


cost, recognition, responsiveness = frames["turnover_cost"], frames["recognition"], frames["responsiveness"]
# months with a workforce whose leavers were recorded
published_months = set(trend.loc[(trend["avg_headcount"] > 0) & trend["separations"].notna(), "month"])


def _cost_in(month) -> float | None:
    """The month's turnover cost: its leavers' cost, £0 in a published month nobody left, no data otherwise."""
    value = _of(cost_months, month, "turnover_cost")
    return value if value is not None else (0.0 if month in published_months else None)


st.header("What leaving costs: turnover cost")
if not scope.everything:
    _org_only("Turnover cost")
elif end is None or cost.empty:
    st.info("No turnover cost is published yet.")
else:
    cost_months = employee_kpis.cost_ratios(employee_kpis.sum_by(cost, ["month"], employee_kpis.COST_COUNTS))
    cost_period = employee_kpis.in_months(cost, start, end)
    leavers = float(cost_period["separations"].sum())
    total = float(cost_period["turnover_cost"].sum())
    month_card, period_card, per_leaver_card = st.columns(3)
    _card(
        month_card,
        "Turnover cost",
        _cost_in(end),
        _cost_in(before_month),
        vs_month,
        show=_money,
        delta_unit=MONEY,
        lower_is_better=True,
        trend=[v for m in sorted(in_period["month"]) if (v := _cost_in(m)) is not None],
    )
    period_card.metric(
        f"Turnover cost, {_period_words()}",
        _money(total),
        border=True,
        help=HELP["Turnover cost"],
    )
    period_card.caption(f"{leavers:,.0f} leavers in the period.")
    _card(
        per_leaver_card,
        "Cost per leaver",
        total / leavers if leavers else None,
        None,
        "",
        show=_money,
        delta_unit=MONEY,
        n=leavers,
        noun="leavers",
    )
    by_group = employee_kpis.cost_ratios(
        employee_kpis.sum_by(cost_period, ["department", "job_level"], employee_kpis.COST_COUNTS)
    ).sort_values("turnover_cost", ascending=False)
    defaults = cost_period.assign(default=cost_period["priced_by_default"].astype(float))
    priced = employee_kpis.sum_by(defaults, ["department", "job_level"], ["default"])
    by_group = by_group.merge(priced, on=["department", "job_level"], how="left")
    _text_table(
        {
            "department": ("Department", by_group["department"].map(plain)),
            "job_level": ("Job level", by_group["job_level"].map(employee_kpis.job_level_text)),
            "separations": ("Leavers", employee_kpis.as_text(by_group["separations"])),
            "cost_per_separation": ("Cost per leaver", by_group["cost_per_separation"].map(_money)),
            "turnover_cost": ("Turnover cost", by_group["turnover_cost"].map(_money)),
            "priced": (
                "Priced with",
                ["Default cost" if d else "Its own cost" for d in by_group["default"].fillna(0) > 0],
            ),
        },
        "turnover_cost",
    )
    assumptions = frames["cost_assumptions"]
    with st.expander("The assumptions behind the cost"):
        st.caption(
            "Each leaver costs what it takes to replace them: recruiting (advertising, agency or search fees), "
            "onboarding (training and the time of the people who train them) and lost productivity (the months "
            "before the new person works at full speed). These are estimates your business sets per job level, "
            "not measured costs; the default line prices any job level without a line of its own. "
            "Levels combined to protect small groups read 'Other (small groups)' and are priced at their own levels."
        )
        _text_table(
            {
                "job_level": ("Job level", assumptions["job_level"].map(employee_kpis.job_level_text)),
                "recruiting_cost": ("Recruiting", assumptions["recruiting_cost"].map(_money)),
                "onboarding_cost": ("Onboarding", assumptions["onboarding_cost"].map(_money)),
                "lost_productivity_cost": ("Lost productivity", assumptions["lost_productivity_cost"].map(_money)),
                "note": ("What it covers", assumptions["note"].fillna("")),
            },
            "turnover_cost_assumptions",
            wide="note",
        )

st.header("Recognition")
recognitions_since = recorded_since.get("recognition")
if end is None or recognition.empty:
    st.info("No recognition is published yet.")
elif recognitions_since is None or end < recognitions_since:
    st.info(employee_kpis.no_source_text("recognitions", recognitions_since, end))
else:
    rec_months = employee_kpis.blank_before(
        employee_kpis.recognition_ratios(
            employee_kpis.sum_by(recognition, ["month"], employee_kpis.RECOGNITION_COUNTS)
        ),
        recognitions_since,
        ["recognised_pct", "recognitions_per_employee", *employee_kpis.RECOGNITION_COUNTS[1:]],
    )
    rec_period = rec_months[rec_months["month"].between(start, end)]
    _month_cards(
        rec_months,
        rec_period,
        [
            ("Recognised %", "recognised_pct", "%", " pts", 1, False, "employees", "people"),
            ("Recognitions per employee", "recognitions_per_employee", "", "", 2, False, "employees", "people"),
        ],
    )
    st.altair_chart(
        employee_charts.monthly_lines(
            rec_period,
            {
                "peer_recognitions": "From colleagues",
                "manager_recognitions": "From managers",
                "award_recognitions": "Awards",
                "untyped_recognitions": "Type not recorded",
            },
            "Recognitions",
            bars=True,
            value_format=",.0f",
        ),
        width="stretch",
    )
    teams = employee_kpis.recognition_ratios(
        employee_kpis.sum_by(
            recognition[recognition["month"] == end], ["team", "location"], employee_kpis.RECOGNITION_COUNTS
        )
    ).sort_values("recognised_pct")
    st.caption(
        f"Per team, {format_month(end)}, least recognised first. Groups too small to show on their own are "
        "combined ('Other (small groups)')."
    )
    _text_table(
        {
            "team": ("Team", teams["team"].map(plain)),
            # the roll-up's "All": the team's locations counted together
            "location": ("Location", teams["location"].map(lambda v: "All locations" if v == "All" else plain(v))),
            "employees": ("Employees", employee_kpis.as_text(teams["employees"])),
            "recognised_pct": ("Recognised %", employee_kpis.as_text(teams["recognised_pct"], 1)),
            "recognitions_per_employee": (
                "Recognitions per employee",
                employee_kpis.as_text(teams["recognitions_per_employee"], 2),
            ),
            "note": ("Sample", _sample_notes(teams["employees"], "people")),
        },
        "recognition_by_team",
        wide="note",
    )

st.header("Internal responsiveness")
st.caption("How quickly teams such as IT, HR or payroll answer the requests employees raise with them.")
if not scope.everything:
    _org_only("Internal responsiveness")
elif end is None or responsiveness.empty:
    st.info("No internal requests are published yet.")
else:
    req_months = employee_kpis.responsiveness_ratios(
        employee_kpis.sum_by(responsiveness, ["month"], employee_kpis.RESPONSIVENESS_COUNTS)
    )
    req_period = req_months[req_months["month"].between(start, end)]
    _month_cards(
        req_months,
        req_period,
        [
            ("Requests answered %", "answered_pct", "%", " pts", 1, False, "requests", "requests"),
            ("Mean hours to answer", "mean_hours_to_answer", " h", " h", 1, True, "answered_requests", "requests"),
        ],
    )
    month_rows = responsiveness[responsiveness["month"] == end]
    cells = employee_kpis.responsiveness_ratios(month_rows).sort_values(["assignee_team", "category"])
    st.caption(f"Per team answering and kind of request, requests opened in {format_month(end)}.")
    _text_table(
        {
            "assignee_team": ("Team answering", cells["assignee_team"].map(plain)),
            "category": ("Kind of request", cells["category"].map(plain)),
            "requests": ("Requests", employee_kpis.as_text(cells["requests"])),
            "answered_pct": ("Answered %", employee_kpis.as_text(cells["answered_pct"], 1)),
            "median_hours_to_answer": (
                "Median hours to answer",
                employee_kpis.as_text(cells["median_hours_to_answer"], 1),
            ),
            "mean_hours_to_answer": ("Mean hours to answer", employee_kpis.as_text(cells["mean_hours_to_answer"], 1)),
            "note": ("Sample", _sample_notes(cells["requests"], "requests")),
        },
        "internal_responsiveness",
        wide="note",
    )


# --- definitions ---------------------------------------------------------------------------------------------
def _threshold_words() -> str:
    threshold = employee_marts.survey_threshold()
    return f"{threshold} (this warehouse's threshold)" if threshold else "the warehouse's threshold"


with st.expander("KPI definitions: how every number is computed"):
    st.markdown(
        """
Every number comes from the published employee marts (schema `marts`), which hold **counts** beside each
ratio. The page **adds up the counts first and divides last**; it never averages ratios. A month or group
with nothing to divide by shows **—** (no data), never 0.

- **eNPS** (`employee_enps_wave`): 100 × (promoters − detractors) / responses on the eNPS question (0–10);
  promoters 9–10, detractors 0–6, passives in the denominator. −100…100. The card is the whole organisation.
- **% favourable** (`employee_survey_dimension_wave`): per survey dimension (engagement, well-being, manager
  empathy, presenteeism), 100 × favourable answers / answers; favourable = at or above the item's favourable
  cut (4 on 1–5) after flipping reverse-scored items (min + max − answer). Presenteeism ("I worked while
  unwell") is reverse-scored, so its % favourable is the share who did not report it.
- **Manager empathy indicators** (`employee_manager_empathy_wave`): per manager empathy question (active
  listening, open communication, responsiveness to needs, recognition and appreciation, constructive
  feedback), mean score = Σ scores / answers on 1–5. A manager's group is the union of the teams they lead.
- **Turnover %** (`employee_headcount_monthly`): 100 × separations / average headcount, average headcount =
  (employed on the 1st + employed after the last day) / 2 (SHRM); workers, not position changes; voluntary and
  involuntary apart in the trend.
- **Absence rate %** (`employee_absence_monthly`): 100 × employees with a non-vacation absence starting in
  the month / employees employed in the month (BLS, adapted). **Lost worktime %**: 100 × non-vacation hours
  absent / hours usually worked (weekly hours, 40 when empty, × days employed / 7).
- **EAP utilisation %** (`employee_eap_monthly`): 100 × distinct (pseudonymised) EAP users in the month /
  employees in the month. Whole organisation only: health data is never broken down.
- **Confidentiality threshold.** A survey number (a dimension, question or eNPS of one group in one wave)
  answered by fewer than THRESHOLD_TEXT people is **suppressed**, and so is any number that would let
  someone recompute a hidden one by subtraction (*complementary* suppression), across groups, breakdowns and
  a dimension's questions. A suppressed cell shows "suppressed"
  with its reason — **n < 5** or **protects a hidden group** — and no number. Results are published, and
  shown, one breakdown at a time (team, location, manager or tenure band) for one wave: never combine them,
  and never add the visible groups up to rebuild a total — the whole organisation has its own row.
- **Cards.** Survey cards show the selected wave against the wave before; turnover, absence and EAP show the
  period's last month against the month before (even when that month lies before the period's start). For
  turnover and absence a fall is shown green; EAP use is neither good nor bad.
- **Team and location** are the worker's latest HR record; a survey group's location and manager are its
  team's.
- **Turnover cost** (`employee_turnover_cost_monthly`): Σ over the month's leavers of recruiting + onboarding +
  lost-productivity cost of their job level, from the cost assumptions your business sets (a default line for
  levels without one). Cost per leaver = Σ cost / Σ leavers. Whole organisation only.
- **Recognised %** (`employee_recognition_monthly`): 100 × employees recognised at least once in the month /
  employees employed in the month; **recognitions per employee** = recognitions / employees.
- **Requests answered %** (`employee_internal_responsiveness_monthly`): 100 × answered / opened internal
  requests of the month; **mean hours to answer** = Σ hours to answer / answered requests. The table's median is
  the published one per team and kind of request (medians cannot be added up). Whole organisation only.
- **No data, not 0.** Absence, EAP use, turnover and recognition show — in the months before their source
  recorded anything (no absence records, no leavers yet, …): such a month is unknown, not a 0.
- **Few answers.** A card whose month rests on fewer than MIN_ANSWERS answers, people or requests says so in
  orange: the number is shown, but one person more or less moves it a lot.
""".replace("THRESHOLD_TEXT", _threshold_words()).replace("MIN_ANSWERS", str(settings.min_answers()))
    )
