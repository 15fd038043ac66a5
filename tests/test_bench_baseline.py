"""bench/: the hand-written baselines compute the product's published marts, and `make bench`'s report says
whether each target is met. Reuses the session lake (no pipeline run of its own)."""

from __future__ import annotations

import os

import pytest

from bench.baseline import compare, run_baseline
from bench.pandas_baseline import as_duckdb, pandas_marts
from bench.speed import Measured, stage_of, summary, tree_rss_mb

# What the hand-written DuckDB script covers so far; every other published mart is reported "not in the
# baseline" by the bench (docs/performance.md, "The hand-written baseline and `make bench`").
DUCKDB_MARTS = {
    "customer_nps_monthly",
    "customer_csat_monthly",
    "customer_ces_monthly",
    "customer_orders_monthly",
    "customer_support_monthly",
    "customer_retention_monthly",
    "employee_headcount_monthly",
    "support_cost_assumptions",
    "customer_churn_summary",
    "customer_conversion_monthly",
    "employee_survey_settings",
    "employee_absence_monthly",
    "employee_recognition_monthly",
    "employee_eap_monthly",
    "employee_turnover_summary",
    "employee_internal_responsiveness_monthly",
    "employee_turnover_cost_monthly",
    "customer_repeat_purchase_monthly",
    "customer_value_summary",
    # seeds, published as they are
    "alert_owners",
    "alert_rules",
    "empathy_language",
    "employee_turnover_cost_assumptions",
    "impact_kpis",
    "roi_planning_assumptions",
    "text_themes",
}
PANDAS_MARTS = {
    "customer_nps_monthly",
    "customer_csat_monthly",
    "customer_support_monthly",
    "customer_retention_monthly",
    "employee_headcount_monthly",
}


def _statuses(results) -> dict[str, str]:
    return {r.mart: f"{r.status} {r.detail}".strip() for r in results}


def test_duckdb_baseline_equals_the_published_marts(built_lake):
    assert built_lake.success
    con = run_baseline(built_lake.settings.landing_dir)
    got = _statuses(compare(con, built_lake.settings.serving_db))
    assert {m: s for m, s in got.items() if m in DUCKDB_MARTS} == {m: "equal" for m in DUCKDB_MARTS}
    # Anything else the product publishes is listed, not silently skipped.
    assert {s for m, s in got.items() if m not in DUCKDB_MARTS} == {"not in the baseline"}


def test_pandas_baseline_equals_the_published_marts(built_lake):
    con = as_duckdb(pandas_marts(built_lake.settings.landing_dir))
    got = _statuses(compare(con, built_lake.settings.serving_db))
    assert {m: s for m, s in got.items() if m in PANDAS_MARTS} == {m: "equal" for m in PANDAS_MARTS}


def test_a_wrong_value_a_missing_row_or_a_missing_mart_is_reported(built_lake):
    con = run_baseline(built_lake.settings.landing_dir)
    con.execute("update marts.customer_nps_monthly set nps = nps + 0.001 where promoters > 0")
    con.execute(
        "delete from marts.customer_csat_monthly where rowid = (select min(rowid) from marts.customer_csat_monthly)"
    )
    con.execute("drop table marts.customer_ces_monthly")
    got = _statuses(compare(con, built_lake.settings.serving_db))
    assert got["customer_nps_monthly"].startswith("different column nps")
    assert (
        got["customer_csat_monthly"].startswith("different") and "rows in the baseline" in got["customer_csat_monthly"]
    )
    assert got["customer_ces_monthly"] == "not in the baseline"
    assert got["customer_orders_monthly"] == "equal"


def _measured(what: str, wall: float, scale: float = 1, rnd: int = 1, peak_mb: float = 500) -> Measured:
    return Measured(
        scale,
        rnd,
        what,
        wall,
        wall,
        peak_mb,
        peak_mb,
        True,
        {"dbt": {"seconds": wall / 2, "peak_tree_mb": peak_mb, "steps": 1}},
    )


def test_the_report_says_which_targets_are_met():
    runs = [
        _measured("full run", 14.0),
        _measured("re-run", 6.0),
        _measured("duckdb", 1.0),
        _measured("pandas", 2.0),
        _measured("full run", 30.0, scale=50),
        _measured("re-run", 3.0, scale=50),
        _measured("duckdb", 10.0, scale=50),
        _measured("pandas", 20.0, scale=50),
    ]
    _, verdicts = summary(runs, load=[1.0, 1.0])
    met = {(v["scale"], v["target"]): v["met"] for v in verdicts}
    assert met == {
        (1, "full run wall s"): True,  # 14 s <= 15 s
        (1, "no-change re-run wall s"): False,  # 6 s > 5 s
        (50, "product / DuckDB wall"): True,  # 3.0 <= 4
        (50, "pandas / product wall"): False,  # pandas 20 s is faster than the product's 30 s
    }


def test_steps_are_put_in_stages_and_memory_is_read():
    assert stage_of("dbt_models") == "dbt"
    assert stage_of("crm__tickets") == "load"
    assert stage_of("crm__tickets_conservation") == "checks"
    assert stage_of("serving__warehouse") == "publish"
    assert tree_rss_mb(os.getpid()) > 10
    assert tree_rss_mb(2**22 + 7) == pytest.approx(0.0)  # a process that is gone counts nothing
