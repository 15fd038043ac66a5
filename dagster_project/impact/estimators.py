"""Effect of one initiative on one KPI, from a unit × month panel (docs/impact.md "Estimating what an
initiative changed"; decisions D81-D88).

`estimate(panel, higher_is_better=...)` returns (effects, event_study):
- effects: one row per method — before_after (treated units, after minus before), did (two-way fixed
  effects, unit + month, SE clustered by unit; wild cluster bootstrap when clusters are few), staggered
  (Callaway & Sant'Anna group-time effects, simple aggregation) and, when a finer-grain panel is given,
  regression (the same comparison with segment/channel/... fixed effects). A method that cannot be
  estimated on this panel still gives its row, with a NULL estimate and a plain `note` saying why.
- event_study: the Callaway & Sant'Anna event aggregation, effect by month relative to the start.
The joint pre-trend test (Callaway & Sant'Anna Wald pre-test over every pre-period group-time effect) is
copied into every effects row (pretrend_p_value, pretrend_differs).

All statistics come from pyfixest (feols, CRV1, wildboottest) and differences (ATTgt); nothing here does
matrix algebra.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.stats import f as f_dist
from scipy.stats import t as t_dist

EFFECT_COLUMNS = [
    "method",
    "headline",
    "estimate",
    "std_error",
    "ci_low",
    "ci_high",
    "p_value",
    "inference",
    "treated_units",
    "control_units",
    "control_group",
    "pre_start",
    "pre_end",
    "post_start",
    "post_end",
    "n_obs",
    "n_treated_obs",
    "n_control_obs",
    "pretrend_p_value",
    "pretrend_differs",
    "higher_is_better",
    "note",
]
EVENT_COLUMNS = ["relative_month", "estimate", "ci_low", "ci_high", "n_obs", "is_pre"]

# Below this many clusters (units in the regression) the clustered standard error is too optimistic; the
# p-value and the interval then come from a wild cluster bootstrap (Cameron, Gelbach & Miller 2008).
FEW_CLUSTERS = 30
# Below this many clusters Rademacher weights have too few distinct draws (2^G); Webb's six-point weights
# are used instead (Webb 2023).
WEBB_CLUSTERS = 12
BOOT_REPS = 999
PRETREND_ALPHA = 0.05
ONE_TREATED_NOTE = "Only one unit is treated: the interval cannot account for that unit's own month-to-month swings."
# The pre-trend test covers the months just before the start (relative months -6 to -1).
PRETREND_MONTHS = 6


def _month_index(months: pd.Series) -> pd.Series:
    """Months as consecutive integers (year × 12 + month), the time scale `differences` needs."""
    months = pd.to_datetime(months)
    return (months.dt.year * 12 + months.dt.month - 1).astype("float")


def _month_of(index: float) -> pd.Timestamp:
    index = int(index)
    return pd.Timestamp(year=index // 12, month=index % 12 + 1, day=1)


def _prepare(panel: pd.DataFrame, min_n: float) -> pd.DataFrame:
    p = panel[["unit", "month", "value", "n", "start_month"]].copy()
    p["unit"] = p["unit"].astype(str)
    p["value"] = pd.to_numeric(p["value"], errors="coerce").astype(float)
    p["n"] = pd.to_numeric(p["n"], errors="coerce").astype(float)
    p = p[p["value"].notna() & p["n"].fillna(0).ge(min_n)]
    p["t"] = _month_index(p["month"])
    p["cohort"] = _month_index(p["start_month"])
    if len(p):
        # A start after the last month in the data is no start in this window: the unit is untreated here.
        p.loc[p["cohort"] > p["t"].max(), "cohort"] = np.nan
    p = p.drop_duplicates(["unit", "t"]).sort_values(["unit", "t"]).reset_index(drop=True)
    p["uid"] = pd.factorize(p["unit"])[0].astype("int64")
    p["treated"] = p["cohort"].notna()
    p["post"] = (p["treated"] & (p["t"] >= p["cohort"])).astype(float)
    return p


def _blank(method: str, note: str, **extra) -> dict:
    row = dict.fromkeys(EFFECT_COLUMNS)
    row.update(method=method, note=note, **extra)
    return row


_KERNELS: dict = {}


def _reuse_wildboottest_kernels() -> None:
    """Compile wildboottest's numba kernel once per process instead of once per call.

    wildboottest 0.3.2 defines its denominator kernel inside `WildboottestCL.get_denom` under
    `@njit(...)`, so numba compiles it again on every bootstrap (0.4-2 s each, most of a small panel's
    estimation time). The kernel closes over nothing, so the decorator it looks up in its module is
    replaced by one that returns the dispatcher compiled the first time for the same code, cached on disk
    by numba for later processes. Should a later wildboottest change the kernel, a new code object simply
    compiles as before.
    """
    from numba import njit
    from wildboottest import wildboottest as module

    if getattr(module.njit, "_empathy_lake_reuse", False):
        return

    def njit_once(*args, **kwargs):
        def decorate(function):
            key = (function.__code__, tuple(sorted(kwargs.items())))
            if key not in _KERNELS:
                # cache=True: numba also keeps the compiled kernel on disk for the next process.
                _KERNELS[key] = njit(*args, **{**kwargs, "cache": True})(function)
            return _KERNELS[key]

        return decorate

    njit_once._empathy_lake_reuse = True
    module.njit = njit_once


# pyfixest stops demeaning at a relative change of 1e-6 by default, so the same panel read in another row
# order or summed in another order upstream gave errors differing in the 8th digit; run to convergence
# so a re-run, an incremental build and a full build publish the same numbers (D115).
FIXEF_TOL = 1e-12
# An event-study interval narrower than this share of the outcome's spread is rounding noise, not an estimate.
DEGENERATE_CI = 1e-4


# Bootstrap draws whose |t*| equals the observed |t| up to this relative rounding count as "at least as extreme".
TIE_TOLERANCE = 1e-9


def _bootstrap_p_value(t_stat: float, t_boot) -> float:
    """Two-sided wild-bootstrap p-value: the share of draws with |t*| >= |t|, ties included (D117).

    With few clusters the bootstrap distribution is discrete: with 3 clusters and Webb weights, the draws
    that give every cluster the same weight reproduce |t| exactly, about 3 % of all draws. wildboottest counts
    only |t*| > |t|, so whether those ties counted hung on the last bit of |t| and the same data read in
    another row order published p = 0.094 once and 0.124 the next time. Counting ties within a relative
    TIE_TOLERANCE is the conventional (conservative) definition and is stable to rounding.
    """
    observed = abs(t_stat) * (1 - TIE_TOLERANCE)
    return float(np.mean(np.abs(np.asarray(t_boot, dtype=float)) >= observed))


def _fe_inference(formula: str, data: pd.DataFrame, param: str, *, alpha: float, seed: int, wild: bool):
    """Coefficient `param` of a pyfixest regression, with CRV1 errors clustered by unit, or — with fewer
    than FEW_CLUSTERS clusters — the wild cluster bootstrap's p-value and its bootstrap-t interval."""
    import pyfixest as pf

    clusters = data["uid"].nunique()
    vcov = {"CRV1": "uid"} if clusters >= 2 else "hetero"
    fit = pf.feols(formula, fixef_tol=FIXEF_TOL, data=data, vcov=vcov)
    est = float(fit.coef()[param])
    se = float(fit.se()[param])
    p_value = float(fit.pvalue()[param])
    ci = fit.confint(alpha=alpha).loc[param]
    low, high = float(ci.iloc[0]), float(ci.iloc[1])
    inference = "cluster_robust" if clusters >= 2 else "analytic"
    if wild and 2 <= clusters < FEW_CLUSTERS:
        _reuse_wildboottest_kernels()
        weights = "webb" if clusters < WEBB_CLUSTERS else "rademacher"
        result, t_boot = fit.wildboottest(
            reps=BOOT_REPS, param=param, weights_type=weights, seed=seed, return_bootstrapped_t_stats=True
        )
        t_stat = float(result["t value"])
        p_value = _bootstrap_p_value(t_stat, t_boot)
        # Bootstrap-t interval: the coefficient ± the (1 − alpha) quantile of |t*| times the bootstrap's
        # standard error (the estimate over its t statistic), so the interval excludes 0 iff p < alpha.
        critical = float(np.quantile(np.abs(np.asarray(t_boot, dtype=float)), 1 - alpha))
        if np.isfinite(t_stat) and t_stat != 0:
            se = abs(est / t_stat)
        low, high = est - critical * se, est + critical * se
        inference = "wild_cluster_bootstrap"
    return {"estimate": est, "std_error": se, "ci_low": low, "ci_high": high, "p_value": p_value}, inference


def _row(method: str, stats: dict, inference: str, sample: pd.DataFrame, control_group: str, note=None) -> dict:
    """An estimated effects row: the statistics, the units and unit-months used, and the windows."""
    return {
        "method": method,
        **stats,
        "inference": inference,
        **_counts(sample),
        "control_group": control_group,
        **_windows(sample),
        "note": note,
    }


def _windows(sample: pd.DataFrame) -> dict:
    first_start = sample.loc[sample["treated"], "cohort"].min()
    return {
        "pre_start": _month_of(sample["t"].min()),
        "pre_end": _month_of(first_start - 1),
        "post_start": _month_of(first_start),
        "post_end": _month_of(sample["t"].max()),
    }


def _counts(sample: pd.DataFrame) -> dict:
    treated = sample["treated"]
    return {
        "treated_units": int(sample.loc[treated, "unit"].nunique()),
        "control_units": int(sample.loc[~treated, "unit"].nunique()),
        "n_obs": len(sample),
        "n_treated_obs": int(treated.sum()),
        "n_control_obs": int((~treated).sum()),
    }


def _with_pre_and_post(p: pd.DataFrame) -> pd.DataFrame:
    """Treated units observed both before and after their start; every untreated unit."""
    treated = p[p["treated"]]
    spans = treated.groupby("unit")["post"].agg(["min", "max"])
    keep = spans.index[(spans["min"] == 0) & (spans["max"] == 1)]
    return p[~p["treated"] | p["unit"].isin(keep)]


def _before_after(p, *, alpha, seed, wild) -> dict:
    sample = p[p["treated"]]
    if sample.empty:
        return _blank("before_after", "No data for this measure at the treated units.", control_group="none")
    if sample["post"].min() == 1:
        return _blank("before_after", "No months before the start at the treated units.", control_group="none")
    if sample["post"].max() == 0:
        return _blank("before_after", "No months after the start at the treated units.", control_group="none")
    sample = _with_pre_and_post(sample)
    if _constant(sample):
        return _blank("before_after", CONSTANT_NOTE, control_group="none")
    stats, inference = _fe_inference("value ~ post | uid", sample, "post", alpha=alpha, seed=seed, wild=wild)
    return _row("before_after", stats, inference, sample, "none")


def _did(p, sample, *, alpha, seed, wild) -> dict:
    """p: the panel; sample: its units with months before and after (`_with_pre_and_post(p)`)."""
    if not sample["treated"].any():
        return _blank("did", _no_treated_reason(p), control_group="never_treated")
    if sample["treated"].all():
        return _blank(
            "did",
            "Every unit is treated at some point, so there are no untreated units to compare with.",
            control_group="never_treated",
        )
    if _constant(sample):
        return _blank("did", CONSTANT_NOTE, control_group="never_treated")
    stats, inference = _fe_inference("value ~ post | uid + t", sample, "post", alpha=alpha, seed=seed, wild=wild)
    return _row("did", stats, inference, sample, "never_treated")


# A measure with one value in every unit-month of the comparison (a team with no leavers before or after): the
# regression's change is exactly 0 with a standard error of 0, and its interval is undefined (0 / 0), so no
# interval could be published beside it (docs/decisions.md D755).
CONSTANT_NOTE = "The measure had the same value in every month compared, so there is no change to estimate."


def _constant(sample: pd.DataFrame) -> bool:
    return sample["value"].nunique(dropna=True) <= 1


def _no_treated_reason(p: pd.DataFrame) -> str:
    if not p["treated"].any():
        return "No data for this measure at the treated units."
    if p.loc[p["treated"], "post"].min() == 1:
        return "No months before the start at the treated units."
    return "No months after the start at the treated units."


def _staggered(p, sample, *, alpha):
    """Callaway & Sant'Anna: (effects row, event-study frame).

    With one start month and never-treated units it adds nothing to the DiD row (the row keeps a note) and
    the event study comes from one regression (`_event_regression`): differences fits every cohort × month
    cell separately, about 0.1-0.8 s per KPI, the largest cost of a demo build."""
    never = not p["treated"].all()
    control_group = "never_treated" if never else "not_yet_treated"
    empty_events = pd.DataFrame(columns=EVENT_COLUMNS)
    if not sample["treated"].any():
        return _blank("staggered", _no_treated_reason(p), control_group=control_group), empty_events
    cohorts = sample.loc[sample["treated"], "cohort"].unique()
    if not never and len(cohorts) < 2:
        note = "Every unit started at the same time, so no unit is left untreated to compare with."
        return _blank("staggered", note, control_group=control_group), empty_events
    if len(cohorts) < 2:
        note = "All treated units started in the same month, so the difference-in-differences row is the estimate."
        return _blank("staggered", note, control_group=control_group), _event_regression(sample, alpha=alpha)
    observed = set(zip(sample["treated"], sample["t"], strict=True))
    if not all((True, c - 1) in observed and (False, c - 1) in observed for c in cohorts) and never:
        note = "No data in the month just before a start at the treated or the comparison units."
        return _blank("staggered", note, control_group=control_group), empty_events

    from differences import ATTgt

    data = sample.astype({"t": "int64"}).set_index(["unit", "t"])[["value", "cohort"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            # Universal base period: every event-study point is relative to the month before the start,
            # as in the one-start regression.
            att = ATTgt(data=data, cohort_column="cohort", base_period="universal")
            att.fit("value", est_method="reg", control_group=control_group, alpha=alpha, progress_bar=False)
            simple = att.aggregate("simple", alpha=alpha)
            event = att.aggregate("event", alpha=alpha)
        except (ValueError, np.linalg.LinAlgError, KeyError, IndexError):
            note = "The staggered roll-out estimator could not run on this data (too few units or months)."
            return _blank("staggered", note, control_group=control_group), empty_events
    values = simple.iloc[0].to_numpy(dtype=object)
    est, se = float(values[0]), float(values[1])
    # differences' interval uses the normal distribution; with G units the estimate is a mean of G
    # clusters' influence functions, so the t distribution with G − 1 degrees of freedom is used instead
    # (wider with few units: 2.45 instead of 1.96 at 7 locations).
    dof = max(sample["unit"].nunique() - 1, 1)
    critical = float(t_dist.ppf(1 - alpha / 2, dof))
    low, high = est - critical * se, est + critical * se
    p_value = float(2 * t_dist.sf(abs(est / se), dof)) if se and np.isfinite(se) and se > 0 else None
    stats = {"estimate": est, "std_error": se, "ci_low": low, "ci_high": high, "p_value": p_value}
    row = _row("staggered", stats, "analytic", sample, control_group)
    ev = event.copy()
    ev.columns = ["estimate", "std_error", "ci_low", "ci_high", "flag"][: len(ev.columns)]
    events = pd.DataFrame(
        {
            "relative_month": ev.index.astype(int),
            "estimate": ev["estimate"].astype(float).to_numpy(),
            "ci_low": ev["ci_low"].astype(float).to_numpy(),
            "ci_high": ev["ci_high"].astype(float).to_numpy(),
        }
    )
    return row, _event_frame(events, sample)


def _event_frame(events: pd.DataFrame, sample: pd.DataFrame) -> pd.DataFrame:
    """Event-study points with the treated unit-months behind each; the reference month (−1) is 0."""
    treated = sample[sample["treated"]]
    n_by_rel = (treated["t"] - treated["cohort"]).astype(int).value_counts()
    events = events[events["relative_month"].isin(n_by_rel.index)].copy()
    reference = events["relative_month"] == -1
    # A month in which treated and comparison units did not differ at all (small teams with no leaver)
    # has an estimate of 0 ± rounding noise and an interval that is the square root of rounding noise, or NaN
    # when that noise is negative: which one depends on summation order, so a re-run could publish either.
    # Such a month has no estimate (D116).
    spread = float(sample["value"].std(ddof=0)) if len(sample) else 0.0
    half_width = (events["ci_high"] - events["ci_low"]).abs() / 2
    degenerate = ~reference & (half_width <= DEGENERATE_CI * max(spread, 1e-12))
    events.loc[degenerate, ["estimate", "ci_low", "ci_high"]] = np.nan
    events.loc[reference, ["estimate", "ci_low", "ci_high"]] = 0.0
    finite = np.isfinite(events[["estimate", "ci_low", "ci_high"]]).all(axis=1)
    events.loc[~finite, ["estimate", "ci_low", "ci_high"]] = np.nan
    events["n_obs"] = events["relative_month"].map(n_by_rel).astype(int)
    events["is_pre"] = events["relative_month"] < 0
    return events.sort_values("relative_month")[EVENT_COLUMNS].reset_index(drop=True)


def _event_regression(sample: pd.DataFrame, *, alpha: float) -> pd.DataFrame:
    """Event study of a single start: value on one indicator per month relative to the start (the month
    before it is the reference), unit and month fixed effects, SE clustered by unit (pyfixest).

    The indicators come from pyfixest's `i(relative, ref=-1)`: one categorical term instead of one formula term
    per month (formulaic evaluates each term separately; ~40 % of the fit's CPU, D502). Comparison units carry
    the reference month, so every indicator is 0 for them, as before."""
    import pyfixest as pf

    relative = (sample["t"] - sample["cohort"]).where(sample["treated"])
    if not set(relative.dropna().astype(int)) - {-1}:
        return pd.DataFrame(columns=EVENT_COLUMNS)
    data = sample[["value", "uid", "t"]].assign(relative=relative.fillna(-1).astype("int64"))
    vcov = {"CRV1": "uid"} if data["uid"].nunique() >= 2 else "hetero"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = pf.feols("value ~ i(relative, ref=-1) | uid + t", fixef_tol=FIXEF_TOL, data=data, vcov=vcov)
    coef, ci = fit.coef(), fit.confint(alpha=alpha)
    # pyfixest names each indicator "relative::<month>"; one it dropped as collinear has no row.
    months = {name: int(float(name.split("::", 1)[1])) for name in coef.index}
    kept = sorted(months, key=months.get)
    events = pd.DataFrame(
        {
            "relative_month": [months[n] for n in kept] + [-1],
            "estimate": [float(coef[n]) for n in kept] + [0.0],
            "ci_low": [float(ci.loc[n].iloc[0]) for n in kept] + [0.0],
            "ci_high": [float(ci.loc[n].iloc[1]) for n in kept] + [0.0],
        }
    )
    return _event_frame(events, sample)


def _pretrend(sample: pd.DataFrame) -> float | None:
    """Joint test that treated and comparison units moved alike in the months just before the start.

    On the months before any start only (treated units before their own start, the others before the
    last start), so no treated month enters and staggered starts cannot bias it: value on one indicator per
    month before the start (-k .. -1, pooled over cohorts; earlier months are the reference) with unit and
    month fixed effects, and pyfixest's Wald test that all k are 0 with SE clustered by unit. pyfixest
    reads the statistic as F(k, G − 1), which rejects too often with a small business's 7-30 units; it is
    read on the exact scale of a Hotelling T² over G units instead: F = W (G − k) / (k (G − 1)) with
    (k, G − k) degrees of freedom, where G counts the treated units (the leads rest on those few
    clusters, D106). k is PRETREND_MONTHS, at most (G_treated − 1) / 2 (at least 1);
    None when fewer than two units are treated or no comparison is possible. Also run when every unit is
    treated in the end (the not-yet-treated design, D107): the later cohorts are the comparison.
    """
    import pyfixest as pf

    treated = sample["treated"]
    treated_units = sample.loc[treated, "unit"].nunique()
    # The leads are differences between ~G treated units and the rest: their clustered covariance rests on
    # the treated units, so k and the degrees of freedom come from those (D106), not from all units.
    months = min(PRETREND_MONTHS, max(1, (treated_units - 1) // 2))
    if treated_units < 2:
        return None
    last_start = sample.loc[treated, "cohort"].max()
    pre = sample[(treated & (sample["t"] < sample["cohort"])) | (~treated & (sample["t"] < last_start))].copy()
    relative = pre["t"] - pre["cohort"]
    leads = []
    for j in range(1, months + 1):
        name = f"lead{j}"
        pre[name] = (relative == -j).astype(float)
        if pre[name].any():
            leads.append(name)
    if not leads or pre.loc[pre["treated"] & (relative < -months)].empty:
        return None
    units = pre.loc[pre["treated"], "unit"].nunique()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = pf.feols(
                f"value ~ {' + '.join(leads)} | uid + t", fixef_tol=FIXEF_TOL, data=pre, vcov={"CRV1": "uid"}
            )
            test = fit.wald_test()
        except (ValueError, np.linalg.LinAlgError):
            return None
    k = len(fit.coef())
    if units - k < 1:
        return None
    wald = float(test["statistic"]) * k
    p_value = float(f_dist.sf(wald * (units - k) / (k * (units - 1)), k, units - k))
    return p_value if np.isfinite(p_value) else None


def _regression(p, used, controls: pd.DataFrame, *, alpha, seed, wild) -> dict:
    """The DiD comparison on a finer-grain panel (unit × month × segment/channel/... cells, weighted by
    their n), with every extra column of `controls` as fixed effects beside unit and month."""
    fine = controls.copy()
    keys = ["unit", "month", "value", "n"]
    extra = [c for c in fine.columns if c not in keys]
    fine["unit"] = fine["unit"].astype(str)
    fine["t"] = _month_index(fine["month"])
    fine = fine[fine["value"].notna() & fine["n"].fillna(0).gt(0)]
    starts = p.drop_duplicates("unit").set_index("unit")["cohort"]
    fine = fine[fine["unit"].isin(used["unit"].unique())]
    fine["cohort"] = fine["unit"].map(starts)
    fine["treated"] = fine["cohort"].notna()
    fine["post"] = (fine["treated"] & (fine["t"] >= fine["cohort"])).astype(float)
    fine["uid"] = pd.factorize(fine["unit"])[0].astype("int64")
    if not fine["treated"].any() or fine["treated"].all():
        note = "No finer-grain data for both treated and untreated units."
        return _blank("regression", note, control_group="never_treated")
    for column in extra:
        fine[column] = fine[column].astype(str)
    fixed = " + ".join(["uid", "t", *extra])
    import pyfixest as pf

    # Weighted by the cells' n, which pyfixest cannot wild-bootstrap: CRV1 errors with t(G − 1) intervals.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = pf.feols(f"value ~ post | {fixed}", fixef_tol=FIXEF_TOL, data=fine, weights="n", vcov={"CRV1": "uid"})
            ci = fit.confint(alpha=alpha).loc["post"]
        except (ValueError, KeyError, np.linalg.LinAlgError):
            note = "The comparison within customer groups could not run on this data."
            return _blank("regression", note, control_group="never_treated")
    stats = {
        "estimate": float(fit.coef()["post"]),
        "std_error": float(fit.se()["post"]),
        "ci_low": float(ci.iloc[0]),
        "ci_high": float(ci.iloc[1]),
        "p_value": float(fit.pvalue()["post"]),
    }
    note = "Also compared within " + ", ".join(extra) + "." if extra else None
    return _row("regression", stats, "cluster_robust", fine, "never_treated", note)


def estimate(
    panel: pd.DataFrame,
    *,
    higher_is_better: bool | None,
    alpha: float = 0.05,
    seed: int = 0,
    controls: pd.DataFrame | None = None,
    min_n: float = 1.0,
    wild_bootstrap: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Effects of one initiative on one KPI.

    panel: unit (str), month (first of month), value (float), n (observations behind the value),
    start_month (first treated month; NaT = never treated by this initiative). Unit-months with n < min_n
    are dropped; the rest count equally (unweighted: a unit-month is one observation of the unit, D83).
    controls: optional finer-grain panel (unit, month, value, n + categorical columns) for the
    'regression' method. Returns (effects, event_study) with EFFECT_COLUMNS / EVENT_COLUMNS.
    """
    p = _prepare(panel, min_n)
    options = {"alpha": alpha, "seed": seed, "wild": wild_bootstrap}
    # Treated units observed before and after their start, and every untreated unit: what the estimators use.
    used = _with_pre_and_post(p)
    rows = [_before_after(p, **options), _did(p, used, **options)]
    staggered, events = _staggered(p, used, alpha=alpha)
    rows.append(staggered)
    pretrend = _pretrend(used) if p["treated"].any() else None
    if controls is not None and len(controls):
        rows.append(_regression(p, used, controls, **options))
    effects = pd.DataFrame(rows).reindex(columns=EFFECT_COLUMNS)
    single = effects["treated_units"].eq(1) & effects["note"].isna()
    effects.loc[single, "note"] = ONE_TREATED_NOTE
    # Counted on the units the estimators use: a cohort with no month before its start is dropped there (D108).
    starts = used.loc[used["treated"], "cohort"].nunique()
    effects["headline"] = effects["method"] == ("staggered" if starts > 1 else "did")
    effects["pretrend_p_value"] = pretrend
    effects["pretrend_differs"] = None if pretrend is None else bool(pretrend < PRETREND_ALPHA)
    # None: a business metric whose direction nobody declared; the page then reports the change without judging it.
    effects["higher_is_better"] = None if higher_is_better is None else bool(higher_is_better)
    for column in ["estimate", "std_error", "ci_low", "ci_high", "p_value", "pretrend_p_value"]:
        effects[column] = effects[column].astype(float)
    for column in ["treated_units", "control_units", "n_obs", "n_treated_obs", "n_control_obs"]:
        effects[column] = effects[column].astype("Int64")
    for column in ["pre_start", "pre_end", "post_start", "post_end"]:
        effects[column] = pd.to_datetime(effects[column])
    effects["headline"] = effects["headline"].astype(bool)
    effects["pretrend_differs"] = effects["pretrend_differs"].astype("boolean")
    return effects, events.reset_index(drop=True)
