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


def format_value(value: float | None, decimals: int = 1, unit: str = "") -> str:
    """A KPI with its unit ("12.5%", "148.9 min", "1,234.56"); a dash when there was nothing to divide by."""
    return NO_DATA if value is None else f"{value:,.{decimals}f}{unit}"


def format_delta(value: float | None, unit: str = " pts", decimals: int = 1) -> str | None:
    """Signed change; None hides st.metric's delta (no comparison month, or no data in it)."""
    return None if value is None else f"{value:+,.{decimals}f}{unit}"
