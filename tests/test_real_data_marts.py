"""Real-data proof: the published marts reproduce figures known independently of this project.

The four real datasets (tests/fixtures/real/, provenance beside each) go through their shipped mappings
and the whole pipeline (load -> dbt build -> checks -> publish); the figures are read from the serving
copy's marts, summing stored counts and dividing last, as an analyst would.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.lake_helpers import BuiltLake
from tests.test_dashboard_apptest import metric, run_app

# Published by IBM for its Telco churn sample (same data as R modeldata::wa_churn).
TELCO_CHURN_PCT = 26.54
TELCO_CHURN_BY_CONTRACT = {"Month-to-month": 42.71, "One year": 11.27, "Two year": 2.83}
# Published by the garden-centre survey's author (BenaventC/NPSgame): "Score NPS = 53.4".
GARDEN_CENTRE_NPS = 53.4


@pytest.fixture(scope="module")
def lake(real_data_lake: BuiltLake) -> BuiltLake:
    assert real_data_lake.success, "the pipeline failed on the real datasets"
    return real_data_lake


def test_telco_churn_overall_from_the_churn_mart(lake: BuiltLake):
    ((churn_pct, customers, lost),) = lake.query(
        "SELECT round(100.0 * sum(lost_customers) / sum(customers), 2), sum(customers), sum(lost_customers) "
        "FROM marts.customer_churn_summary WHERE churn_basis = 'status'",
        serving=True,
    )
    assert (customers, lost) == (7043, 1869)
    assert churn_pct == TELCO_CHURN_PCT


def test_this_week_churn_card_shows_churn_to_date_of_the_snapshot_export(lake: BuiltLake, monkeypatch):
    """The Telco export is a snapshot (a churned yes/no, no dates of leaving): This week's churn card reads churn to
    date, counted here from the CSV itself, with its n, not "no monthly churn" (issue 12)."""
    path = Path(__file__).parent / "fixtures" / "real" / "crm_telco_churn" / "Telco-Customer-Churn.csv"
    with path.open(newline="", encoding="utf-8") as f:
        churn = [row["Churn"] for row in csv.DictReader(f)]
    expected = round(100.0 * churn.count("Yes") / len(churn), 2)
    assert expected == TELCO_CHURN_PCT
    ((label, value, n, basis, status),) = lake.query(
        "SELECT kpi_label, value, n, value_basis, status FROM marts.kpi_summary "
        "WHERE kpi = 'churn_pct' AND scope = 'business'",
        serving=True,
    )
    assert (label, round(value, 2), n, basis, status) == ("Churn to date %", expected, len(churn), "to date", None)
    at = run_app(monkeypatch, lake.settings.serving_db)  # the owner's first page: This week
    assert metric(at, "Churn to date %").value == f"{expected:.2f}%"
    assert f"{len(churn):,} customers" in " ".join(c.value for c in at.caption)


def test_this_week_turnover_card_shows_turnover_to_date_of_the_hr_snapshot(lake: BuiltLake, monkeypatch):
    """IBM's HR sample is a snapshot too (an attrition flag, one extract date): This week's turnover card reads the
    share of employees who left to date, counted here from the CSV (237 of 1,470), and the headcount card keeps its
    value but compares with nothing (every leaver is dated to the extract month, so its monthly change is an artefact).
    """
    path = Path(__file__).parent / "fixtures" / "real" / "hris_ibm_attrition" / "WA_Fn-UseC_-HR-Employee-Attrition.csv"
    with path.open(newline="", encoding="utf-8-sig") as f:
        attrition = [row["Attrition"] for row in csv.DictReader(f)]
    expected = round(100.0 * attrition.count("Yes") / len(attrition), 2)
    rows = {
        kpi: rest
        for kpi, *rest in lake.query(
            "SELECT kpi, kpi_label, value, n, value_basis, previous_value, last_year_value FROM marts.kpi_summary "
            "WHERE kpi IN ('turnover_pct', 'headcount') AND scope = 'business'",
            serving=True,
        )
    }
    label, value, n, basis, previous, last_year = rows["turnover_pct"]
    assert (label, round(value, 2), n, basis, previous, last_year) == (
        "Turnover to date %",
        expected,
        len(attrition),
        "to date",
        None,
        None,
    )
    assert rows["headcount"][1] == attrition.count("No") and rows["headcount"][4:] == [None, None]
    at = run_app(monkeypatch, lake.settings.serving_db)
    assert metric(at, "Turnover to date %").value == f"{expected:.2f}%"
    assert "employees who left to date" in " ".join(c.value for c in at.caption)


def test_telco_churn_by_contract_from_the_churn_mart(lake: BuiltLake):
    by_segment = dict(
        lake.query(
            "SELECT segment, round(100.0 * sum(lost_customers) / sum(customers), 2) "
            "FROM marts.customer_churn_summary GROUP BY segment",
            serving=True,
        )
    )
    assert by_segment == TELCO_CHURN_BY_CONTRACT


def test_telco_stored_ratio_agrees_with_its_counts(lake: BuiltLake):
    """The ratio stored per cell is the ratio of the counts beside it (no rounding or averaging drift)."""
    rows = lake.query("SELECT churn_pct, lost_customers, customers FROM marts.customer_churn_summary", serving=True)
    assert rows
    for churn_pct, lost, customers in rows:
        assert churn_pct == pytest.approx(100.0 * lost / customers)


def test_telco_monthly_churn_loses_every_churner_in_the_snapshot_month(lake: BuiltLake):
    """Churned customers leave in the mapping's snapshot month (2020-01); retention counts add up."""
    ((lost,),) = lake.query(
        "SELECT sum(lost_customers) FROM marts.customer_retention_monthly WHERE month = DATE '2020-01-01'",
        serving=True,
    )
    assert lost == 1869
    ((bad,),) = lake.query(
        "SELECT count(*) FROM marts.customer_retention_monthly "
        "WHERE customers_at_end <> customers_at_start + new_customers - lost_customers",
        serving=True,
    )
    assert bad == 0


def test_garden_centre_nps_from_the_nps_mart(lake: BuiltLake):
    ((nps, responses, promoters, detractors),) = lake.query(
        "SELECT round(100.0 * (sum(promoters) - sum(detractors)) / sum(responses), 1), sum(responses), "
        "sum(promoters), sum(detractors) FROM marts.customer_nps_monthly",
        serving=True,
    )
    assert responses == 13612  # 13,954 members less the 342 who gave no score (quarantined, not lost)
    assert nps == GARDEN_CENTRE_NPS
    assert promoters + detractors < responses


def test_garden_centre_detractor_comments_reach_the_drill_down_in_french(lake: BuiltLake):
    comments = lake.query("SELECT score, comment FROM marts.customer_nps_detractor_comments", serving=True)
    assert comments and all(score <= 6 for score, _ in comments)
    assert any("é" in comment for _, comment in comments)


# Published with IBM's HR Analytics attrition sample (same data as R modeldata::attrition): 237 of 1,470
# employees left; by department from the same file's Attrition × Department counts.
IBM_ATTRITION_PCT = 16.12
IBM_ATTRITION_BY_DEPARTMENT = {"Human Resources": 19.05, "Research & Development": 13.84, "Sales": 20.63}
IBM_MEAN_JOB_SATISFACTION = 2.7286


def test_ibm_attrition_overall_from_the_turnover_summary(lake: BuiltLake):
    ((pct, employees, separations, voluntary),) = lake.query(
        "SELECT round(100.0 * sum(separations) / sum(employees), 2), sum(employees), sum(separations), "
        "sum(voluntary_separations) FROM marts.employee_turnover_summary",
        serving=True,
    )
    assert (employees, separations) == (1470, 237)
    assert voluntary == 237  # the mapping's stated assumption: every leaver counts as voluntary
    assert pct == IBM_ATTRITION_PCT


def test_ibm_attrition_by_department_from_the_turnover_summary(lake: BuiltLake):
    by_department = dict(
        lake.query(
            "SELECT department, round(100.0 * sum(separations) / sum(employees), 2) "
            "FROM marts.employee_turnover_summary GROUP BY department",
            serving=True,
        )
    )
    assert by_department == IBM_ATTRITION_BY_DEPARTMENT
    rows = lake.query("SELECT attrition_pct, separations, employees FROM marts.employee_turnover_summary", serving=True)
    for pct, separations, employees in rows:
        assert pct == pytest.approx(100.0 * separations / employees)


def test_ibm_mean_job_satisfaction_from_the_item_mart(lake: BuiltLake):
    ((mean, respondents, suppressed),) = lake.query(
        "SELECT round(sum(score_sum) / sum(answers), 4), sum(respondents), bool_or(suppressed) "
        "FROM marts.employee_survey_item_wave WHERE question_id = 'JobSatisfaction'",
        serving=True,
    )
    assert (respondents, suppressed) == (1470, False)
    assert mean == IBM_MEAN_JOB_SATISFACTION


def test_ibm_leavers_all_leave_in_the_snapshot_month(lake: BuiltLake):
    """The mapping dates every leaver at the 2017-12-31 snapshot: the monthly flow loses all 237 then."""
    ((separations, balance_errors),) = lake.query(
        "SELECT sum(separations) FILTER (WHERE month = DATE '2017-12-01'), "
        "count(*) FILTER (WHERE headcount_end <> headcount_start + hires - separations) "
        "FROM marts.employee_headcount_monthly",
        serving=True,
    )
    assert (separations, balance_errors) == (237, 0)


# Published with the clothing reviews (mapping provenance): mean rating 4.196, 77.53 % rated 4-5.
CLOTHING_MEAN_RATING = 4.196
CLOTHING_TOP_BOX_PCT = 77.53


def test_clothing_reviews_rating_from_the_brand_mart(lake: BuiltLake):
    ((mean, top_box, reviews),) = lake.query(
        "SELECT round(sum(rating_sum) / sum(reviews), 3), round(100.0 * sum(top_box_reviews) / sum(reviews), 2), "
        "sum(reviews) FROM marts.brand_reviews_monthly",
        serving=True,
    )
    assert reviews == 23486
    assert (mean, top_box) == (CLOTHING_MEAN_RATING, CLOTHING_TOP_BOX_PCT)


def test_every_real_text_is_scored_and_french_comments_are_french(lake: BuiltLake):
    """English reviews scored by VADER, the garden-centre comments by the French lexicon, none guessed."""
    rows = dict(
        lake.query(
            "SELECT source, sum(scored_texts) * 1.0 / sum(texts) FROM marts.brand_sentiment_monthly GROUP BY 1",
            serving=True,
        )
    )
    assert rows["review"] > 0.99
    ((french, comments),) = lake.query(
        "SELECT count(*) FILTER (WHERE s.language = 'fr'), count(*) FROM raw_survey.customer_responses r "
        "JOIN text.text_scores s "
        "ON s.content_hash = sha256(nullif(concat_ws(chr(10), nullif(trim(r.comment), '')), ''))"
    )
    # The rest: one- or two-word answers ("ras", "ok") left undetermined, and a few English comments.
    assert comments > 3000 and french / comments > 0.9
    ((themed,),) = lake.query("SELECT sum(theme_comments) FROM marts.customer_nps_detractor_themes", serving=True)
    assert themed > 0
