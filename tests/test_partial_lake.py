"""A business with only orders and customers (issue 12, "Partial lakes publish"): ONE pipeline run of a small
lake (the generated business at scale 0.1, every landing folder but customers and orders removed) publishes;
the sources without files are "not loaded" (a warning in the run's output, meta.source_status, every page says
which and how to load them), their marts are published empty, and the customers' as-of date is their own.
The raw check's rule is seen to fail where it must (a source that did receive files and holds no rows)."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dagster_project.contract import load_contract
from dagster_project.loading.ledger import ensure_meta_tables, ensure_raw_table
from dagster_project.quality.gx_suites import load_suites
from dagster_project.quality.gx_validation import NOT_LOADED_OBSERVED, validate
from dagster_project.settings import AS_OF_DOMAINS, DBT_PROJECT_DIR, as_of_date_vars
from dagster_project.source_status import SOURCE_WORDS
from streamlit_app import kpi_catalog
from streamlit_app.sources import PAGE_SOURCES
from tests.lake_helpers import RUN_CONSOLE, BuiltLake, console_transcript, shared_lake, shared_root
from tests.test_dashboard_apptest import rerun, run_app

PARTIAL_SOURCES = ("customers", "orders")
SCALE, SEED = 0.1, 7


@pytest.fixture(scope="module")
def partial_lake(tmp_path_factory, dbt_manifest) -> BuiltLake:
    from dagster_project.cli import run_pipeline
    from dagster_project.sample_data import generate

    def build(settings) -> bool:
        generate(settings.landing_dir, scale=SCALE, seed=SEED, progress=False)
        for folder in settings.landing_dir.iterdir():
            if folder.name not in PARTIAL_SOURCES:
                shutil.rmtree(folder)
        with console_transcript(settings.home / RUN_CONSOLE):
            return run_pipeline()

    return shared_lake(shared_root(tmp_path_factory), "partial_lake", build)


@pytest.fixture(scope="module")
def lake(partial_lake: BuiltLake) -> BuiltLake:
    assert partial_lake.success, (partial_lake.home / RUN_CONSOLE).read_text()
    return partial_lake


def published_marts() -> set[str]:
    """Every mart dbt builds as a table or view (the manifest the test run parsed)."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    return {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["fqn"][1] == "marts"
        and node["config"]["materialized"] in {"table", "view", "incremental"}
    }


# --- the run and the serving copy ---------------------------------------------------------------------------
def test_the_run_publishes_and_warns_of_each_source_not_loaded(lake: BuiltLake):
    console = (lake.home / RUN_CONSOLE).read_text()
    (line,) = [line for line in console.splitlines() if "not loaded" in line]
    assert "a warning, not a failure" in line
    for entity, words in SOURCE_WORDS.items():
        assert (words in line) == (entity not in PARTIAL_SOURCES), (entity, line)
    assert "SUCCESS" in console and lake.settings.serving_db.exists()


def test_every_source_has_words():
    assert set(SOURCE_WORDS) == set(load_contract().entities)
    assert set(PAGE_SOURCES) >= {"summary", "customer_empathy", "employee_empathy", "support_team", "data_quality"}


def test_source_status_is_published(lake: BuiltLake):
    rows = lake.query("SELECT entity, status, files, rows_loaded FROM meta.source_status", serving=True)
    status = {entity: (state, files, loaded) for entity, state, files, loaded in rows}
    assert set(status) == set(load_contract().entities)
    for entity, (state, files, loaded) in status.items():
        if entity in PARTIAL_SOURCES:
            assert state == "loaded" and files > 0 and loaded > 0, entity
        else:
            assert (state, files, loaded) == ("not loaded", 0, 0), entity


def test_every_mart_is_published_and_those_of_missing_sources_are_empty(lake: BuiltLake):
    tables = {
        name: rows
        for name, rows in lake.query(
            "SELECT table_name, estimated_size FROM duckdb_tables() WHERE schema_name = 'marts'", serving=True
        )
    }
    assert published_marts() <= set(tables), published_marts() - set(tables)
    for empty in (
        "customer_nps_monthly",
        "customer_support_monthly",
        "employee_headcount_monthly",
        "brand_reviews_monthly",
    ):
        assert lake.query(f"SELECT count(*) FROM marts.{empty}", serving=True) == [(0,)], empty
    for filled in ("customer_orders_monthly", "customer_churn_summary", "customer_repeat_purchase_to_date"):
        assert lake.query(f"SELECT count(*) FROM marts.{filled}", serving=True)[0][0] > 0, filled


def test_the_raw_survey_check_records_not_loaded_instead_of_failing(lake: BuiltLake):
    rows = lake.query(
        "SELECT success, observed FROM meta.check_results WHERE suite = 'raw_survey_customer_responses' "
        "AND expectation = 'expect_table_row_count_to_be_between' AND run_id = (SELECT run_id FROM meta.publication)",
        serving=True,
    )
    assert rows == [(True, NOT_LOADED_OBSERVED)]


def test_the_customers_as_of_date_is_their_own_and_absent_domains_have_none(lake: BuiltLake):
    ((latest,),) = lake.query(
        "SELECT greatest((SELECT max(greatest(signup_date, coalesce(churn_date, signup_date))) "
        "FROM staging.stg_crm__customers), (SELECT max(ordered_at)::DATE FROM staging.stg_crm__orders))"
    )
    dates = dict(lake.query("SELECT domain, as_of_date FROM staging.int_as_of_dates"))
    assert dates == {"customers": latest, "support": None, "surveys": None, "brand": None, "employees": None}
    assert lake.query("SELECT DISTINCT as_of_date FROM staging.int_customer_lifecycle") == [(latest,)]


def test_repeat_purchase_to_date_counts_every_buyer_of_the_whole_history(lake: BuiltLake):
    expected = lake.query(
        "SELECT count(*), count(*) FILTER (WHERE n >= 2) FROM (SELECT customer_id, count(*) AS n "
        "FROM staging.stg_crm__orders WHERE status IS DISTINCT FROM 'cancelled' GROUP BY customer_id)"
    )
    published = lake.query(
        "SELECT sum(buyers), sum(repeat_buyers) FROM marts.customer_repeat_purchase_to_date", serving=True
    )
    assert published == expected and expected[0][0] > 0


# --- the pages ---------------------------------------------------------------------------------------------
PAGE_MESSAGES = {
    "app_pages/customer_empathy.py": ("Not loaded yet: leads, support tickets and customer survey answers",),
    "app_pages/employee_empathy.py": ("Not loaded yet: employee records, absence records",),
    "app_pages/support_team.py": ("No support tickets are loaded yet", "landing folder “tickets”"),
    "app_pages/brand_voice.py": ("Not loaded yet: reviews and social-media mentions",),
    "app_pages/data_quality.py": ("Not loaded yet: absence records, customer survey answers",),
}


@pytest.fixture(scope="module")
def pages(lake: BuiltLake) -> dict[str, dict]:
    """What each page shows the owner, through the real login form (AppTest), the summary first (the default)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        at = run_app(monkeypatch, lake.settings.serving_db)
        shown = {"app_pages/summary.py": _texts(at)}
        for page in PAGE_MESSAGES:
            shown[page] = _texts(rerun(at.switch_page(page)))
    return shown


def _texts(at: AppTest) -> dict:
    return {
        "info": [i.value for i in at.info] + [w.value for w in at.warning],
        "metrics": {m.label: m.value for m in at.metric},
        "all": " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.info, *at.warning]),
    }


@pytest.mark.parametrize("page", sorted(PAGE_MESSAGES))
def test_each_page_says_which_sources_are_missing_and_how_to_load_them(pages, page):
    messages = " ".join(pages[page]["info"])
    for expected in PAGE_MESSAGES[page]:
        assert expected in messages, (page, messages)
    assert "“Loading data” in the documentation" in messages
    for raw in ("raw_", "marts.", "None", "_monthly"):
        assert raw not in messages, (page, raw, messages)


def test_the_summary_shows_the_shop_and_names_what_is_missing(pages):
    summary = pages["app_pages/summary.py"]
    assert "Not loaded yet: support tickets, customer survey answers" in " ".join(summary["info"])
    assert summary["metrics"][kpi_catalog.label("aov")] not in ("—", "")


# --- the rule, seen to fail --------------------------------------------------------------------------------
@pytest.fixture
def survey_suite():
    return next(s for s in load_suites() if s.name == "raw_survey_customer_responses")


def _empty_survey_table(con: duckdb.DuckDBPyConnection, reported_entity: str | None) -> None:
    ensure_meta_tables(con)
    ensure_raw_table(con, load_contract().entities["customer_responses"])
    if reported_entity:
        con.execute(
            "INSERT INTO meta.load_report (load_id, entity, source_file, status, rows_read) VALUES (?, ?, ?, ?, ?)",
            ["l1", reported_entity, f"{reported_entity}/x.csv", "loaded", 3],
        )


@pytest.mark.parametrize(
    ("reported", "passes"),
    [
        ("orders", True),  # files came for orders only: the survey answers were never loaded
        ("customer_responses", False),  # survey files came and left no row: a failed export, the check fails
    ],
)
def test_row_count_floor_applies_unless_the_source_never_received_a_file(survey_suite, reported, passes):
    with duckdb.connect() as con:
        _empty_survey_table(con, reported)
        outcome = validate(con, survey_suite)
    assert outcome.success is passes, outcome.failing_text()


def test_a_warehouse_without_a_load_report_keeps_the_floor(survey_suite):
    with duckdb.connect() as con:
        ensure_raw_table(con, load_contract().entities["customer_responses"])
        assert not validate(con, survey_suite).success


# --- the as-of date settings -------------------------------------------------------------------------------
def test_as_of_dates_reach_dbt_as_vars_and_a_bad_one_is_an_error(monkeypatch):
    for name in ("EMPATHY_LAKE_AS_OF_DATE", "EMPATHY_LAKE_AS_OF_DATE_CUSTOMERS", "EMPATHY_LAKE_AS_OF_DATE_SUPPORT"):
        monkeypatch.delenv(name, raising=False)
    assert as_of_date_vars() == {}
    monkeypatch.setenv("EMPATHY_LAKE_AS_OF_DATE_CUSTOMERS", "2011-12-09")
    monkeypatch.setenv("EMPATHY_LAKE_AS_OF_DATE", "2023-06-30")
    assert as_of_date_vars() == {"as_of_date": "2023-06-30", "as_of_date_customers": "2011-12-09"}
    monkeypatch.setenv("EMPATHY_LAKE_AS_OF_DATE_SUPPORT", "30/06/2023")
    with pytest.raises(ValueError, match="EMPATHY_LAKE_AS_OF_DATE_SUPPORT"):
        as_of_date_vars()


def test_dbt_project_declares_each_domain_var():
    text = (DBT_PROJECT_DIR / "dbt_project.yml").read_text()
    for var in AS_OF_DOMAINS:
        assert f"  as_of_date_{var}: null" in text
