"""streamlit_app/roi.py: the one savings and ROI formula (docs/impact.md, "Savings and ROI"), its edge cases, the
tornado and the what-if; and the biggest-lever sentence of streamlit_app/impact_text.py."""

from __future__ import annotations

import math

import pytest

from streamlit_app import roi

BASE = {
    "customers": 1000,
    "revenue_per_customer_year": 300.0,
    "expected_lifespan_years": 4.0,
    "employees": 60,
    "tickets_per_month": 400,
    "minutes_per_ticket": 12.0,
}
ASSUMPTIONS = {
    "gross_margin": 0.4,
    "cltv_horizon_years": 3.0,
    "effect_years": 1.0,
    "cost_per_leaver": 15000.0,
    "cost_per_support_minute": 0.5,
}
# Churn down 0.5 points a month (CI 0.1 to 0.9), voluntary turnover down 0.3 (CI 0.05 to 0.6), 2 points fewer
# reopens and half a minute less handle time: every CI clear of zero.
EFFECTS = {
    "churn_rate": (-0.5, -0.9, -0.1),
    "voluntary_turnover_pct": (-0.3, -0.6, -0.05),
    "reopen_rate": (-2.0, -4.0, -0.5),
    "handle_time_minutes": (-0.5, -1.0, -0.1),
}


def by_component(rows):
    return {r["component"]: r for r in rows}


def test_each_component_follows_its_formula():
    rows = by_component(roi.evaluate(EFFECTS, BASE, ASSUMPTIONS, 45000))
    # 0.5 % of 1,000 customers a month for 12 months, each worth 300 × 0.4 × min(3, 4) years.
    assert rows["customers_kept"]["savings_central"] == pytest.approx(0.005 * 1000 * 12 * 300 * 0.4 * 3)
    assert rows["customers_kept"]["kpi"] == "churn_rate"
    # 0.3 % of 60 employees a month for 12 months at 15,000 each.
    assert rows["employees_kept"]["savings_central"] == pytest.approx(0.003 * 60 * 12 * 15000)
    # Per ticket: 2 % fewer reopens × 12 minutes + 0.5 minutes; 400 tickets a month, 12 months, 0.5 a minute.
    assert rows["support_cost"]["savings_central"] == pytest.approx((0.02 * 12 + 0.5) * 400 * 12 * 0.5)
    total = rows["total"]
    expected = sum(rows[c]["savings_central"] for c in roi.COMPONENTS)
    assert total["savings_central"] == pytest.approx(expected)
    assert total["roi_central"] == pytest.approx((expected - 45000) / 45000)
    assert total["roi_low"] < total["roi_central"] < total["roi_high"]


def test_the_effects_ci_gives_the_savings_range_and_a_ci_spanning_zero_spans_zero_savings():
    effects = {"churn_rate": (-0.2, -0.6, 0.2)}  # could have raised churn
    row = by_component(roi.evaluate(effects, BASE, ASSUMPTIONS, 10000))["customers_kept"]
    assert row["savings_low"] < 0 == row["savings_central"] < row["savings_high"]  # central: clear effects only
    # Linear in the effect: the bounds are the savings at the CI bounds.
    per_point = 1000 * 12 * 300 * 0.4 * 3 / 100
    assert row["savings_low"] == pytest.approx(-0.2 * per_point)
    assert row["savings_high"] == pytest.approx(0.6 * per_point)


def test_a_harmful_effect_is_a_loss_not_a_saving():
    rows = by_component(roi.evaluate({"churn_rate": (0.4, 0.1, 0.7)}, BASE, ASSUMPTIONS, 10000))
    assert rows["customers_kept"]["savings_high"] < 0
    assert rows["total"]["roi_central"] < -1


def test_retention_is_used_with_its_sign_turned_when_there_is_no_churn_effect():
    churn = roi.evaluate({"churn_rate": (-0.5, -0.9, -0.1)}, BASE, ASSUMPTIONS, 1)[0]
    retention = roi.evaluate({"retention_rate": (0.5, 0.1, 0.9)}, BASE, ASSUMPTIONS, 1)[0]
    assert retention["kpi"] == "retention_rate"
    assert [retention[f"savings_{lv}"] for lv in roi.LEVELS] == pytest.approx(
        [churn[f"savings_{lv}"] for lv in roi.LEVELS]
    )


def test_zero_or_missing_cost_has_savings_but_no_roi():
    for cost in (0, None, float("nan"), -5):
        total = roi.evaluate(EFFECTS, BASE, ASSUMPTIONS, cost)[-1]
        assert total["savings_central"] > 0
        assert total["roi_low"] is None and total["roi_central"] is None and total["roi_high"] is None
    assert roi.tornado({k: (v, v / 2, v * 2) for k, v in ASSUMPTIONS.items()}, EFFECTS, BASE, 0) == []


def test_no_effect_rows_values_nothing():
    rows = roi.evaluate({}, BASE, ASSUMPTIONS, 45000)
    assert all(r["savings_central"] is None for r in rows)
    assert rows[-1]["roi_central"] is None
    assert all(r["kpi"] is None for r in rows)


def test_missing_cltv_leaves_customers_unvalued_but_counts_the_rest():
    base = {**BASE, "revenue_per_customer_year": None}
    rows = by_component(roi.evaluate(EFFECTS, base, ASSUMPTIONS, 45000))
    assert rows["customers_kept"]["savings_central"] is None
    assert rows["total"]["savings_central"] == pytest.approx(
        rows["employees_kept"]["savings_central"] + rows["support_cost"]["savings_central"]
    )
    # NaN (a NULL read through pandas) is missing too.
    nan_rows = by_component(roi.evaluate(EFFECTS, {**BASE, "expected_lifespan_years": math.nan}, ASSUMPTIONS, 1))
    assert nan_rows["customers_kept"]["savings_central"] is None


def test_a_ci_without_bounds_falls_back_to_the_estimate():
    row = roi.evaluate({"churn_rate": (-0.5, None, None)}, BASE, ASSUMPTIONS, 1)[0]
    assert row["savings_low"] == row["savings_central"] == row["savings_high"]


def test_tornado_moves_one_assumption_at_a_time_and_sorts_by_swing():
    ranges = {k: (v, v * 0.5, v * 1.5) for k, v in ASSUMPTIONS.items()}
    rows = roi.tornado(ranges, EFFECTS, BASE, 45000)
    names = [r["assumption"] for r in rows]
    assert set(names) == {*ASSUMPTIONS, roi.EFFECT_SIZE}
    swings = [r["swing"] for r in rows]
    assert swings == sorted(swings, reverse=True)
    leaver = next(r for r in rows if r["assumption"] == "cost_per_leaver")
    assert leaver["roi_low"] == pytest.approx(
        roi.total_roi(EFFECTS, BASE, {**ASSUMPTIONS, "cost_per_leaver": 7500}, 45000)
    )
    effect = next(r for r in rows if r["assumption"] == roi.EFFECT_SIZE)
    total = roi.evaluate(EFFECTS, BASE, ASSUMPTIONS, 45000)[-1]
    assert (effect["roi_low"], effect["roi_high"]) == pytest.approx((total["roi_low"], total["roi_high"]))
    # Effect duration scales every saving: it moves ROI more than the support-minute cost.
    assert names.index("effect_years") < names.index("cost_per_support_minute")


def test_what_if_scales_with_units_and_matches_the_measured_initiative():
    treated = 3
    same = roi.what_if(EFFECTS, treated, roi.per_unit(BASE, treated), ASSUMPTIONS, 45000 / treated)
    measured = roi.evaluate(EFFECTS, BASE, ASSUMPTIONS, 45000)
    assert [r["savings_central"] for r in same] == pytest.approx([r["savings_central"] for r in measured])
    assert same[-1]["roi_central"] == pytest.approx(measured[-1]["roi_central"])
    double = roi.what_if(EFFECTS, 2 * treated, roi.per_unit(BASE, treated), ASSUMPTIONS, 45000 / treated)
    assert double[-1]["savings_central"] == pytest.approx(2 * measured[-1]["savings_central"])
    assert double[-1]["roi_central"] == pytest.approx(measured[-1]["roi_central"])  # same cost per unit
    half = roi.evaluate(roi.scale_effects(EFFECTS, 0.5), BASE, ASSUMPTIONS, 45000)
    assert half[-1]["savings_central"] == pytest.approx(0.5 * measured[-1]["savings_central"])
    assert roi.what_if(EFFECTS, 0, roi.per_unit(BASE, treated), ASSUMPTIONS, 15000)[-1]["roi_central"] is None


def test_support_lists_every_effect_it_uses():
    rows = by_component(roi.evaluate(EFFECTS, BASE, ASSUMPTIONS, 1))
    assert rows["support_cost"]["kpis"] == "reopen_rate|handle_time_minutes"
    assert rows["customers_kept"]["kpis"] == "churn_rate" and rows["total"]["kpis"] is None
    both = {**EFFECTS, "retention_rate": (0.5, 0.1, 0.9)}  # churn wins; retention is not counted twice
    assert by_component(roi.evaluate(both, BASE, ASSUMPTIONS, 1))["customers_kept"]["savings_central"] == pytest.approx(
        rows["customers_kept"]["savings_central"]
    )


def test_an_effect_whose_ci_spans_zero_saves_nothing_in_the_best_estimate():
    """D110: the central saving counts only clear effects; low and high still read the CI. A null initiative (its
    only effect's CI spans zero) is then a cost with no proven saving, not a return."""
    effects = {"voluntary_turnover_pct": (-0.62, -2.99, 1.74)}  # EMP-WELL-3 in the demo build
    rows = by_component(roi.evaluate(effects, BASE, ASSUMPTIONS, 18_000))
    kept = rows["employees_kept"]
    assert kept["savings_central"] == 0.0
    assert kept["savings_low"] < 0 < kept["savings_high"]
    assert not roi.component_is_clear("employees_kept", effects)
    assert rows["total"]["roi_central"] == pytest.approx(-1.0)
    clear = {"voluntary_turnover_pct": (-0.62, -1.0, -0.2)}
    assert by_component(roi.evaluate(clear, BASE, ASSUMPTIONS, 18_000))["employees_kept"]["savings_central"] > 0
    assert roi.component_is_clear("employees_kept", clear)
