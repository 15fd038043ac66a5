"""bench/: the hand-written baselines compute the product's published marts, and `make bench`'s report says
whether each target is met. Reuses the session lake (no pipeline run of its own)."""

from __future__ import annotations

import os

import duckdb
import pytest

from bench.baseline import SCRIPT_AFTER, baseline_sql, compare, run_baseline
from bench.baseline_python import add_estimates
from bench.pandas_baseline import as_duckdb, pandas_marts
from bench.speed import Measured, stage_of, summary, tree_rss_mb

# What the hand-written baseline computes (bench/baseline.sql, bench/baseline_python.py, bench/baseline_after.sql),
# and why each other published mart is not in it (docs/performance.md, "The complete baseline (s14)"). Every mart
# the product publishes is in exactly one of the two: a new mart fails the test until it is placed.
BASELINE_MARTS = {
    "customer_nps_monthly",
    "customer_csat_monthly",
    "customer_ces_monthly",
    "customer_orders_monthly",
    "customer_support_monthly",
    "customer_support_agent_monthly",
    "customer_retention_monthly",
    "customer_repeat_purchase_to_date",
    "customer_360",
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
    "brand_reviews_monthly",
    "kpi_snapshot_sources",
    "roi_assumptions",
    # survey marts, after the cell suppression in Python (scipy's MILP solver)
    "employee_enps_wave",
    "employee_survey_dimension_wave",
    "employee_survey_item_wave",
    "employee_manager_empathy_wave",
    "service_profit_chain",
    "service_profit_chain_summary",
    # seeds, published as they are
    "alert_owners",
    "alert_rules",
    "empathy_language",
    "employee_turnover_cost_assumptions",
    "impact_kpis",
    "kpi_benchmarks",
    "kpi_targets",
    "roi_planning_assumptions",
    "text_themes",
}
TEXT = "needs the text step (language, sentiment, redaction, lexicon matching): not written yet"
IMPACT = "needs the impact estimators (pyfixest, wildboottest, differences): not written yet"
NOT_IN_BASELINE = {
    "brand_review_examples": TEXT,
    "brand_sentiment_monthly": TEXT,
    "brand_themes_monthly": TEXT,
    "customer_handle_time_sentiment": TEXT,
    "customer_nps_detractor_comments": TEXT,
    "customer_nps_detractor_themes": TEXT,
    "customer_sentiment_follow_up": TEXT,
    "customer_text_sentiment": TEXT,
    "published_text_redactions": TEXT,
    "initiative_effects": IMPACT,
    "initiative_event_study": IMPACT,
    "initiative_roi": IMPACT + " (prices initiative_effects)",
    "key_drivers": "needs the text themes and the drivers' regressions: not written yet",
    "kpi_summary_monthly": "reads every KPI mart, the text marts included: not written yet",
    "kpi_summary": "reads kpi_summary_monthly: not written yet",
    "alert_breaches": "reads the KPI summary and the alert evidence (Python): not written yet",
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


@pytest.fixture(scope="module")
def baseline_db(built_lake, tmp_path_factory):
    """The whole baseline run once on the session lake's landing files, into a file each test copies."""
    assert built_lake.success
    path = tmp_path_factory.mktemp("baseline") / "baseline.duckdb"
    run_baseline(built_lake.settings.landing_dir, path, built_lake.settings.pii_key).close()
    return path


def _copy(path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"attach '{path}' as built (read_only); copy from database built to memory; detach built")
    return con


def test_the_baseline_equals_the_published_marts(built_lake, baseline_db):
    con = _copy(baseline_db)
    got = _statuses(compare(con, built_lake.settings.serving_db))
    assert {m: s for m, s in got.items() if m in BASELINE_MARTS} == {m: "equal" for m in BASELINE_MARTS}
    # Anything else the product publishes is listed with its reason, not silently skipped.
    others = {m: s for m, s in got.items() if m not in BASELINE_MARTS}
    assert others == {m: "not in the baseline" for m in NOT_IN_BASELINE}
    # The suppression was exercised: some cells hidden to protect another (not only the primary rule).
    complementary = "select count(*) from src.survey_cells where suppression_reason like 'complementary%'"
    assert con.execute(complementary).fetchone()[0] > 0


def test_pandas_baseline_equals_the_published_marts(built_lake):
    con = as_duckdb(pandas_marts(built_lake.settings.landing_dir))
    got = _statuses(compare(con, built_lake.settings.serving_db))
    assert {m: s for m, s in got.items() if m in PANDAS_MARTS} == {m: "equal" for m in PANDAS_MARTS}


def test_a_wrong_value_a_missing_row_or_a_missing_mart_is_reported(built_lake, baseline_db):
    con = _copy(baseline_db)
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


def test_a_missed_complementary_suppression_is_reported(built_lake, baseline_db):
    """The survey marts and the chain built again with the complementary cells shown: they no longer equal."""
    con = _copy(baseline_db)
    con.execute(
        "update src.survey_cells set suppressed = false, suppression_reason = null "
        "where suppression_reason like 'complementary%'"
    )
    for table in ("survey_item_counts", "survey_items"):
        con.execute(f"drop table src.{table}")
    rebuilt = [m for m in BASELINE_MARTS if m.startswith(("employee_enps", "employee_survey_", "employee_manager_"))]
    rebuilt += ["service_profit_chain", "service_profit_chain_summary"]
    for mart in rebuilt:
        if mart != "employee_survey_settings":
            con.execute(f"drop table marts.{mart}")
    con.execute(baseline_sql(built_lake.settings.landing_dir, built_lake.settings.pii_key, SCRIPT_AFTER))
    add_estimates(con)
    got = _statuses(compare(con, built_lake.settings.serving_db))
    assert got["employee_survey_dimension_wave"].startswith("different column suppressed")
    assert got["employee_survey_settings"] == "equal"


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
