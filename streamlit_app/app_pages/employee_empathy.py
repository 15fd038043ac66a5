"""Employee empathy: survey dimensions per team (with the anonymity threshold), turnover and absence
trends, and manager empathy indicators, from the employee marts of the serving copy."""

from __future__ import annotations

import streamlit as st

from streamlit_app import employee_kpis, warehouse
from streamlit_app.ui import require_published

require_published()
st.title("Employee empathy")
st.caption(
    "Survey results of a group with too few respondents — or hidden so that it cannot be worked out from "
    "the others — are shown as **suppressed** with the reason, never as 0 or blank. “–” means no data."
)

dimensions = warehouse.query("SELECT * FROM marts.employee_survey_dimension_wave")
indicators = warehouse.query("SELECT * FROM marts.employee_manager_empathy_wave")
headcount = warehouse.query(
    "SELECT month, separations, voluntary_separations, involuntary_separations, avg_headcount "
    "FROM marts.employee_headcount_monthly"
)
absence = warehouse.query(
    "SELECT month, employees, employees_absent, absence_hours, usual_hours FROM marts.employee_absence_monthly"
)

# --- survey heatmap ------------------------------------------------------------------------------------------
waves = dimensions.sort_values("wave_month")["wave"].drop_duplicates().tolist() if not dimensions.empty else []
if waves:
    wave = st.selectbox("Survey wave", waves[::-1], key="employee_wave")
    st.subheader("% favourable by team and dimension")
    heatmap = employee_kpis.heatmap_table(dimensions, wave)
    st.dataframe(heatmap.rename_axis("team"), use_container_width=True)
    st.subheader("Manager empathy indicators (mean, 1-5)")
    managers = employee_kpis.manager_table(indicators, wave)
    if managers.empty:
        st.info("No manager indicators in this wave.")
    else:
        st.dataframe(managers.rename_axis("manager"), use_container_width=True)
else:
    st.info("No employee survey has been published yet.")

# --- trends --------------------------------------------------------------------------------------------------
st.subheader("Turnover and absence per month")
turnover = employee_kpis.turnover_trend(headcount)
absences = employee_kpis.absence_trend(absence)
if turnover.empty:
    st.info("No workforce months published yet.")
else:
    recent = turnover.tail(24).set_index("month")
    left, right = st.columns(2)
    with left:
        st.caption("Turnover % (separations / average headcount)")
        st.line_chart(recent[["turnover_pct", "voluntary_turnover_pct", "involuntary_turnover_pct"]])
    with right:
        st.caption("Absence rate % and lost-worktime % (vacation excluded)")
        st.line_chart(absences.tail(24).set_index("month")[["absence_rate_pct", "lost_worktime_pct"]])
    table = turnover.merge(absences[["month", "absence_rate_pct", "lost_worktime_pct"]], on="month", how="left")
    st.dataframe(
        table.tail(24)[
            ["month", "separations", "avg_headcount", "turnover_pct", "absence_rate_pct", "lost_worktime_pct"]
        ],
        hide_index=True,
        use_container_width=True,
    )
