"""Employee empathy: eNPS, engagement, turnover, absence and EAP cards; a heatmap of the survey dimensions
per team (or location, manager, tenure band) with the anonymity threshold made visible; manager empathy
indicators; workforce trends. From the employee marts of the serving copy."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from streamlit_app import employee_charts, employee_kpis, employee_marts, kpis, warehouse
from streamlit_app.employee_kpis import BREAKDOWNS, SUPPRESSED, OrgFigure
from streamlit_app.formatting import NO_DATA, format_delta, format_month, format_value
from streamlit_app.ui import data_table, open_page

ENGAGEMENT = "Engagement % fav."  # % favourable; the full name would not fit the card
HELP = {
    "eNPS": "eNPS = 100 × (promoters − detractors) / responses to the eNPS question (0–10); promoters answer "
    "9–10, detractors 0–6, passives (7–8) stay in the denominator (Bain). Whole organisation: the `org` row of "
    "`marts.employee_enps_wave`. −100…100.",
    ENGAGEMENT: "Engagement % favourable = 100 × favourable answers / answers to the engagement "
    "questions; favourable = at or above the item's favourable cut (4–5 on 1–5), after flipping reverse-scored "
    "items. Whole organisation: the `org` row of `marts.employee_survey_dimension_wave`.",
    "Turnover %": "Turnover % = 100 × separations / average headcount (SHRM); average headcount = (employed on "
    "the 1st + employed after the last day) / 2; workers, not position changes; voluntary and involuntary "
    "together. Σ over every team of `marts.employee_headcount_monthly`, divided last.",
    "Absence rate %": "Absence rate % = 100 × employees with a non-vacation absence starting in the month / "
    "employees employed in the month (BLS, adapted). Σ over every team of `marts.employee_absence_monthly`, "
    "divided last.",
    "EAP utilisation %": "EAP utilisation % = 100 × distinct (pseudonymised) Employee Assistance Programme users "
    "in the month / employees employed in the month. Whole organisation only (`marts.employee_eap_monthly`): "
    "health data is never broken down, and a month with too few users to keep them anonymous shows a dash.",
}
# The trend table: per month the counts beside each ratio (column -> header, decimals). Voluntary and
# involuntary turnover are in the chart (and its tooltips) only, to keep the table on one screen.
TREND_COLUMNS = {
    "avg_headcount": ("Avg headcount", None),
    "separations": ("Separations", None),
    "turnover_pct": ("Turnover %", 2),
    "absence_employees": ("Employees", None),
    "employees_absent": ("Absent", None),
    "absence_rate_pct": ("Absence rate %", 2),
    "lost_worktime_pct": ("Lost worktime %", 2),
    "eap_users": ("EAP users", None),
    "eap_utilisation_pct": ("EAP utilisation %", 2),
}


def _wave_text(wave: str) -> str:
    month = wave_month.get(wave)
    return wave if month is None else f"{wave} ({format_month(month)})"


def _card(
    column,
    label: str,
    now: float | None,
    before: float | None,
    vs: str,
    *,
    unit: str = "",
    delta_color: str = "normal",
    trend: list[float] | None = None,
    suppressed: OrgFigure | None = None,
) -> None:
    help_text = HELP[label]
    if suppressed is not None and suppressed.suppressed:
        column.metric(
            label,
            SUPPRESSED,
            border=True,
            help=f"{help_text}\n\nSuppressed: {employee_kpis.reason_text(suppressed.suppression_reason)}",
        )
        return
    change = kpis.change(now, before)
    column.metric(
        label,
        format_value(now, 1, unit),
        delta=format_delta(change, " pts"),
        # no arrow colour for a change that rounds to nothing
        delta_color="off" if change is not None and round(change, 1) == 0 else delta_color,
        delta_description=vs,
        border=True,
        help=help_text,
        chart_data=trend if trend and len(trend) > 1 else None,
    )


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
        f"{NO_DATA} has no data (the mart has no row for it)."
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
        st.altair_chart(chart, width="stretch")
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

loaded = employee_marts.load_all(scope)
frames = loaded.frames
for message in loaded.missing:
    st.warning(f"{message} Its numbers show {NO_DATA} (no data).")
if loaded.empty:
    st.info(" ".join(loaded.empty) + f" Their numbers show {NO_DATA} (no data).")

dimensions, indicators, enps = frames["dimensions"], frames["indicators"], frames["enps"]
headcount, absence, eap = frames["headcount"], frames["absence"], frames["eap"]
all_waves = employee_kpis.waves(dimensions, enps, indicators)
wave_month = employee_kpis.wave_months(dimensions, enps, indicators)
monthly = [frames[name] for name in employee_marts.MONTHLY]
all_months = employee_kpis.months_of(*monthly)
if not all_waves and not all_months:
    st.info("The published employee marts hold no survey waves and no monthly rows yet, so there is nothing to show.")
    st.stop()

# --- filters -------------------------------------------------------------------------------------------------
wave_col, breakdown_col, period_col = st.columns([1, 1, 2])
with wave_col:
    wave = (
        st.selectbox(
            "Survey wave",
            all_waves[::-1],
            format_func=_wave_text,
            key="employee_wave",
            help="The survey cards, the heatmap and the manager indicators show this wave; the survey cards' "
            "change compares it with the wave before.",
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
        help="One breakdown at a time, as the marts publish them. There is no team × tenure (or any other) "
        "cross-tab: combining two breakdowns would let hidden groups be worked out by subtraction.",
    )
with period_col:
    if len(all_months) > 1:
        start, end = st.select_slider(
            "Period",
            options=all_months,
            value=employee_kpis.default_period(*monthly),
            format_func=format_month,
            key="employee_period",
            help="The trends cover the period; the turnover, absence and EAP cards show its last month against "
            "the month before. By default it ends on the latest month every workforce mart has reached.",
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

# --- KPI cards -----------------------------------------------------------------------------------------------
trend = employee_kpis.workforce_trend(headcount, absence, eap)
in_period = trend if end is None else trend[trend["month"].between(start, end)]
before_wave = employee_kpis.previous(all_waves, wave) if wave else None
before_month = None if end is None else end - pd.DateOffset(months=1)
enps_now, enps_before = employee_kpis.org_enps(enps, wave), employee_kpis.org_enps(enps, before_wave)
engaged_now = employee_kpis.org_favourable(dimensions, wave, "engagement")
engaged_before = employee_kpis.org_favourable(dimensions, before_wave, "engagement")
vs_wave = f"vs {before_wave}" if before_wave else "no earlier wave"
vs_month = f"vs {format_month(before_month)}" if before_month is not None else ""

survey_col, workforce_col = st.columns([2, 3])
with survey_col:
    st.markdown(f"**Survey · wave {_wave_text(wave)}**" if wave else "**Survey**")
    enps_col, engagement_col = st.columns(2)
with workforce_col:
    st.markdown(f"**Workforce · {format_month(end)}**" if end is not None else "**Workforce**")
    turnover_card, absence_card, eap_card = st.columns(3)
_card(
    enps_col,
    "eNPS",
    enps_now.value,
    enps_before.value,
    vs_wave,
    trend=[f.value for w in all_waves if (f := employee_kpis.org_enps(enps, w)).value is not None],
    suppressed=enps_now,
)
_card(
    engagement_col,
    ENGAGEMENT,
    engaged_now.value,
    engaged_before.value,
    vs_wave,
    unit="%",
    trend=[
        f.value for w in all_waves if (f := employee_kpis.org_favourable(dimensions, w, "engagement")).value is not None
    ],
    suppressed=engaged_now,
)
for column, label, key in (
    (turnover_card, "Turnover %", "turnover_pct"),
    (absence_card, "Absence rate %", "absence_rate_pct"),
    (eap_card, "EAP utilisation %", "eap_utilisation_pct"),
):
    _card(
        column,
        label,
        employee_kpis.value_in(trend, end, key),
        employee_kpis.value_in(trend, before_month, key),
        vs_month,
        unit="%",
        # A fall in turnover or absence is good; more EAP use is neither good nor bad.
        delta_color="off" if key == "eap_utilisation_pct" else "inverse",
        trend=_series(in_period[key]),
    )
month_row = trend[trend["month"] == end] if end is not None else trend.iloc[0:0]


def _month_count(column: str, decimals: int = 0) -> str:
    value = month_row[column].iloc[0] if len(month_row) else None
    return format_value(None if pd.isna(value) else float(value), decimals)


def _eap_users() -> str:
    """EAP users of the month, or why there is no number: too few users are withheld to protect them."""
    if len(month_row) and pd.isna(month_row["eap_users"].iloc[0]):
        return "EAP users not shown (too few to publish)"
    return f"{_month_count('eap_users')} EAP users"


with survey_col:
    st.caption(
        f"Whole organisation: {format_value(enps_now.count, 0)} eNPS responses, "
        f"{format_value(engaged_now.count, 0)} engagement respondents. The line runs over every wave."
        if wave
        else "No survey wave published."
    )
with workforce_col:
    st.caption(
        f"Every employee: average headcount {_month_count('avg_headcount', 1)}, {_month_count('separations')} "
        f"separations; {_month_count('absence_employees')} employees, {_month_count('employees_absent')} absent, "
        f"{_eap_users()}. The line runs over the period."
        if end is not None
        else "No workforce months published."
    )

# --- survey heatmap ------------------------------------------------------------------------------------------
teams_of = employee_kpis.manager_teams(headcount)
group_title = BREAKDOWNS[breakdown]
if wave:
    st.header(f"% favourable by {group_title.lower()} · wave {wave}")
    cells = employee_kpis.dimension_cells(dimensions, wave, breakdown, teams_of)
    if cells.empty:
        st.info(f"No survey dimensions published for wave {wave}.")
    else:
        st.caption(
            "Share of answers in the favourable range (4–5 on a 1–5 scale); higher is better in every column. "
            "Presenteeism is reverse-scored: its % favourable is the share who did not report working while "
            "unwell. The whole organisation comes first, for comparison."
            + (
                " A manager is shown with the team(s) whose workers mostly report to them (headcount mart)."
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
    st.header(f"Manager empathy indicators · wave {wave}")
    manager_cells = employee_kpis.indicator_cells(indicators, wave, teams_of)
    if manager_cells.empty:
        st.info(f"No manager indicators published for wave {wave}.")
    else:
        questions = indicators.drop_duplicates("question_id").set_index("question_id")["indicator"]
        st.caption(
            "Mean score on 1–5 (higher is better) per manager, from the people in the teams they manage; each "
            "manager is shown with the team(s) whose workers mostly report to them (headcount mart). Questions: "
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
    st.caption(f"Every employee, {period_text}. Each month sums the counts of all teams first and divides last.")
    turnover_col, absence_col, eap_col = st.columns(3)
    with turnover_col:
        st.markdown("**Turnover %**")
        st.altair_chart(
            employee_charts.monthly_lines(
                in_period,
                {
                    "turnover_pct": "All",
                    "voluntary_turnover_pct": "Voluntary",
                    "involuntary_turnover_pct": "Involuntary",
                },
                "Turnover %",
            ),
            width="stretch",
        )
    with absence_col:
        st.markdown("**Absence (vacation excluded)**")
        st.altair_chart(
            employee_charts.monthly_lines(
                in_period,
                {"absence_rate_pct": "Absence rate %", "lost_worktime_pct": "Lost worktime %"},
                "%",
            ),
            width="stretch",
        )
    with eap_col:
        st.markdown("**EAP utilisation %**")
        st.altair_chart(
            employee_charts.monthly_lines(in_period, {"eap_utilisation_pct": "EAP utilisation %"}, "EAP utilisation %"),
            width="stretch",
        )
    table = in_period.sort_values("month", ascending=False).assign(month=lambda t: t["month"].dt.date)
    data_table(
        table[["month", *TREND_COLUMNS]],
        hide_index=True,
        width="stretch",
        height=35 * (len(table) + 1) + 3,  # every month of the period, no inner scroll
        column_config={
            "month": st.column_config.DateColumn("Month", format="MMM YYYY"),
            **{
                c: st.column_config.NumberColumn(label, format="localized" if d is None else f"%.{d}f")
                for c, (label, d) in TREND_COLUMNS.items()
            },
        },
        download="workforce_by_month",
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
""".replace("THRESHOLD_TEXT", _threshold_words())
    )
