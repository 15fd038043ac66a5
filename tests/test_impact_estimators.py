"""The effect estimators (dagster_project/impact) on panels with a known truth, and their edge cases.

Panels come from the sample-data panel generator (dagster_project/sample_data/panels.py), so the planted
effect is known exactly; pure pandas, no warehouse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dagster_project.impact import EFFECT_COLUMNS, EVENT_COLUMNS, FEW_CLUSTERS, estimate
from dagster_project.impact.evaluate import evaluate
from dagster_project.sample_data.panels import staggered_panel


def _panel(n_units=12, cohorts=None, never_share=0.5, seed=0, **kwargs) -> tuple[pd.DataFrame, dict]:
    frame, truth = staggered_panel(
        n_units=n_units, n_months=24, cohorts=cohorts or {12: 2.0}, never_share=never_share, seed=seed, **kwargs
    )
    return frame.assign(n=20.0)[["unit", "month", "value", "n", "start_month"]], truth


def _rows(effects: pd.DataFrame) -> dict:
    return {row.method: row for row in effects.itertuples()}


def test_planted_effect_is_recovered_by_every_method_with_wild_bootstrap_for_few_units():
    panel, truth = _panel(n_units=12, seed=3)
    effects, events = estimate(panel, higher_is_better=True)
    assert list(effects.columns) == EFFECT_COLUMNS and list(events.columns) == EVENT_COLUMNS
    rows = _rows(effects)
    assert set(rows) == {"before_after", "did", "staggered"}
    row = rows["did"]
    assert row.ci_low <= truth["att_simple"] <= row.ci_high
    assert row.ci_low > 0, "a planted effect of 2 noise SDs must be found"
    assert row.treated_units == 6 and row.control_units == 6
    assert row.n_obs == row.n_treated_obs + row.n_control_obs == 12 * 24
    # One start month: the staggered estimator would only repeat the DiD comparison, noisier.
    assert np.isnan(rows["staggered"].estimate) and "same month" in rows["staggered"].note
    assert rows["did"].inference == "wild_cluster_bootstrap"  # 12 clusters < FEW_CLUSTERS
    assert rows["did"].headline and not rows["staggered"].headline  # one start: DiD first
    assert rows["did"].control_group == "never_treated"
    assert rows["did"].pre_end == pd.Timestamp("2020-12-01") and rows["did"].post_start == pd.Timestamp("2021-01-01")
    assert effects.higher_is_better.all()
    # The event study: every point is relative to the month before the start (whose own noise moves them
    # all alike); months before the start are flat, months after it sit about 2 higher.
    post, pre = events[~events.is_pre], events[events.is_pre]
    assert post.relative_month.min() == 0 and len(pre) == 12 and len(post) == 12
    assert post.estimate.mean() - pre.estimate.mean() == pytest.approx(2.0, abs=0.6)
    assert ((pre.ci_low <= 0) & (pre.ci_high >= 0)).mean() >= 0.75
    assert events.set_index("relative_month").loc[-1, "estimate"] == 0  # the reference month
    assert (events.n_obs >= 1).all() and (events.is_pre == (events.relative_month < 0)).all()


def test_many_units_use_clustered_errors_without_bootstrap():
    panel, truth = _panel(n_units=FEW_CLUSTERS + 10, seed=1)
    rows = _rows(estimate(panel, higher_is_better=False)[0])
    assert rows["did"].inference == "cluster_robust"
    assert rows["did"].ci_low <= truth["att_simple"] <= rows["did"].ci_high
    assert not rows["did"].higher_is_better


def test_staggered_rollout_is_unbiased_where_two_way_fixed_effects_is_not():
    """Effects growing with exposure and differing by cohort: the textbook case of TWFE bias."""
    panel, truth = _panel(n_units=60, cohorts={6: 2.0, 12: 1.0, 18: 0.5}, never_share=0.3, seed=2, dynamic=0.2)
    rows = _rows(estimate(panel, higher_is_better=True)[0])
    assert rows["staggered"].headline and not rows["did"].headline  # starts differ: staggered first
    assert rows["staggered"].ci_low <= truth["att_simple"] <= rows["staggered"].ci_high
    assert abs(rows["did"].estimate - truth["att_simple"]) > 2 * abs(rows["staggered"].estimate - truth["att_simple"])


def test_no_unit_never_treated_uses_not_yet_treated_controls():
    panel, truth = _panel(n_units=30, cohorts={8: 1.5, 16: 1.5}, never_share=0.0, seed=4)
    rows = _rows(estimate(panel, higher_is_better=True)[0])
    assert rows["staggered"].control_group == "not_yet_treated" and rows["staggered"].headline
    assert rows["staggered"].ci_low <= 1.5 <= rows["staggered"].ci_high
    assert np.isnan(rows["did"].estimate) and "no untreated units" in rows["did"].note
    # later cohorts before their start are the comparison of the pre-trend test too (D107)
    assert rows["staggered"].pretrend_p_value > 0.05 and not rows["staggered"].pretrend_differs


def test_pretrend_test_keeps_its_size_with_three_treated_units():
    """No effect, parallel trends, 11 units of which 3 treated (EMP-TRAIN-1's teams): at most ~5 % of
    panels may be flagged (it was ~20 % when the degrees of freedom counted all 11 units, D106)."""
    from dagster_project.impact.estimators import _prepare, _pretrend, _with_pre_and_post

    p_values = []
    for seed in range(40):
        panel, _ = _panel(n_units=11, cohorts={12: 0.0}, never_share=8 / 11, seed=100 + seed)
        p_values.append(_pretrend(_with_pre_and_post(_prepare(panel, 1.0))))
    assert None not in p_values
    assert sum(p < 0.05 for p in p_values) <= 3


def test_headline_ignores_a_cohort_dropped_for_having_no_month_before_its_start():
    panel, _ = _panel(n_units=12, cohorts={1: 2.0, 12: 2.0}, never_share=0.5, seed=6)
    panel = panel[panel.month > panel.month.min()]  # the first cohort now starts in the first month observed
    rows = _rows(estimate(panel, higher_is_better=True)[0])
    assert rows["did"].headline and not rows["staggered"].headline  # one start left (D108)
    assert rows["did"].ci_low <= 2.0 <= rows["did"].ci_high


def test_pretrend_is_flagged_when_treated_units_were_already_drifting_apart():
    panel, _ = _panel(n_units=20, seed=5)
    drifting = panel.start_month.notna()
    months = (panel.month.dt.year - 2020) * 12 + panel.month.dt.month
    tilted = panel.assign(value=panel.value + np.where(drifting, 0.3 * months, 0.0))
    clean = _rows(estimate(panel, higher_is_better=True)[0])["did"]
    bad = _rows(estimate(tilted, higher_is_better=True)[0])["did"]
    assert clean.pretrend_p_value > 0.05 and not clean.pretrend_differs
    assert bad.pretrend_p_value < 0.05 and bad.pretrend_differs


@pytest.mark.parametrize(
    ("case", "methods_with_estimate", "reason"),
    [
        ("no_controls", {"before_after"}, "no untreated units"),
        ("one_treated", {"before_after", "did"}, "Only one unit is treated"),
        ("no_pre_period", set(), "No months before the start"),
        ("all_at_once", {"before_after"}, "same time"),
        ("no_data_at_treated", set(), "No data for this measure at the treated units"),
        ("missing_months", {"before_after", "did"}, None),
        ("staggered_missing_months", {"before_after", "did", "staggered"}, None),
    ],
)
def test_edge_cases_give_rows_with_a_plain_reason_instead_of_failing(case, methods_with_estimate, reason):
    panel, _ = _panel(n_units=10, seed=6)
    treated = panel.start_month.notna()
    if case == "no_controls":
        panel = panel[treated]
    elif case == "one_treated":
        first = panel.unit[treated].iloc[0]
        panel = panel.assign(start_month=panel.start_month.where(panel.unit == first))
    elif case == "no_pre_period":
        panel = panel.assign(start_month=panel.start_month.where(~treated, panel.month.min()))
    elif case == "all_at_once":
        panel = panel.assign(start_month=panel.start_month.max())
    elif case == "no_data_at_treated":
        panel = panel.assign(value=panel.value.where(~treated))  # the treated units' months are all empty
    elif case == "missing_months":
        panel = panel.sample(frac=0.85, random_state=0)
    elif case == "staggered_missing_months":
        panel, _ = _panel(n_units=30, cohorts={8: 1.0, 14: 1.0}, seed=6)
        panel = panel.sample(frac=0.9, random_state=0)
    effects, events = estimate(panel, higher_is_better=True)
    assert set(effects.method) >= {"before_after", "did", "staggered"}
    estimated = set(effects.method[effects.estimate.notna()])
    assert estimated == methods_with_estimate
    for row in effects.itertuples():
        if np.isnan(row.estimate):
            assert row.note, row.method
        else:
            assert row.ci_low <= row.estimate <= row.ci_high
    if reason:
        assert effects.note.fillna("").str.contains(reason).any(), effects.note.tolist()


def test_evaluate_runs_every_initiative_and_kpi_and_leaves_other_initiatives_units_out():
    panel, _ = _panel(n_units=12, seed=8)
    starts = panel.drop_duplicates("unit").set_index("unit").start_month
    treated = starts[starts.notna()].index.tolist()
    other = [u for u in starts.index if u not in treated][:2]
    long = pd.concat(
        [panel.assign(kpi="csat_pct"), panel.assign(kpi="churn_rate", value=-panel.value)], ignore_index=True
    ).assign(unit_type="location")
    units = pd.DataFrame(
        {
            "initiative_id": ["T"] * len(treated) + ["O"] * len(other),
            "initiative_name": ["Training"] * len(treated) + ["Other"] * len(other),
            "unit_kind": "location",
            "unit": treated + other,
            "start_month": [starts[u] for u in treated] + [pd.Timestamp("2020-09-01")] * len(other),
        }
    )
    kpis = pd.DataFrame({"kpi": ["csat_pct", "churn_rate"], "higher_is_better": [True, False]})
    effects, events = evaluate(long.drop(columns="start_month"), units, kpis)
    training = effects[(effects.initiative_id == "T") & (effects.method == "did")].set_index("kpi")
    assert list(training.index) == ["csat_pct", "churn_rate"]  # the seed's order
    assert training.loc["csat_pct", "estimate"] == pytest.approx(-training.loc["churn_rate", "estimate"])
    assert training.loc["churn_rate", "higher_is_better"] == False  # noqa: E712 (numpy bool)
    assert training.loc["csat_pct", "control_units"] == 12 - len(treated) - len(other)
    kept = evaluate(long.drop(columns="start_month"), units, kpis, exclude_other_treated=False)[0]
    kept = kept[(kept.initiative_id == "T") & (kept.method == "did")].set_index("kpi")
    assert kept.loc["csat_pct", "control_units"] == 12 - len(treated)
    assert set(events.initiative_id) == {"T", "O"}
    # A business's own metric nobody listed in the KPI seed has no direction: NULL, never a guess.
    undeclared = evaluate(long.drop(columns="start_month"), units, kpis[kpis.kpi == "csat_pct"])[0]
    undeclared = undeclared[(undeclared.initiative_id == "T") & (undeclared.method == "did")].set_index("kpi")
    assert undeclared.loc["csat_pct", "higher_is_better"] == True  # noqa: E712 (numpy bool)
    assert undeclared.loc["churn_rate", "higher_is_better"] is None


def test_regression_with_controls_adds_a_row_from_the_finer_panel():
    """Segment cells under each unit-month: a segment gap the unit-month panel cannot see is absorbed."""
    panel, truth = _panel(n_units=12, seed=9)
    rng = np.random.default_rng(9)
    cells = pd.concat(
        [
            panel.assign(segment=name, value=panel.value + gap + rng.normal(0, 0.5, len(panel)), n=weight)
            for name, gap, weight in (("Consumer", 0.0, 30.0), ("Enterprise", 3.0, 5.0))
        ],
        ignore_index=True,
    )[["unit", "month", "value", "n", "segment"]]
    rows = _rows(estimate(panel, higher_is_better=True, controls=cells)[0])
    row = rows["regression"]
    assert row.inference == "cluster_robust" and row.control_group == "never_treated"
    assert row.ci_low <= truth["att_simple"] <= row.ci_high
    assert row.treated_units == 6 and row.n_obs == 2 * 12 * 24 and "segment" in row.note
    assert not row.headline


def test_event_study_months_without_any_difference_have_no_estimate_rather_than_rounding_noise():
    # Small teams with no leaver before the start: every unit is 0 in every pre month, so a pre-month point is
    # 0 ± rounding noise whose interval is sqrt(noise) or NaN depending on summation order (D116).
    months = pd.date_range("2024-01-01", periods=12, freq="MS")
    rows = [
        {"unit": f"T{u}", "month": m, "value": (2.0 + u if (u < 3 and i >= 6) else 0.0), "n": 10.0,
         "start_month": months[6] if u < 3 else pd.NaT}
        for u in range(6) for i, m in enumerate(months)
    ]  # fmt: skip
    _, events = estimate(pd.DataFrame(rows), higher_is_better=False)
    pre = events[events.is_pre & (events.relative_month != -1)]
    assert len(pre) and pre["estimate"].isna().all() and pre["ci_low"].isna().all()
    assert events.loc[events.relative_month == -1, "estimate"].eq(0.0).all()
    assert events.loc[events.relative_month >= 0, "estimate"].notna().all()


def test_wild_bootstrap_p_value_does_not_hang_on_the_last_bit_of_the_data():
    """Three treated units and no controls: the before/after bootstrap is discrete, and the draws that weight
    every cluster alike reproduce |t| exactly. The same panel in another row order and with 1e-14 relative
    noise (what a parallel DuckDB sum upstream can give) must publish the same p-value (D117)."""
    panel, _ = _panel(n_units=3, never_share=0.0, seed=5)
    rng = np.random.default_rng(0)
    seen = set()
    for i in range(6):
        shaken = panel.assign(value=panel["value"] * (1 + rng.normal(0, 1e-14, len(panel))))
        effects, _ = estimate(shaken.sample(frac=1, random_state=i), higher_is_better=True)
        row = _rows(effects)["before_after"]
        assert row.inference == "wild_cluster_bootstrap" and row.treated_units == 3
        seen.add(round(row.p_value, 9))
    assert len(seen) == 1, f"one panel, several p-values: {sorted(seen)}"


def test_bootstrap_p_value_counts_ties_as_at_least_as_extreme():
    from dagster_project.impact.estimators import _bootstrap_p_value

    draws = np.array([-2.0, 2.0, 1.0, -0.5, 3.0])
    assert _bootstrap_p_value(2.0, draws) == pytest.approx(3 / 5)  # -2, 2 (ties) and 3
    assert _bootstrap_p_value(2.0 * (1 + 1e-15), draws) == pytest.approx(3 / 5)  # last-bit noise: same
    assert _bootstrap_p_value(-2.0, draws) == pytest.approx(3 / 5)  # two-sided
    assert _bootstrap_p_value(4.0, draws) == 0.0
    assert _bootstrap_p_value(0.0, draws) == 1.0


def test_a_measure_that_never_changes_gets_no_estimate_and_says_why():
    """A team with no leavers in any month compared: the change is 0 with a standard error of 0 and an undefined
    interval. Published as an estimate it would sit outside its own (NaN) interval; it is a note instead (D755)."""
    panel, _ = _panel(n_units=6, seed=2)
    rows = _rows(estimate(panel.assign(value=0.0), higher_is_better=False)[0])
    for method in ("before_after", "did"):
        assert np.isnan(rows[method].estimate) and np.isnan(rows[method].ci_low), method
        assert "same value in every month" in rows[method].note, method
    # One unit-month that differs is a change again, with its interval.
    varied = panel.assign(value=0.0)
    treated_after = varied.index[varied["start_month"].notna() & (varied["month"] >= varied["start_month"])]
    varied.loc[treated_after[-1], "value"] = 1.0
    row = _rows(estimate(varied, higher_is_better=False)[0])["before_after"]
    assert np.isfinite(row.ci_low) and row.ci_low <= row.estimate <= row.ci_high
