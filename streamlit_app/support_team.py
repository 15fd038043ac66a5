"""Queries and sums behind the Support team page: per agent over a period, from the published mart
marts.customer_support_agent_monthly (counts summed, ratios divided last, as the mart's own formulas)."""

from __future__ import annotations

import pandas as pd

from streamlit_app import warehouse
from streamlit_app.access import Scope
from streamlit_app.formatting import is_small_sample

MART = "marts.customer_support_agent_monthly"
COUNTS = (
    "tickets",
    "resolved_tickets",
    "first_contact_resolved_tickets",
    "handled_tickets",
    "handle_minutes_sum",
    "csat_responses",
    "satisfied_responses",
)
# Each ratio: (numerator, denominator, scale) — its n is the denominator.
RATIOS = {
    "csat_pct": ("satisfied_responses", "csat_responses", 100.0),
    "fcr_pct": ("first_contact_resolved_tickets", "resolved_tickets", 100.0),
    "handle_minutes_per_ticket": ("handle_minutes_sum", "handled_tickets", 1.0),
}


def agent_months(scope: Scope) -> pd.DataFrame:
    """Every agent × month × location the viewer may read (a location manager: their location's tickets only;
    the support team's manager: every agent)."""
    frame = warehouse.query_table(f"month, agent, location, {', '.join(COUNTS)}", MART, scope, "ORDER BY month")
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


def with_ratios(frame: pd.DataFrame) -> pd.DataFrame:
    """The ratios of summed counts; NULL (not 0) where nothing was counted."""
    out = frame.copy()
    for ratio, (numerator, denominator, scale) in RATIOS.items():
        counted = out[denominator].astype("float64")
        out[ratio] = (scale * out[numerator].astype("float64") / counted).where(counted > 0)
    return out


def per_agent(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per agent over `rows`' months (their counts summed over the locations the viewer may read), best
    CSAT first; an agent's location is where most of those tickets came from."""
    if rows.empty:
        return with_ratios(pd.DataFrame(columns=["agent", "location", *COUNTS]))
    location = rows.groupby(["agent", "location"])["tickets"].sum().reset_index()
    location = location.sort_values(["agent", "tickets"], ascending=[True, False]).drop_duplicates("agent")
    summed = rows.groupby("agent", as_index=False)[list(COUNTS)].sum()
    summed = summed.merge(location[["agent", "location"]], on="agent")
    return with_ratios(summed).sort_values(["csat_pct", "agent"], ascending=[False, True], na_position="last")


def team_total(rows: pd.DataFrame) -> pd.Series:
    """The whole team's ratios over `rows` (counts summed first)."""
    return with_ratios(rows[list(COUNTS)].sum().to_frame().T).iloc[0]


def small_cells(agents: pd.DataFrame, minimum: int) -> pd.DataFrame:
    """True where a ratio rests on fewer than `minimum` of its base (answers, resolved or handled tickets)."""
    return pd.DataFrame(
        {
            ratio: agents[base].map(lambda n: is_small_sample(float(n), minimum))
            for ratio, (_, base, _) in RATIOS.items()
        },
        index=agents.index,
    )
