"""How sure each candidate alert of the tested rules is: a location's NPS drop or low CSAT, a drop in brand
sentiment, a spike in social mentions (docs/alerts.md, "Alerts that know sampling error (s12)" and "Brand
anomaly alerts (s12)"; docs/decisions.md D175-D183).

A location answers ~25 NPS questions a month, so its monthly NPS has a standard error near 17 points and swings
by ±40 all year: a fixed "fell by 30 points" rule fires on noise. Here every candidate carries a test:

- NPS drop (rule nps_drop_location): the month's answers against the pooled answers of the `window_months`
  months before it (the baseline: one small month is a noisy reference, so the trailing window is preferred).
  Each answer scores +100 (promoter), 0 (passive) or -100 (detractor); NPS is their mean, so the drop is a
  difference of two means, tested one-sided with a z-test whose variance is the pooled sampling variance of
  both sides (statsmodels CompareMeans; pooled because under "no change" both samples share one spread, which
  also keeps the test defined when one side is all promoters) PLUS the between-month variance of the
  location's own trailing 12 months (random effects, DerSimonian-Laird via statsmodels combine_effects): with
  hundreds of answers sampling error is tiny, and a sampling-only test would call every ordinary monthly swing
  significant (docs/decisions.md D263).
- CSAT below a floor (rule csat_below_location): the month's satisfied answers against the floor with an exact
  one-sided binomial test (scipy.stats.binomtest); z = (floor - CSAT) / the standard error at the floor.
- Brand sentiment drop (rule brand_sentiment_drop): brand sentiment = 100 x (positive - negative) / scored
  texts has the form of NPS, so the same two-sample test per source (reviews, social mentions), business-wide.
- Mention spike (rule brand_mentions_spike): quasi-Poisson control limit from the trailing months
  (mention_spike_tests).

Where a month has fewer than `min_count` answers, the trailing `window_months` months ending there are pooled
and judged instead (the window is stated in the alert), so a small location is still watched.
A rule fires when the change (or the shortfall) is larger than `threshold` AND the one-sided p-value is below
`max_p_value`. The plain words for the p-value (one definition, used by the alert text and the dashboard) say
how often chance alone would give such a result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import binomtest, nbinom, norm
from statsmodels.stats.meta_analysis import combine_effects
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from dagster_project.engine_frames import read, table

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
# (p-value below, words): the first that applies. One-sided p-values: how often chance alone (sampling error
# and the usual month-to-month swing) would give a drop (or shortfall) at least this large. Never "the chance
# it is real": a p-value is not that.
CERTAINTY_WORDS = ((0.001, "very rare by chance"), (0.01, "rare by chance"), (0.05, "uncommon by chance"))
CHANCE_WORDS = "common by chance"
# The usual month-to-month swing is estimated from this many months before the judged window, and needs at least
# MIN_HISTORY of them with answers.
HISTORY_MONTHS, MIN_HISTORY = 12, 3


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


def _between_month_variance(history: pd.DataFrame, score_variance: float) -> float:
    """The month-to-month variance of the KPI beyond sampling error (tau squared), from the trailing months of
    `history` (responses, promoters, detractors per month): a random-effects meta-analysis of the monthly
    scores, DerSimonian-Laird (statsmodels combine_effects), each month's sampling variance the pooled
    per-answer variance over its answers."""
    monthly = 100.0 * (history["promoters"] - history["detractors"]) / history["responses"]
    # Identical months give Q = 0: statsmodels then divides by zero in summaries we do not use (I^2, weights).
    with np.errstate(divide="ignore", invalid="ignore"):
        result = combine_effects(monthly.to_numpy(float), score_variance / history["responses"].to_numpy(float),
                                 method_re="dl")  # fmt: skip
    # statsmodels leaves the moment estimate untruncated: a history steadier than sampling error alone gives a
    # negative value, which means no between-month variance (DerSimonian-Laird truncate at 0).
    return max(0.0, float(result.tau2)) if np.isfinite(result.tau2) else 0.0


def score_drop_tests(
    rule_id: str, months: pd.DataFrame, threshold: float, min_count: int, window_months: int, max_p: float
) -> list[dict]:
    """A drop of a +100 / 0 / -100 score (NPS, brand sentiment): months has scope_value, month, responses,
    promoters (+100), detractors (-100), one row per scope value and month.

    The variance of the drop is the sampling variance of both sides (pooled, statsmodels CompareMeans) plus the
    between-month variance tau^2 of the scope's own trailing HISTORY_MONTHS months (random effects): the judged
    window carries tau^2 / its months, the baseline tau^2 / its months. Fewer than MIN_HISTORY months with
    answers before the window: the usual swing is unknown, so no test."""
    counts = ["responses", "promoters", "detractors"]
    months = months[months["responses"] > 0]
    current = _windows(months, counts, min_count, window_months)
    rows = []
    for row in current.itertuples(index=False):
        baseline_end = row.window_start - pd.DateOffset(months=1)
        baseline_start = row.window_start - pd.DateOffset(months=window_months)
        mine = months[months["scope_value"] == row.scope_value]
        before = mine[mine["month"].between(row.window_start - pd.DateOffset(months=HISTORY_MONTHS), baseline_end)]
        in_baseline = before[before["month"] >= baseline_start]
        base = in_baseline[counts].sum()
        if row.responses < min_count or base["responses"] < min_count or len(before) < MIN_HISTORY:
            continue  # too few answers on one side, or too short a history: no comparison
        now = _scores(row.promoters, row.responses - row.promoters - row.detractors, row.detractors)
        then = _scores(base["promoters"], base["responses"] - base["promoters"] - base["detractors"],
                       base["detractors"])  # fmt: skip
        compare = CompareMeans(then, now)
        history = before[counts].sum()
        score_variance = _scores(history["promoters"], history["responses"] - history["promoters"]
                                 - history["detractors"], history["detractors"]).var  # fmt: skip
        tau2 = _between_month_variance(before, score_variance) if score_variance > 0 else 0.0
        variance = compare.std_meandiff_pooledvar**2 + tau2 * (1.0 / row.window_months + 1.0 / len(in_baseline))
        drop = then.mean - now.mean
        # H1: the baseline's mean score is larger than the month's (a drop).
        z = drop / np.sqrt(variance) if variance > 0 else (np.inf if drop > 0 else 0.0)
        p = float(norm.sf(z))
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
    would fire on ordinary months; times (1 + 1/k) for a usual month estimated from k months. The p-value is
    P(X >= the month's count) under a negative binomial with that mean and variance (scipy.stats.nbinom).
    Fires when the month is more than `threshold` % above the usual month, has at least min_count mentions,
    and p < max_p. Needs every month of the baseline in the data (a month without mentions inside the data's
    span counts as 0)."""
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
        # The spread of the usual month, inflated by (1 + 1/k) because the usual month is itself estimated
        # from k months (the prediction interval of a new month, not the spread around a known mean).
        phi = max(1.0, float(baseline.var(ddof=1)) / usual) * (1.0 + 1.0 / window_months)
        # nbinom(n, p): mean n(1-p)/p = usual, variance usual / p = phi * usual.
        p = float(nbinom.sf(count - 1, usual / (phi - 1.0), 1.0 / phi))
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
    rules = read(session, dbt.ref("alert_rules"))
    nps = read(session, dbt.ref("customer_nps_monthly"), "month, location, responses, promoters, detractors")
    csat = read(session, dbt.ref("customer_csat_monthly"), "month, location, responses, satisfied_responses")
    brand = read(session, dbt.ref("brand_sentiment_monthly"), ", ".join(BRAND_COLUMNS))
    return table(session, evidence(rules, nps, csat, brand))
