"""How sure each candidate alert of the tested rules is: a location's NPS drop or low CSAT, a drop in brand
sentiment, a spike in social mentions (docs/alerts.md, "Alerts that know sampling error (s12)" and "Brand
anomaly alerts (s12)"; docs/decisions.md D175-D183).

A location answers ~25 NPS questions a month, so its monthly NPS has a standard error near 17 points and swings
by ±40 all year: a fixed "fell by 30 points" rule fires on noise. Here every candidate carries a test:

- NPS drop (rule nps_drop_location): the month's answers against the pooled answers of the `window_months`
  months before it (the baseline: one small month is a noisy reference, so the trailing window is preferred).
  Each answer scores +100 (promoter), 0 (passive) or -100 (detractor); NPS is their mean, so the drop is a
  difference of two means, tested one-sided with a two-sample z-test with pooled variance
  (statsmodels CompareMeans.ztest_ind; pooled because under "no change" both samples share one spread, which
  also keeps the test defined when one side is all promoters).
- CSAT below a floor (rule csat_below_location): the month's satisfied answers against the floor with an exact
  one-sided binomial test (scipy.stats.binomtest); z = (floor - CSAT) / the standard error at the floor.
- Brand sentiment drop (rule brand_sentiment_drop): brand sentiment = 100 x (positive - negative) / scored
  texts has the form of NPS, so the same two-sample test per source (reviews, social mentions), business-wide.
- Mention spike (rule brand_mentions_spike): quasi-Poisson control limit from the trailing months
  (mention_spike_tests).

Where a month has fewer than `min_count` answers, the trailing `window_months` months ending there are pooled
and judged instead (the window is stated in the alert), so a small location is still watched.
A rule fires when the change (or the shortfall) is larger than `threshold` AND the one-sided p-value is below
`max_p_value`. The plain-words certainty (one definition, used by the alert text and the dashboard) comes
from the p-value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binomtest, nbinom, poisson
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

NPS_RULE, CSAT_RULE = "nps_drop_location", "csat_below_location"
SENTIMENT_RULE, MENTIONS_RULE = "brand_sentiment_drop", "brand_mentions_spike"
# Brand rules are business-wide, one per source; the scope value says which in words.
BRAND_SOURCES = {"review": "reviews", "mention": "social mentions"}
BRAND_COLUMNS = ["month", "source", "texts", "scored_texts", "positive_texts", "negative_texts"]
BRAND_COLUMNS_EMPTY = pd.DataFrame(columns=BRAND_COLUMNS)
OUTPUT_COLUMNS = [
    "rule_id", "scope_value", "period", "window_start", "window_months", "kpi_value", "base_count",
    "baseline_start", "baseline_end", "baseline_value", "baseline_count", "difference", "z_score", "p_value",
    "certainty", "almost_certain", "fires",
]  # fmt: skip
# (p-value below, words): the first that applies. One-sided p-values: the chance of a drop (or shortfall)
# at least this large if nothing had really changed.
CERTAINTY_WORDS = ((0.001, "almost certainly real"), (0.01, "very likely real"), (0.05, "probably real"))
CHANCE_WORDS = "could well be chance"


def certainty(p_value: float) -> str:
    for below, words in CERTAINTY_WORDS:
        if p_value < below:
            return words
    return CHANCE_WORDS


def _windows(months: pd.DataFrame, count_columns: list[str], min_count: int, window_months: int) -> pd.DataFrame:
    """Per scope value (a location, a brand source) and month with answers: the month itself when it has
    min_count answers, else the pooled trailing window of window_months months ending there (window_start and
    window_months say which)."""
    rows = []
    for scope_value, frame in months.groupby("scope_value", sort=True):
        frame = frame.set_index("month").sort_index()
        for month in frame.index:
            start = month - pd.DateOffset(months=window_months - 1)
            if frame.at[month, "responses"] >= min_count:
                pooled, start, used = frame.loc[[month], count_columns].sum(), month, 1
            else:
                pooled, used = frame.loc[start:month, count_columns].sum(), window_months
            rows.append({"scope_value": scope_value, "period": month, "window_start": start, "window_months": used,
                         **pooled.to_dict()})  # fmt: skip
    return pd.DataFrame(rows, columns=["scope_value", "period", "window_start", "window_months", *count_columns])


def _scores(promoters: float, passives: float, detractors: float) -> DescrStatsW:
    return DescrStatsW(np.array([100.0, 0.0, -100.0]), weights=np.array([promoters, passives, detractors]))


def score_drop_tests(
    rule_id: str, months: pd.DataFrame, threshold: float, min_count: int, window_months: int, max_p: float
) -> list[dict]:
    """A drop of a +100 / 0 / -100 score (NPS, brand sentiment): months has scope_value, month, responses,
    promoters (+100), detractors (-100), one row per scope value and month."""
    counts = ["responses", "promoters", "detractors"]
    months = months[months["responses"] > 0]
    current = _windows(months, counts, min_count, window_months)
    rows = []
    for row in current.itertuples(index=False):
        baseline_end = row.window_start - pd.DateOffset(months=1)
        baseline_start = row.window_start - pd.DateOffset(months=window_months)
        mine = months[months["scope_value"] == row.scope_value]
        base = mine.loc[mine["month"].between(baseline_start, baseline_end), counts].sum()
        if row.responses < min_count or base["responses"] < min_count:
            continue  # too few answers on one side: no comparison
        now = _scores(row.promoters, row.responses - row.promoters - row.detractors, row.detractors)
        then = _scores(base["promoters"], base["responses"] - base["promoters"] - base["detractors"],
                       base["detractors"])  # fmt: skip
        # H1: the baseline's mean score is larger than the month's (a drop).
        z, p = CompareMeans(then, now).ztest_ind(alternative="larger", usevar="pooled")
        drop = then.mean - now.mean
        rows.append({
            "rule_id": rule_id, "scope_value": row.scope_value, "period": row.period,
            "window_start": row.window_start, "window_months": row.window_months, "kpi_value": now.mean,
            "base_count": row.responses, "baseline_start": baseline_start, "baseline_end": baseline_end,
            "baseline_value": then.mean, "baseline_count": base["responses"], "difference": -drop, "z_score": z,
            "p_value": p, "fires": bool(drop > threshold and p < max_p),
        })  # fmt: skip
    return rows


def nps_drop_tests(nps: pd.DataFrame, threshold: float, min_count: int, window_months: int, max_p: float):
    """nps: month, location, responses, promoters, detractors (any finer grain: summed here)."""
    months = nps.rename(columns={"location": "scope_value"})
    months = months.groupby(["scope_value", "month"], as_index=False)[["responses", "promoters", "detractors"]].sum()
    return score_drop_tests(NPS_RULE, months, threshold, min_count, window_months, max_p)


def brand_sentiment_drop_tests(brand: pd.DataFrame, threshold: float, min_count: int, window_months: int,
                               max_p: float):  # fmt: skip
    """brand: month, source, scored_texts, positive_texts, negative_texts (any finer grain: summed here); one
    test per source (reviews, social mentions), business-wide."""
    months = brand.assign(scope_value=brand["source"].map(BRAND_SOURCES))
    months = months.groupby(["scope_value", "month"], as_index=False)[
        ["scored_texts", "positive_texts", "negative_texts"]
    ].sum()
    months = months.rename(columns={"scored_texts": "responses", "positive_texts": "promoters",
                                    "negative_texts": "detractors"})  # fmt: skip
    return score_drop_tests(SENTIMENT_RULE, months, threshold, min_count, window_months, max_p)


def mention_spike_tests(brand: pd.DataFrame, threshold: float, min_count: int, window_months: int, max_p: float):
    """Social mentions per month against the window_months months before (quasi-Poisson control limit).

    The usual month is the baseline's mean (lambda); its spread is lambda times the dispersion phi = the
    baseline's variance / mean, floored at 1 (Poisson): mentions come in bursts, so a plain Poisson limit
    would fire on ordinary months. The p-value is P(X >= the month's count) under a negative binomial with
    that mean and variance (scipy.stats.nbinom; Poisson when phi = 1). Fires when the month is more than
    `threshold` % above the usual month, has at least min_count mentions, and p < max_p. Needs every month of
    the baseline in the data (a month without mentions inside the data's span counts as 0)."""
    mentions = brand[brand["source"] == "mention"].groupby("month")["texts"].sum()
    if mentions.empty:
        return []
    span = pd.date_range(mentions.index.min(), mentions.index.max(), freq="MS")
    mentions = mentions.reindex(span, fill_value=0)
    rows = []
    for position in range(window_months, len(mentions)):
        month, count = mentions.index[position], int(mentions.iloc[position])
        baseline = mentions.iloc[position - window_months : position]
        usual = float(baseline.mean())
        if usual <= 0 or count < min_count:
            continue
        phi = max(1.0, float(baseline.var(ddof=1)) / usual)
        if phi > 1.0:
            # nbinom(n, p): mean n(1-p)/p = usual, variance usual / p = phi * usual.
            p = float(nbinom.sf(count - 1, usual / (phi - 1.0), 1.0 / phi))
        else:
            p = float(poisson.sf(count - 1, usual))
        rows.append({
            "rule_id": MENTIONS_RULE, "scope_value": BRAND_SOURCES["mention"], "period": month.date(),
            "window_start": month.date(), "window_months": 1, "kpi_value": float(count), "base_count": count,
            "baseline_start": baseline.index[0].date(), "baseline_end": baseline.index[-1].date(),
            "baseline_value": usual, "baseline_count": float(baseline.sum()), "difference": count - usual,
            "z_score": (count - usual) / np.sqrt(phi * usual), "p_value": p,
            "fires": bool(100.0 * (count - usual) / usual > threshold and p < max_p),
        })  # fmt: skip
    return rows


def csat_below_tests(csat: pd.DataFrame, threshold: float, min_count: int, window_months: int, max_p: float):
    """csat: month, location, responses, satisfied_responses (any finer grain: summed here)."""
    counts = ["responses", "satisfied_responses"]
    months = (
        csat.rename(columns={"location": "scope_value"}).groupby(["scope_value", "month"], as_index=False)[counts].sum()
    )
    months = months[months["responses"] > 0]
    rows = []
    floor = threshold / 100.0
    for row in _windows(months, counts, min_count, window_months).itertuples(index=False):
        n, satisfied = int(row.responses), int(row.satisfied_responses)
        if n < min_count:
            continue
        csat_pct = 100.0 * satisfied / n
        p = binomtest(satisfied, n, floor, alternative="less").pvalue
        z = (threshold - csat_pct) / (100.0 * np.sqrt(floor * (1.0 - floor) / n))
        rows.append({
            "rule_id": CSAT_RULE, "scope_value": row.scope_value, "period": row.period,
            "window_start": row.window_start, "window_months": row.window_months, "kpi_value": csat_pct,
            "base_count": n, "baseline_start": None, "baseline_end": None, "baseline_value": threshold,
            "baseline_count": None,
            "difference": csat_pct - threshold, "z_score": z, "p_value": p,
            "fires": bool(csat_pct < threshold and p < max_p),
        })  # fmt: skip
    return rows


def evidence(rules: pd.DataFrame, nps: pd.DataFrame, csat: pd.DataFrame, brand: pd.DataFrame | None = None):
    """Every scope value × month of the enabled tested rules with its test; `fires` marks the breaches."""
    rows = []
    brand = BRAND_COLUMNS_EMPTY if brand is None else brand
    tests = {
        NPS_RULE: (nps_drop_tests, nps),
        CSAT_RULE: (csat_below_tests, csat),
        SENTIMENT_RULE: (brand_sentiment_drop_tests, brand),
        MENTIONS_RULE: (mention_spike_tests, brand),
    }
    for rule in rules[rules["enabled"].astype(bool)].itertuples(index=False):
        if rule.rule_id in tests:
            test, frame = tests[rule.rule_id]
            frame = frame.assign(month=pd.to_datetime(frame["month"]))
            rows += test(frame, float(rule.threshold), int(rule.min_count), int(rule.window_months),
                         float(rule.max_p_value))  # fmt: skip
    out = pd.DataFrame(rows, columns=[c for c in OUTPUT_COLUMNS if c not in ("certainty", "almost_certain")])
    out["certainty"] = out["p_value"].map(certainty).astype("object")
    out["almost_certain"] = (out["p_value"] < CERTAINTY_WORDS[0][0]).astype(bool)
    for column in ("period", "window_start", "baseline_start", "baseline_end"):
        out[column] = pd.to_datetime(out[column]).dt.date
    for column in ("kpi_value", "base_count", "baseline_value", "baseline_count", "difference", "z_score", "p_value"):
        out[column] = out[column].astype("float64")
    out["window_months"] = out["window_months"].astype("int64")
    out["fires"] = out["fires"].astype(bool)
    return out[OUTPUT_COLUMNS]


def model(dbt, session):
    dbt.config(materialized="table")
    rules = dbt.ref("alert_rules").df()
    nps = dbt.ref("customer_nps_monthly").project("month, location, responses, promoters, detractors").df()
    csat = dbt.ref("customer_csat_monthly").project("month, location, responses, satisfied_responses").df()
    brand = dbt.ref("brand_sentiment_monthly").project(", ".join(BRAND_COLUMNS)).df()
    return evidence(rules, nps, csat, brand)
