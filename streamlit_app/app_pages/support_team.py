"""Support team: each agent's customer satisfaction, first contact resolution and handle time over a period,
every number beside the count it rests on; numbers resting on few answers or tickets are greyed out."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from streamlit_app import settings, support_team
from streamlit_app.formatting import format_month, format_value, small_sample_note
from streamlit_app.ui import count_column, data_table, open_page, period_picker, report_sources

GREY = "color: #9e9e9e"
COLUMNS = {
    "agent": "Agent",
    "location": "Location",
    "tickets": count_column("Tickets"),
    "csat_pct": st.column_config.NumberColumn("Customer satisfaction (CSAT %)", format="%.1f"),
    "csat_responses": count_column("CSAT answers"),
    "fcr_pct": st.column_config.NumberColumn("Solved at first contact %", format="%.1f"),
    "resolved_tickets": count_column("Solved tickets"),
    "handle_minutes_per_ticket": st.column_config.NumberColumn("Handle time (min per ticket)", format="%.1f"),
    "handled_tickets": count_column("Tickets with handle time"),
}

scope = open_page("support_team")
st.title("Support team")
st.caption(
    "How each support agent is doing: the share of satisfied customers among the survey answers about their "
    "tickets, the share of solved tickets that were solved at the first contact, and the time spent per ticket "
    "(all its contacts together, so it is higher than the AHT per customer contact on Customer empathy). "
    "Agents appear under a code, not their name: the published data holds no employee's identity."
)

report_sources("support_team", {support_team.MART: "figures per support agent"})

rows = support_team.agent_months(scope)
if rows.empty:
    st.info(
        "No support tickets with an agent have been published for the location or team you can see. "
        "Support agents belong to the support team; a location's manager sees the tickets of their location."
    )
    st.stop()

months = [pd.Timestamp(m) for m in sorted(rows["month"].unique())]
default_start = months[max(0, len(months) - 3)]
start, end = period_picker(
    months, (default_start, months[-1]), key="support_period", help="The months the figures add up (by ticket opened)."
)
period = rows[(rows["month"] >= start) & (rows["month"] <= end)]
span = format_month(start) if start == end else f"{format_month(start)} to {format_month(end)}"
minimum = settings.min_answers()

total = support_team.team_total(period)
csat_card, fcr_card, handle_card, tickets_card = st.columns(4)
csat_card.metric("Customer satisfaction", format_value(total["csat_pct"], unit=" %"), border=True,
                 help="Satisfied answers (top two of five) among the CSAT answers about the tickets.")  # fmt: skip
fcr_card.metric("Solved at first contact", format_value(total["fcr_pct"], unit=" %"), border=True)
handle_card.metric(
    "Handle time per ticket", format_value(total["handle_minutes_per_ticket"], unit=" min"), border=True,
    help="Agent working time (talk, hold and wrap-up) per ticket, all of the ticket's contacts together. Not the "
    "AHT on Customer empathy, which is the same time per customer contact: a ticket with two contacts counts once "
    "here and twice there, so AHT is lower.",
)  # fmt: skip
tickets_card.metric("Tickets", f"{int(total['tickets']):,}", border=True)
if note := small_sample_note(float(total["csat_responses"]), minimum):
    csat_card.caption(f":orange[{note}]")

st.subheader(f"Per agent, {span}")
agents = support_team.per_agent(period).reset_index(drop=True)
small = support_team.small_cells(agents, minimum)
shown = agents[list(COLUMNS)]
styled = shown.style.apply(lambda _: small.reindex(columns=shown.columns, fill_value=False).map(
    lambda s: GREY if s else ""), axis=None)  # fmt: skip
data_table(styled, download="support_team", column_config=COLUMNS, download_rows=shown, hide_index=True)
greyed = int(small.any(axis=1).sum())
st.caption(
    f"Greyed numbers rest on fewer than {minimum:,} answers or tickets: one more answer could move them a lot, "
    f"so read them as a hint, not a verdict ({greyed:,} of {len(agents):,} agents have at least one). "
    "A dash means there was nothing to count."
)
