"""The service-profit chain summary (docs/impact.md, "The service-profit chain"): the correlation between a
location's published employee index in a wave and its customer KPI in the months after, with the 95 % CI from
Fisher's z (scipy.stats.pearsonr), the p-value and the number of location × wave pairs."""

from __future__ import annotations

import pandas as pd
from scipy import stats

COLUMNS = ["employee_measure", "customer_kpi", "correlation", "ci_low", "ci_high", "n_pairs", "p_value", "method"]
MIN_PAIRS = 4  # Fisher's z needs n > 3


def chain_summary(points: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (measure, kpi), pairs in points.groupby(["employee_measure", "customer_kpi"], sort=True):
        pairs = pairs.dropna(subset=["employee_value", "customer_value"])
        if len(pairs) < MIN_PAIRS or pairs["employee_value"].nunique() < 2 or pairs["customer_value"].nunique() < 2:
            continue
        result = stats.pearsonr(pairs["employee_value"], pairs["customer_value"])
        ci = result.confidence_interval(0.95)
        rows.append(
            {
                "employee_measure": measure,
                "customer_kpi": kpi,
                "correlation": float(result.statistic),
                "ci_low": float(ci.low),
                "ci_high": float(ci.high),
                "n_pairs": len(pairs),
                "p_value": float(result.pvalue),
                "method": "pearson_fisher_z",
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS).astype({"n_pairs": "int64"})
