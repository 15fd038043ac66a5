"""marts.initiative_roi's assembly (dagster_project/impact/roi_mart.py): which effects count, the treated units, the
base quantities; then the mart in the session lake built by the real pipeline."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from dagster_project.impact import roi_mart
from streamlit_app import roi

INITIATIVES = pd.DataFrame(
    {
        "initiative_id": ["A", "B", "C"],
        "name": ["Training", "Coaching", "Free"],
        "cost": [30000.0, 5000.0, 0.0],
    }
)
# As int_initiative_units lists them (the one definition of treated units): B treats a team and an agent.
UNITS = pd.DataFrame(
    {
        "initiative_id": ["A"] * 4 + ["B", "B", "C"],
        "unit_kind": ["location", "location", "team", "team", "any", "any", "location"],
        "unit": ["Leeds", "York", "Store Leeds", "Store York", "Store York", "A-York-1", "Leeds"],
    }
)
ASSUMPTIONS = pd.DataFrame(
    {
        "assumption": list(roi.ASSUMPTIONS),
        "value": [0.4, 3.0, 1.0, 15000.0, 0.5],
    }
)


def effect(initiative, kpi, estimate, low, high, headline=True, differs=False, method="did"):
    return dict(initiative_id=initiative, kpi=kpi, method=method, estimate=estimate, ci_low=low, ci_high=high,
                headline=headline, pretrend_differs=differs)  # fmt: skip


EFFECTS = pd.DataFrame(
    [
        effect("A", "churn_rate", -0.5, -0.9, -0.1),
        effect("A", "churn_rate", -2.0, -3.0, -1.0, headline=False, method="before_after"),
        effect("A", "voluntary_turnover_pct", -0.4, -0.8, 0.0, differs=True),  # drifted before: not money
        effect("A", "csat_pct", 9.8, 4.1, 15.5),  # shown on the page, never priced
        effect("B", "handle_time_minutes", -1.0, -1.5, -0.5, method="staggered"),
    ]
)
MONTHS = pd.date_range("2024-01-01", periods=24, freq="MS")
BASE_INPUTS = {
    "value": pd.DataFrame(
        {
            "location": ["Leeds", "York", "Exeter"],
            "net_revenue": [60000.0, 30000.0, 99999.0],
            "customer_years": [200.0, 100.0, 10.0],
            "lost_customers_observed": [40, 35, 1],
        }
    ),
    "customers": pd.DataFrame(
        {"location": ["Leeds"] * 5 + ["York"] * 3 + ["Exeter"], "is_lost": [False] * 4 + [True] * 5}
    ),
    "employee_months": pd.DataFrame(
        {
            "team": ["Store Leeds"] * 24 + ["Store York"] * 24,
            "month": list(MONTHS) * 2,
            "employees": [10] * 24 + [6] * 24,
        }
    ),
    "tickets": pd.DataFrame(
        {
            "location": ["York"] * 24,
            "agent_id": ["A-York-1"] * 24,
            "month": MONTHS,
            "tickets": [100] * 12 + [200] * 12,
            "handle_minutes": [1000.0] * 12 + [3000.0] * 12,
        }
    ),
    "max_lifespan_years": 10.0,
}


@pytest.fixture(scope="module")
def mart() -> pd.DataFrame:
    return roi_mart.initiative_roi(INITIATIVES, UNITS, EFFECTS, ASSUMPTIONS, BASE_INPUTS)


def test_one_row_per_initiative_and_component_with_the_assumptions_used(mart):
    assert len(mart) == 3 * 4
    assert set(mart.groupby("initiative_id")["component"].apply(tuple)) == {(*roi.COMPONENTS, "total")}
    assert (mart["gross_margin"] == 0.4).all() and (mart["cost_per_leaver"] == 15000).all()


def test_only_headline_effects_with_parallel_pre_trends_are_priced(mart):
    a = mart[mart["initiative_id"] == "A"].set_index("component")
    assert a.loc["customers_kept", "kpi"] == "churn_rate"
    # The headline churn row (−0.5), not the before/after one (−2.0); the drifting turnover effect is left out.
    base = a.loc["customers_kept"]
    per_point = base["customers"] * 12 * 1.0 * base["revenue_per_customer_year"] * 0.4 * 3.0 / 100
    assert base["savings_central"] == pytest.approx(0.5 * per_point)
    assert pd.isna(a.loc["employees_kept", "savings_central"]) and pd.isna(a.loc["employees_kept", "kpi"])
    total = a.loc["total"]
    assert total["roi_central"] == pytest.approx((total["savings_central"] - 30000) / 30000)


def test_base_quantities_at_the_treated_units(mart):
    a = mart[mart["initiative_id"] == "A"].iloc[0]
    assert a["treated_units"] == 2  # Leeds and York: the two store teams are priced with them, not as more units
    assert a["customers"] == 4  # 4 of Leeds' and York's 8 customers are active (Exeter is not treated)
    assert a["revenue_per_customer_year"] == pytest.approx(90000 / 300)
    assert a["expected_lifespan_years"] == pytest.approx(300 / 75)
    assert a["employees"] == 16
    # Tickets: the last 12 months only.
    assert a["tickets_per_month"] == 200 and a["minutes_per_ticket"] == pytest.approx(15.0)


def test_units_may_be_teams_and_agents(mart):
    b = mart[mart["initiative_id"] == "B"].set_index("component")
    assert b.loc["total", "treated_units"] == 2
    assert b.loc["total", "employees"] == 6 and b.loc["total", "tickets_per_month"] == 200
    assert b.loc["support_cost", "savings_central"] == pytest.approx(1.0 * 200 * 12 * 1.0 * 0.5)
    assert b.loc["support_cost", "savings_low"] == pytest.approx(0.5 * 200 * 12 * 0.5)


def test_no_effect_and_zero_cost_rows_have_no_roi(mart):
    c = mart[mart["initiative_id"] == "C"].set_index("component")
    assert c["savings_central"].isna().all() and c["roi_central"].isna().all()
    assert c.loc["total", "cost"] == 0


def test_an_empty_effects_mart_still_gives_rows_without_savings():
    empty = EFFECTS.iloc[0:0]
    mart = roi_mart.initiative_roi(INITIATIVES, UNITS, empty, ASSUMPTIONS, BASE_INPUTS)
    assert len(mart) == 12 and mart["savings_central"].isna().all()


# ------------------------------------------------------------------------------------------ the session lake


def test_treated_units_count_the_main_kind_only():
    """D113: a store roll-out with its stores' teams counts its stores (the what-if's cost per unit is a store's)."""
    counts = roi_mart.main_unit_count(UNITS)
    assert counts == {"A": 2, "B": 2, "C": 1}


def test_initiative_roi_in_the_session_lake(built_lake):
    assert built_lake.success
    with duckdb.connect(str(built_lake.settings.build_db), read_only=True) as con:  # staging is not published
        rows = con.execute("select * from marts.initiative_roi").df()
        initiatives = con.execute("select initiative_id, cost from staging.stg_program__initiatives").df()
        assumptions = con.execute("select * from marts.roi_assumptions").df()
        effects = con.execute("select * from marts.initiative_effects").df()
    assert set(rows["initiative_id"]) == set(initiatives["initiative_id"])
    assert set(assumptions["assumption"]) == set(roi.ASSUMPTIONS)
    # The mart's totals are the shared formula's on the mart's own inputs.
    for initiative_id, group in rows.groupby("initiative_id"):
        base = {f: group.iloc[0][f] for f in roi.BASE_FIELDS}
        values = dict(zip(assumptions["assumption"], assumptions["value"], strict=True))
        usable = roi.usable_effects(effects).get(initiative_id, {})
        expected = roi.evaluate(usable, base, values, group.iloc[0]["cost"])[-1]
        total = group[group["component"] == "total"].iloc[0]
        if expected["savings_central"] is None:
            assert pd.isna(total["savings_central"])
        else:
            assert total["savings_central"] == pytest.approx(expected["savings_central"])
