"""KPI arithmetic for the dashboard: pure functions over mart rows, no Streamlit, no I/O.

Every ratio is recomputed from summed counts: the NPS of several segments is NOT the mean of their NPS
values (a segment with 10 answers would weigh as much as one with 10,000). So we sum promoters,
detractors and responses over the selected rows first and divide last. No responses -> None ("no data"),
never 0, which would read as a real score.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

NPS_COUNTS = ["responses", "promoters", "passives", "detractors"]
CSAT_COUNTS = ["responses", "satisfied_responses", "score_sum"]


def nps_from_counts(promoters: float, detractors: float, responses: float) -> float | None:
    """Net Promoter Score in -100..100: % promoters (9-10) minus % detractors (0-6)."""
    if not responses:
        return None
    return 100.0 * (promoters - detractors) / responses


def csat_pct_from_counts(satisfied_responses: float, responses: float) -> float | None:
    """CSAT %: share of answers in the top box (score >= 4 on 1-5 by default), 0..100."""
    if not responses:
        return None
    return 100.0 * satisfied_responses / responses


def csat_mean_from_counts(score_sum: float, responses: float) -> float | None:
    if not responses:
        return None
    return score_sum / responses


def _sum_counts(df: pd.DataFrame, counts: list[str], by: Sequence[str]) -> pd.DataFrame:
    by = list(by)
    if not by:
        return pd.DataFrame([df[counts].sum()])
    return df.groupby(by, as_index=False, dropna=False, sort=True)[counts].sum()


def aggregate_nps(df: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Sum NPS counts per group of `by` (all rows when empty), then compute `nps` from the sums."""
    out = _sum_counts(df, NPS_COUNTS, by)
    out["nps"] = [
        nps_from_counts(p, d, r) for p, d, r in zip(out["promoters"], out["detractors"], out["responses"], strict=True)
    ]
    out["nps"] = out["nps"].astype("Float64")
    return out


def aggregate_csat(df: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Sum CSAT counts per group of `by` (all rows when empty), then compute `csat_pct` and `csat_mean`."""
    out = _sum_counts(df, CSAT_COUNTS, by)
    out["csat_pct"] = [
        csat_pct_from_counts(s, r) for s, r in zip(out["satisfied_responses"], out["responses"], strict=True)
    ]
    out["csat_mean"] = [csat_mean_from_counts(s, r) for s, r in zip(out["score_sum"], out["responses"], strict=True)]
    out[["csat_pct", "csat_mean"]] = out[["csat_pct", "csat_mean"]].astype("Float64")
    return out


def nps_of(df: pd.DataFrame) -> float | None:
    """One NPS over all rows of `df` (None when they hold no responses)."""
    totals = df[NPS_COUNTS].sum()
    return nps_from_counts(totals["promoters"], totals["detractors"], totals["responses"])


def csat_pct_of(df: pd.DataFrame) -> float | None:
    totals = df[CSAT_COUNTS].sum()
    return csat_pct_from_counts(totals["satisfied_responses"], totals["responses"])


def change(current: float | None, previous: float | None) -> float | None:
    """Difference in points; None when either side has no data (a delta from nothing means nothing)."""
    if current is None or previous is None:
        return None
    return current - previous


def period_start(months: Sequence[pd.Timestamp], end: pd.Timestamp, length: int) -> pd.Timestamp:
    """The first of `months` (sorted, `end` among them) inside the `length` months ending at `end`: a default
    period's start. It is always one of `months`, so a slider over them can take it even when a viewer's rows
    skip months (a location counted with others in some months)."""
    earliest = end - pd.DateOffset(months=length - 1)
    return pd.Timestamp(next(m for m in months if m >= earliest))
