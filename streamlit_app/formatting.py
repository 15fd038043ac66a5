"""How numbers are written on the dashboard. One place, so the page and its tests agree on it."""

from __future__ import annotations

import datetime as dt

import pandas as pd

NO_DATA = "—"


def format_month(month: dt.date | pd.Timestamp) -> str:
    return f"{month:%b %Y}"


def format_score(value: float | None) -> str:
    """NPS with one decimal; a dash when there were no responses (not 0, which is a real score)."""
    return NO_DATA if value is None else f"{value:.1f}"


def format_pct(value: float | None) -> str:
    return NO_DATA if value is None else f"{value:.1f}%"


def format_delta(value: float | None, unit: str = " pts") -> str | None:
    """Signed change; None hides st.metric's delta (no comparison month, or no data in it)."""
    return None if value is None else f"{value:+.1f}{unit}"
