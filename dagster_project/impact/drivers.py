"""Key drivers (docs/impact.md, "Key drivers"): which survey dimensions/items drive eNPS and engagement, which
touchpoints, channels and comment themes drive NPS and churn. Pure functions on pandas frames; statsmodels OLS.

Employee outcomes are fitted on respondent-level answers inside the warehouse and published at org level only
(with n ≥ the survey threshold); per-team rows only for teams whose cell for that dimension is published.

- survey_dimension: Shapley decomposition of R² (the average gain in R² from adding the dimension, over every
  order of adding the others; the shares sum to the full model's R²), with a respondent-cluster bootstrap CI.
- survey_item: standardised OLS coefficient, cluster-robust (by respondent) 95 % CI.
- team: for the top dimension driver, each published team's gap to everyone else on it (OLS of the dimension score
  on the team's indicator, cluster-robust by respondent); the weakest team ranks first.
- touchpoint / channel: difference in the outcome (NPS points per response; churn percentage points per
  customer) for that level against the rest, controlling for the other factor (and segment for churn), HC1 CI.
- detractor_theme: difference in the outcome when a comment (NPS) or a customer's comments (churn) carry the
  theme, all themes in one fit, HC1 CI.

The NPS and churn frames may come counted: one row per distinct answer (or customer) with `ROWS` saying how many
answers (customers) it stands for (key_drivers.py counts them in DuckDB, D657). Their regressors are all 0/1, so a
few hundred such rows stand for millions, and the fit is statsmodels' GLM (Gaussian, identity link: OLS) with the
counts as frequency weights: the same estimates, HC1 errors and n as OLS on every row (tests/test_key_drivers.py).
A frame without `ROWS` counts each row once.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from statsmodels.genmod.families import Gaussian
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

SEED = 11
BOOTSTRAP = 100
EMPLOYEE_OUTCOMES = {"engagement": "engagement", "enps": "enps"}  # outcome -> survey dimension it is scored from
COLUMNS = ["outcome", "driver_type", "driver", "importance", "ci_low", "ci_high", "rank", "n", "direction", "method"]
COLUMNS += ["importance_unit"]
# What `importance` measures, in plain words, per driver_type (they are not on one scale: compare within a type).
OUTCOME_UNITS = {"nps": "NPS points", "churn": "percentage points of churn"}
ROWS = "rows_counted"  # in a counted frame: how many answers or customers the row stands for


def importance_unit(outcome: str, driver_type: str) -> str:
    if driver_type == "survey_dimension":
        return "share of the differences between people explained (R²)"
    if driver_type == "survey_item":
        return "standardised effect (standard deviations per standard deviation)"
    if driver_type == "team":
        return "gap to the other teams (mean score, 1 to 5)"
    return f"difference in {OUTCOME_UNITS.get(outcome, outcome)}"


def _r2(y: np.ndarray, x: np.ndarray) -> float:
    if x.shape[1] == 0:
        return 0.0
    return float(OLS(y, add_constant(x, has_constant="add")).fit().rsquared)


def shapley_r2(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Each column's Shapley share of R² (general dominance), from OLS fits of every subset of the columns."""
    p = x.shape[1]
    r2 = {s: _r2(y, x[:, list(s)]) for k in range(p + 1) for s in itertools.combinations(range(p), k)}
    shares = np.zeros(p)
    for j in range(p):
        others = [i for i in range(p) if i != j]
        for k in range(p):
            weight = math.factorial(k) * math.factorial(p - k - 1) / math.factorial(p)
            for s in itertools.combinations(others, k):
                shares[j] += weight * (r2[tuple(sorted((*s, j)))] - r2[s])
    return shares


def _ranked(rows: list[dict], by_magnitude: bool) -> list[dict]:
    key = (lambda r: -abs(r["importance"])) if by_magnitude else (lambda r: -r["importance"])
    for rank, row in enumerate(sorted(rows, key=key), start=1):
        row["rank"] = rank
    return rows


def respondent_scores(answers: pd.DataFrame) -> pd.DataFrame:
    """One row per respondent × wave: the mean scored answer per dimension and per item (columns `dim:<d>`,
    `item:<q>`), with team. `answers` is int_employee_survey_answers (scored: reverse-scored items flipped)."""
    keys = ["respondent_id", "wave", "team"]
    dims = answers.pivot_table(index=keys, columns="dimension", values="scored", aggfunc="mean")
    items = answers.pivot_table(index=keys, columns="question_id", values="scored", aggfunc="mean")
    dims.columns = [f"dim:{c}" for c in dims.columns]
    items.columns = [f"item:{c}" for c in items.columns]
    return dims.join(items).reset_index()


def employee_drivers(answers: pd.DataFrame, published_teams: pd.DataFrame, threshold: int) -> list[dict]:
    """Drivers of engagement and eNPS (see the module docstring). published_teams: wave, dimension, team of
    the published team cells (int_employee_survey_cell_suppression)."""
    scores = respondent_scores(answers)
    item_dimension = answers.drop_duplicates("question_id").set_index("question_id")["dimension"].to_dict()
    rng = np.random.default_rng(SEED)
    out = []
    for outcome, own in EMPLOYEE_OUTCOMES.items():
        target = f"dim:{own}"
        if target not in scores:
            continue
        dims = sorted(c for c in scores if c.startswith("dim:") and c != target and c != "dim:enps")
        frame = scores.dropna(subset=[target, *dims])
        if len(frame) < threshold or frame["respondent_id"].nunique() < threshold or not dims:
            continue
        y, x = frame[target].to_numpy(float), frame[dims].to_numpy(float)
        shares = shapley_r2(y, x)
        people = frame["respondent_id"].to_numpy()
        ids, index = np.unique(people, return_inverse=True)
        rows_of = [np.flatnonzero(index == i) for i in range(len(ids))]
        draws = []
        for _ in range(BOOTSTRAP):
            picked = np.concatenate([rows_of[i] for i in rng.integers(0, len(ids), len(ids))])
            draws.append(shapley_r2(y[picked], x[picked]))
        low, high = np.percentile(np.array(draws), [2.5, 97.5], axis=0)
        signs = np.sign(OLS(y, add_constant(x)).fit().params[1:])
        rows = [
            {
                "outcome": outcome,
                "driver_type": "survey_dimension",
                "driver": d.removeprefix("dim:"),
                "importance": float(shares[i]),
                "ci_low": float(low[i]),
                "ci_high": float(high[i]),
                "n": len(frame),
                "direction": int(signs[i] or 1),
                "method": "shapley_r2_ols_cluster_bootstrap",
            }
            for i, d in enumerate(dims)
        ]
        out += _ranked(rows, by_magnitude=False)
        out += _item_rows(frame, outcome, target, own, item_dimension)
        top = max(rows, key=lambda r: r["importance"])["driver"]
        out += _team_rows(scores, outcome, top, published_teams, threshold)
    return out


def _item_rows(frame: pd.DataFrame, outcome: str, target: str, own: str, item_dimension: dict) -> list[dict]:
    items = sorted(c for c in frame if c.startswith("item:") and item_dimension.get(c[5:]) not in (own, "enps"))
    data = frame.dropna(subset=items)
    if len(data) <= len(items) + 1:
        return []
    z = (data[items] - data[items].mean()) / data[items].std(ddof=0)
    y = (data[target] - data[target].mean()) / data[target].std(ddof=0)
    groups = pd.factorize(data["respondent_id"])[0]
    fit = OLS(y.to_numpy(), add_constant(z.to_numpy())).fit(cov_type="cluster", cov_kwds={"groups": groups})
    ci = fit.conf_int()
    rows = [
        {
            "outcome": outcome,
            "driver_type": "survey_item",
            "driver": item[5:],
            "importance": float(fit.params[i + 1]),
            "ci_low": float(ci[i + 1, 0]),
            "ci_high": float(ci[i + 1, 1]),
            "n": len(data),
            "direction": 1 if fit.params[i + 1] >= 0 else -1,
            "method": "standardized_ols_coefficient_cluster_robust",
        }
        for i, item in enumerate(items)
    ]
    return _ranked(rows, by_magnitude=True)


def _team_rows(scores: pd.DataFrame, outcome: str, dimension: str, published: pd.DataFrame, n: int) -> list[dict]:
    column = f"dim:{dimension}"
    shown = published[published["dimension"] == dimension][["wave", "team"]].drop_duplicates()
    data = scores.dropna(subset=[column])
    rows = []
    for team in sorted(shown["team"].unique()):
        waves = shown.loc[shown["team"] == team, "wave"]
        # The team's respondents only in waves where its cell is published; everyone else for comparison.
        in_team = (data["team"] == team) & data["wave"].isin(waves)
        sample = data[in_team | (data["team"] != team)]
        if in_team.sum() < n or sample.loc[in_team, "respondent_id"].nunique() < n:
            continue
        x = add_constant(in_team[sample.index].astype(float).to_numpy())
        groups = pd.factorize(sample["respondent_id"])[0]
        fit = OLS(sample[column].to_numpy(float), x).fit(cov_type="cluster", cov_kwds={"groups": groups})
        ci = fit.conf_int()
        rows.append(
            {
                "outcome": outcome,
                "driver_type": "team",
                "driver": team,
                "importance": float(fit.params[1]),
                "ci_low": float(ci[1, 0]),
                "ci_high": float(ci[1, 1]),
                "n": int(in_team.sum()),
                "direction": 1 if fit.params[1] >= 0 else -1,
                "method": f"gap_to_other_teams_on_{dimension}_cluster_robust",
            }
        )
    # Weakest first: the team furthest below everyone else on the top driver.
    for rank, row in enumerate(sorted(rows, key=lambda r: r["importance"]), start=1):
        row["rank"] = rank
    return rows


def counted_query(sql: str, columns: str) -> str:
    """A query's rows as one row per distinct value of `columns`, with how many rows have it (ROWS), in a fixed
    order: what nps_drivers and churn_drivers read instead of every row (SQL both engines accept)."""
    return f"select {columns}, count(*) as {ROWS} from ({sql}) as counted_rows group by {columns} order by {columns}"


def counted(relation, columns: str):
    """counted_query on a DuckDB relation."""
    return relation.query("counted_source", counted_query("select * from counted_source", columns))


def _counts(frame: pd.DataFrame) -> np.ndarray:
    """How many answers or customers each row stands for (1 each without a ROWS column)."""
    return frame[ROWS].to_numpy(float) if ROWS in frame else np.ones(len(frame))


def ols_hc1(y: np.ndarray, x: np.ndarray, counts: np.ndarray):
    """OLS of y on x with HC1 errors, each row counted `counts` times: statsmodels' GLM with frequency weights is
    OLS on the repeated rows; its robust HC0 scaled by n / (n - k) (n = the counted rows) is OLS's HC1 (GLM's own
    "HC1" leaves that factor out)."""
    model = GLM(y, x, family=Gaussian(), freq_weights=counts)
    return model.fit(cov_type="HC0", cov_kwds={"scaling_factor": model.wnobs / model.df_resid})


def _difference_rows(
    y: np.ndarray,
    counts: np.ndarray,
    indicators: pd.DataFrame,
    controls: pd.DataFrame,
    outcome: str,
    driver_type: str,
    method: str,
) -> list[dict]:
    """One OLS of y on the indicators (jointly) plus control dummies, HC1; a row per indicator with n = its 1s
    (rows counted as `counts` says)."""
    ones = {c: float(indicators[c].to_numpy(float) @ counts) for c in indicators}
    keep = [c for c in indicators if 0 < ones[c] < counts.sum()]
    if not keep:
        return []
    x = pd.concat([indicators[keep].astype(float), controls.astype(float)], axis=1)
    fit = ols_hc1(y, add_constant(x.to_numpy(), has_constant="add"), counts)
    ci = fit.conf_int()
    rows = [
        {
            "outcome": outcome,
            "driver_type": driver_type,
            "driver": c,
            "importance": float(fit.params[i + 1]),
            "ci_low": float(ci[i + 1, 0]),
            "ci_high": float(ci[i + 1, 1]),
            "n": int(ones[c]),
            "direction": 1 if fit.params[i + 1] >= 0 else -1,
            "method": method,
        }
        for i, c in enumerate(keep)
    ]
    return _ranked(rows, by_magnitude=True)


def _level_rows(y: np.ndarray, frame: pd.DataFrame, factor: str, controls: list[str], outcome: str) -> list[dict]:
    """Each level of `factor` against all other levels, controlling for `controls` (one fit per level)."""
    dummies = pd.get_dummies(frame[controls], drop_first=True) if controls else pd.DataFrame(index=frame.index)
    rows = []
    for level in sorted(frame[factor].dropna().unique()):
        indicator = (frame[factor] == level).rename(level).to_frame()
        rows += _difference_rows(y, _counts(frame), indicator, dummies, outcome, factor, "ols_difference_to_rest_hc1")
    return _ranked(rows, by_magnitude=True)


def _theme_indicators(themes: pd.Series) -> pd.DataFrame:
    exploded = themes.explode().dropna()
    if exploded.empty:
        return pd.DataFrame(index=themes.index)
    return pd.crosstab(exploded.index, exploded).reindex(themes.index, fill_value=0).clip(upper=1)


def nps_drivers(responses: pd.DataFrame, promoter_min: float, detractor_max: float) -> list[dict]:
    """responses: one row per NPS answer (or counted, see ROWS): score, touchpoint, channel, themes (list of its
    comment's themes, or None without a comment). NPS points: promoter 100, passive 0, detractor −100."""
    frame = responses.dropna(subset=["score", "touchpoint", "channel"]).reset_index(drop=True)
    if frame.empty:
        return []
    y = np.select([frame["score"] >= promoter_min, frame["score"] <= detractor_max], [100.0, -100.0], 0.0)
    rows = _level_rows(y, frame, "touchpoint", ["channel"], "nps")
    rows += _level_rows(y, frame, "channel", ["touchpoint"], "nps")
    commented = frame["themes"].notna().to_numpy()
    themes = _theme_indicators(frame.loc[commented, "themes"])
    controls = pd.DataFrame(index=themes.index)
    counts = _counts(frame)[commented]
    rows += _difference_rows(y[commented], counts, themes, controls, "nps", "detractor_theme", "ols_theme_hc1")
    return rows


def churn_drivers(customers: pd.DataFrame) -> list[dict]:
    """customers: one row per customer (or counted, see ROWS): is_lost, segment, channel (acquisition),
    negative_touchpoints (list of touchpoints where they gave a detractor/dissatisfied answer), themes (list of
    their comments' themes)."""
    frame = customers.dropna(subset=["is_lost", "segment", "channel"]).reset_index(drop=True)
    if frame.empty:
        return []
    y = frame["is_lost"].astype(float).to_numpy() * 100.0
    rows = _level_rows(y, frame, "channel", ["segment"], "churn")
    segment = pd.get_dummies(frame["segment"], drop_first=True)
    touch = _theme_indicators(frame["negative_touchpoints"]).add_prefix("")
    counts = _counts(frame)
    method = "ols_negative_answer_at_touchpoint_hc1"
    rows += _difference_rows(y, counts, touch, segment, "churn", "touchpoint", method)
    themes = _theme_indicators(frame["themes"])
    rows += _difference_rows(y, counts, themes, segment, "churn", "detractor_theme", "ols_theme_hc1")
    return rows


def key_drivers(rows: list[dict]) -> pd.DataFrame:
    rows = [{**r, "importance_unit": importance_unit(r["outcome"], r["driver_type"])} for r in rows]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.astype({"rank": "int64", "n": "int64", "direction": "int64"})
