"""The service-profit chain summary (docs/impact.md, "The service-profit chain"): the correlation between a
location's published employee index in a wave and its customer KPI in the months after, with the 95 % CI from
a cluster bootstrap by location (the pairs of one location over its waves are not independent; D112), the p-value
(scipy.stats.pearsonr, which treats the pairs as independent), the number of location × wave pairs and of locations."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

# The published columns, typed even when no pair qualifies (an empty frame's columns would otherwise be published
# with no type).
TYPES = {
    "employee_measure": "string", "customer_kpi": "string", "correlation": "float64", "ci_low": "float64",
    "ci_high": "float64", "n_pairs": "int64", "p_value": "float64", "method": "string", "n_locations": "int64",
}  # fmt: skip
COLUMNS = list(TYPES)
MIN_PAIRS = 4
MIN_LOCATIONS = 3  # fewer locations cannot be resampled into a range
RESAMPLES = 999
SEED = 20261129  # fixed: the same lake gives the same CI


def location_bootstrap_ci(pairs: pd.DataFrame, seed: int = SEED) -> tuple[float, float]:
    """95 % percentile CI of Pearson's r, resampling whole locations with replacement (a cluster bootstrap); a
    resample whose values do not vary has no correlation and is left out."""
    groups = [g[["employee_value", "customer_value"]].to_numpy(float) for _, g in pairs.groupby("location")]
    rng = np.random.default_rng(seed)
    draws = []
    for picks in rng.integers(0, len(groups), size=(RESAMPLES, len(groups))):
        sample = np.concatenate([groups[i] for i in picks])
        if np.ptp(sample[:, 0]) > 0 and np.ptp(sample[:, 1]) > 0:
            draws.append(np.corrcoef(sample[:, 0], sample[:, 1])[0, 1])
    low, high = np.percentile(draws, [2.5, 97.5]) if draws else (np.nan, np.nan)
    return float(low), float(high)


def chain_summary(points: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (measure, kpi), pairs in points.groupby(["employee_measure", "customer_kpi"], sort=True):
        pairs = pairs.dropna(subset=["employee_value", "customer_value"])
        if len(pairs) < MIN_PAIRS or pairs["employee_value"].nunique() < 2 or pairs["customer_value"].nunique() < 2:
            continue
        if pairs["location"].nunique() < MIN_LOCATIONS:
            continue
        result = stats.pearsonr(pairs["employee_value"], pairs["customer_value"])
        # With few locations the bootstrap's percentiles can be narrower than Fisher's z (4 locations give 256
        # distinct resamples): publish the wider of the two, never a CI narrower than the independent-pairs one.
        boot_low, boot_high = location_bootstrap_ci(pairs)
        fisher = result.confidence_interval(0.95)
        ci_low, ci_high = float(np.nanmin([boot_low, fisher.low])), float(np.nanmax([boot_high, fisher.high]))
        rows.append(
            {
                "employee_measure": measure,
                "customer_kpi": kpi,
                "correlation": float(result.statistic),
                "ci_low": ci_low,
                "ci_high": ci_high,
                "n_pairs": len(pairs),
                "p_value": float(result.pvalue),
                "method": "pearson_location_bootstrap",
                "n_locations": int(pairs["location"].nunique()),
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS).astype(TYPES)
