"""How numbers are written on the dashboard. One place, so the page and its tests agree on it."""

from __future__ import annotations

import datetime as dt

import pandas as pd

NO_DATA = "—"


def listed(words: list[str], last: str = "and") -> str:
    """ "a", "a and b", "a, b and c" (or with `last` "or")."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def format_month(month: dt.date | pd.Timestamp) -> str:
    return f"{month:%b %Y}"


def format_day(day: dt.date | pd.Timestamp) -> str:
    """A date in words: "5 Jan 2023"."""
    day = pd.Timestamp(day)
    return f"{day.day} {day.strftime('%b %Y')}"


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


def compared_with(delta: str | None, words: str) -> str | None:
    """st.metric's delta_description: the comparison ("vs Nov 2025") only beside a change shown; a card with no
    change (no previous value, a snapshot) names no month it is not compared with."""
    return words if delta is not None else None


def delta_color(delta: float | None, decimals: int = 1, lower_is_better: bool = False) -> str:
    """st.metric's delta_color: grey ("off") when the change rounds to zero as shown (a "+0.0 pts" is no news,
    neither good nor bad); otherwise red/green by direction (inverse when lower is better)."""
    if delta is None or round(delta, decimals) == 0:
        return "off"
    return "inverse" if lower_is_better else "normal"


def delta_arrow(delta: float | None, decimals: int = 1) -> str:
    """st.metric's delta_arrow: none when the change rounds to zero as shown ("+0.0 pts" with an up arrow would
    read as a rise), else Streamlit's own (up for a positive change, down for a negative one)."""
    return "off" if delta is not None and round(delta, decimals) == 0 else "auto"


def format_money(value: float | None, currency: str, decimals: int = 2) -> str:
    """Money with its currency symbol ("£1,234.56", "-£3.20"); a dash for no data."""
    if value is None:
        return NO_DATA
    sign = "-" if value < 0 else ""
    return f"{sign}{currency}{abs(value):,.{decimals}f}"


def is_small_sample(n: float | None, minimum: int) -> bool:
    """True when a ratio rests on fewer than `minimum` answers (and on at least one: no answers is no data)."""
    return n is not None and 0 < n < minimum


def small_sample_note(n: float | None, minimum: int, noun: str = "answers") -> str | None:
    """The label beside a small-sample number, e.g. "Few answers (12 of the 30 needed to read it with
    confidence)"; None when the sample is large enough or empty."""
    if not is_small_sample(n, minimum):
        return None
    return f"Few {noun} ({int(n):,} of the {minimum:,} needed to read it with confidence)"
