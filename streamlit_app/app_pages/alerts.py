"""Alerts: the action triggers that fired (meta.alerts), filtered by severity, scope and status, and for one
alert why it fired — the rule in words, how sure it is, the numbers and counts, the KPI's trend at that scope —
and what lies behind it (the comments, reviews or customers), all in plain words and within the viewer's rows."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from streamlit_app import alerts, charts, login
from streamlit_app.formatting import format_month, format_value
from streamlit_app.labels import plain
from streamlit_app.ui import data_table, open_page, report_sources

TABLE_COLUMNS = {
    "severity_words": "Severity",
    "what": "What happened",
    "where": "Where / who",
    "owner": "Owner",
    "period": st.column_config.DateColumn("Month", format="MMM YYYY"),
    "kpi_value": st.column_config.NumberColumn("Value", format="%.1f"),
    "how_sure": "How often by chance",
    "first_seen_at": st.column_config.DatetimeColumn("First seen", format="YYYY-MM-DD HH:mm"),
    "status_words": "Status",
}

scope = open_page("alerts")
st.title("Alerts")
st.caption(
    "An alert says a number needs someone's attention: a location's NPS dropped, a team is losing people, a "
    "customer keeps telling us they are unhappy. Each is raised once per place and month, says how often "
    "chance alone would give a change that large, and its owner is told once. Your data team sets the lines."
)

report_sources("alerts", {"meta.alerts": "alerts"}, stop_when_none=False)

log = alerts.alert_log(scope, login.roles_by_place())
if log.empty:
    st.success(
        "No alert has been raised: no rule is breached anywhere in the data."
        if scope.everything
        else f"No alert has been raised for {scope.describe().replace(' only', '')}: no rule is breached there."
    )
    st.stop()

open_alerts = log[log["status"] == "open"]
open_card, high_card, resolved_card = st.columns(3)
open_card.metric("Open alerts", len(open_alerts), border=True)
high_card.metric("Open, high severity", int((open_alerts["severity"] == "high").sum()), border=True)
resolved_card.metric(
    "Resolved", int((log["status"] == "resolved").sum()), border=True,
    help="Alerts whose breach is no longer in the data (corrected data, a changed threshold or a disabled rule).",
)  # fmt: skip

severity_options = sorted(log["severity"].dropna().unique(), key=lambda s: alerts.SEVERITY_ORDER.get(s, 9))
scope_options = sorted(log["scope"].dropna().unique())
status_options = ["open", "resolved"]
severity_col, scope_col, status_col = st.columns(3)
severities = severity_col.multiselect(
    "Severity", severity_options, default=severity_options, key="alert_severity", format_func=plain
)
scopes = scope_col.multiselect(
    "About", scope_options, default=scope_options, key="alert_scope",
    format_func=lambda s: alerts.SCOPE_WORDS.get(s, plain(s)),
)  # fmt: skip
statuses = status_col.multiselect("Status", status_options, default=["open"], key="alert_status", format_func=plain)

shown = alerts.filtered(log, severities, scopes, statuses)
if shown.empty:
    st.info("No alert matches these filters.")
    st.stop()
pages = alerts.page_count(len(shown))
if pages > 1:
    if st.session_state.get("alert_page", 1) > pages:  # fewer alerts match the new filters
        st.session_state["alert_page"] = pages
    page = int(st.number_input("Page", min_value=1, max_value=pages, value=1, step=1, key="alert_page", width=160))
else:
    page = 1
listed = alerts.page_of(shown, page)
st.caption(alerts.page_text(len(shown), page))
data_table(
    listed[list(TABLE_COLUMNS)],
    hide_index=True,
    column_config=TABLE_COLUMNS,
    download="alerts",
    download_rows=shown[list(TABLE_COLUMNS)],
)

# --- why did it fire? ------------------------------------------------------------------------------------
st.header("Why did it fire?")
labels = {row.alert_key: alerts.describe(row) for row in listed.itertuples()}
key = st.selectbox(
    "Alert",
    list(labels),
    format_func=lambda k: labels.get(k, str(k)),
    key="alert_key",
    help="The alerts of the page shown above.",
)
alert = listed.loc[listed["alert_key"] == key].iloc[0]
label = alerts.KPI_LABELS.get(alert["rule_id"], plain(alert["kpi"]))
st.markdown(f"**{alerts.rule_title(alert['rule_id'])}** — the rule: {alert['rule_description']}")
st.info(alert["reason"], icon=":material/notification_important:")
# Two a row: four cut their labels short on a laptop ("How often by …", "Turnover % (traili…").
value_card, previous_card = st.columns(2)
sure_card, count_card = st.columns(2)
value_card.metric(label, format_value(alert["kpi_value"]), border=True)
previous = alert["previous_value"] if pd.notna(alert["previous_value"]) else None
previous_card.metric("Usual level before" if previous is not None else "Alert line",
                     format_value(previous if previous is not None else alert["threshold"]), border=True)  # fmt: skip
tested = isinstance(alert["certainty"], str)
sure_card.metric(
    "How often by chance", alert["how_sure"] if tested else alerts.NO_TEST_CARD, border=True,
    help="How often chance alone (too few answers, the usual month-to-month swing) would give a change this "
    "large; not the chance that the change is real. Rules on turnover, a team's survey result or one customer's "
    "run of unhappy messages have no such test: they compare every leaver, the team's own answers or the "
    "customer's own messages with a fixed line, so there is no sample to test.",
)  # fmt: skip
if not tested:  # the card holds two words; why there is no test goes under it
    sure_card.caption(alert["how_sure"])
count_card.metric(
    f"Based on ({alert['base_unit']})",
    format_value(alert["base_count"], decimals=0 if float(alert["base_count"]).is_integer() else 1), border=True,
    help=f"The rule needs at least {alert['min_count']} {alert['base_unit']}.",
)  # fmt: skip
st.caption(
    f"Owner: **{alert['owner']}** · {plain(alert['status'])} · first seen {alert['first_seen_at']:%Y-%m-%d %H:%M} · "
    f"last seen {alert['last_seen_at']:%Y-%m-%d %H:%M} · notification: "
    f"{alerts.notification_words(alert['notification_status'])}"
)

history = alerts.trend(alert["rule_id"], alert["scope_value"], scope)
if history.empty:
    st.caption(
        "No trend for an alert about one customer: their feedback is kept per person and not published."
        if alert["scope"] == "customer"
        else "No trend to draw: no month at this place has a figure you may see."
    )
else:
    st.altair_chart(charts.alert_history(history, label, alert["base_unit"], pd.Timestamp(alert["period"])))
    note = f"{label} at {alert['scope_value']} per month; the dashed line marks the alert's month."
    if history["value"].isna().any():
        note += " A gap is a month without a figure (not a zero)."
    if alert["rule_id"] == "team_turnover_above" and (first := alerts.first_recorded_leaver(scope)) is not None:
        note += (
            f" It starts where the staff records do: they record no one leaving before {format_month(first)}, so "
            "turnover before then is unknown rather than 0 % and is not drawn."
        )
    st.caption(note)

st.subheader("Behind this alert")
found = alerts.behind(alert, scope)
for title, rows in found:
    st.markdown(f"**{title}**")
    if rows.empty:
        st.caption("Nothing published for this (or none within the rows you may see).")
    else:
        st.dataframe(rows, hide_index=True)
if not found:
    st.caption("The figures above are all this alert rests on: no comments or customers are published for it.")
