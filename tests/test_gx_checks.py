"""Great Expectations suites as Dagster checks: real suite files, real DuckDB files, real GX, real Dagster.

GX is imported and its context created once per process (~10 s, the bulk of this module's run time);
every test after the first reuses them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from dagster_project.contract import load_contract
from dagster_project.loading.ledger import ensure_raw_table
from dagster_project.quality.gx_checks import build_gx_asset_check, build_gx_asset_checks
from dagster_project.quality.gx_suites import SuiteError, SuiteSpec, load_suite, load_suites, parse_suite
from dagster_project.quality.gx_validation import read_frame, record_results, validate, validate_frame
from dagster_project.settings import EXPECTATIONS_DIR

# The mart columns of docs/common brief (dbt schema `marts`); a suite may only name these.
MART_COLUMNS = {
    "marts.customer_nps_monthly": {
        "month": "DATE",
        "segment": "VARCHAR",
        "region": "VARCHAR",
        "location": "VARCHAR",
        "responses": "BIGINT",
        "promoters": "BIGINT",
        "passives": "BIGINT",
        "detractors": "BIGINT",
        "nps": "DOUBLE",
    },
    "marts.customer_csat_monthly": {
        "month": "DATE",
        "segment": "VARCHAR",
        "region": "VARCHAR",
        "location": "VARCHAR",
        "responses": "BIGINT",
        "satisfied_responses": "BIGINT",
        "score_sum": "DOUBLE",
        "csat_pct": "DOUBLE",
        "csat_mean": "DOUBLE",
    },
}
RAW_TABLES = {entity.raw_table: entity for entity in load_contract().entities.values()}
REQUIRED_SUITE_TABLES = {
    "raw_survey.customer_responses",
    "raw_crm.tickets",
    "raw_crm.customers",
    "raw_hris.employees",
    "marts.customer_nps_monthly",
    "marts.customer_csat_monthly",
}

# Valid rows for every checked table (only the columns that matter; the rest stay NULL).
GOOD_ROWS = [
    """INSERT INTO raw_survey.customer_responses (response_id, survey_type, score, responded_at) VALUES
       ('r1', 'NPS', 9, TIMESTAMP '2025-01-03 10:00'), ('r2', 'CSAT', 4, TIMESTAMP '2025-01-04 11:00'),
       ('r3', 'CES', 6, TIMESTAMP '2025-02-01 09:30')""",
    # 200 tickets, so `mostly: 0.99` on handle time tolerates exactly two outliers.
    """INSERT INTO raw_crm.tickets (ticket_id, channel, opened_at, reopen_count, handle_time_minutes)
       SELECT 't' || i, 'email', TIMESTAMP '2025-01-01' + i * INTERVAL 1 HOUR, i % 3, 5 + i % 60
       FROM range(200) AS r(i)""",
    """INSERT INTO raw_crm.customers (customer_id, segment, signup_date) VALUES
       ('c1', 'SMB', DATE '2024-05-01'), ('c2', 'Enterprise', DATE '2024-06-01')""",
    """INSERT INTO raw_hris.employees (employee_id, team, hire_date) VALUES
       ('e1', 'Support', DATE '2020-01-01'), ('e2', 'Sales', DATE '2023-03-15')""",
    """INSERT INTO marts.customer_nps_monthly VALUES
       (DATE '2025-01-01', 'SMB', 'North', 'Store 1', 10, 5, 3, 2, 30.0),
       (DATE '2025-01-01', 'Enterprise', 'South', 'Store 2', 4, 0, 1, 3, -75.0),
       (DATE '2025-02-01', 'SMB', 'North', 'Store 1', 1, 1, 0, 0, 100.0)""",
    """INSERT INTO marts.customer_csat_monthly VALUES
       (DATE '2025-01-01', 'SMB', 'North', 'Store 1', 10, 8, 42.0, 80.0, 4.2),
       (DATE '2025-01-01', 'Enterprise', 'South', 'Store 2', 2, 0, 2.0, 0.0, 1.0),
       (DATE '2025-02-01', 'SMB', 'North', 'Store 1', 1, 1, 5.0, 100.0, 5.0)""",
]

# (suite, damage to the good data, (expectation, column) that must fail). Together they fail every
# expectation of every suite: test_bad_cases_fail_every_expectation keeps it that way for new suites.
BAD_CASES = [
    ("raw_survey_customer_responses", "DELETE FROM raw_survey.customer_responses",
     ("expect_table_row_count_to_be_between", None)),
    ("raw_survey_customer_responses",
     "UPDATE raw_survey.customer_responses SET score = NULL WHERE response_id = 'r2'",
     ("expect_column_values_to_not_be_null", "score")),
    ("raw_survey_customer_responses",
     "UPDATE raw_survey.customer_responses SET survey_type = 'nps' WHERE response_id = 'r1'",
     ("expect_column_values_to_be_in_set", "survey_type")),
    ("raw_survey_customer_responses",
     "UPDATE raw_survey.customer_responses SET responded_at = NULL WHERE response_id = 'r3'",
     ("expect_column_values_to_not_be_null", "responded_at")),
    ("raw_crm_tickets", "UPDATE raw_crm.tickets SET opened_at = NULL WHERE ticket_id = 't7'",
     ("expect_column_values_to_not_be_null", "opened_at")),
    ("raw_crm_tickets", "UPDATE raw_crm.tickets SET reopen_count = -1 WHERE ticket_id = 't7'",
     ("expect_column_values_to_be_between", "reopen_count")),
    # 3 of 200 tickets over a day is 1.5%, more than the 1% `mostly` tolerates (2 pass: see below).
    ("raw_crm_tickets",
     "UPDATE raw_crm.tickets SET handle_time_minutes = 5000 WHERE ticket_id IN ('t1', 't2', 't3')",
     ("expect_column_values_to_be_between", "handle_time_minutes")),
    ("raw_crm_customers", "UPDATE raw_crm.customers SET customer_id = NULL WHERE customer_id = 'c2'",
     ("expect_column_values_to_not_be_null", "customer_id")),
    ("raw_crm_customers", "UPDATE raw_crm.customers SET segment = NULL WHERE customer_id = 'c1'",
     ("expect_column_values_to_not_be_null", "segment")),
    ("raw_hris_employees", "UPDATE raw_hris.employees SET employee_id = NULL WHERE team = 'Sales'",
     ("expect_column_values_to_not_be_null", "employee_id")),
    ("raw_hris_employees", "UPDATE raw_hris.employees SET team = NULL WHERE employee_id = 'e1'",
     ("expect_column_values_to_not_be_null", "team")),
    ("raw_hris_employees", "UPDATE raw_hris.employees SET hire_date = NULL WHERE employee_id = 'e2'",
     ("expect_column_values_to_not_be_null", "hire_date")),
    ("marts_customer_nps_monthly", "UPDATE marts.customer_nps_monthly SET month = NULL WHERE responses = 4",
     ("expect_column_values_to_not_be_null", "month")),
    ("marts_customer_nps_monthly", "UPDATE marts.customer_nps_monthly SET nps = 150 WHERE responses = 10",
     ("expect_column_values_to_be_between", "nps")),
    ("marts_customer_nps_monthly",
     "UPDATE marts.customer_nps_monthly SET responses = 0, promoters = 0, nps = NULL WHERE responses = 1",
     ("expect_column_values_to_be_between", "responses")),
    ("marts_customer_nps_monthly",
     "UPDATE marts.customer_nps_monthly SET promoters = -1, passives = passives + 1 WHERE responses = 4",
     ("expect_column_values_to_be_between", "promoters")),
    ("marts_customer_nps_monthly",
     "UPDATE marts.customer_nps_monthly SET passives = -1, detractors = detractors + 2 WHERE responses = 4",
     ("expect_column_values_to_be_between", "passives")),
    ("marts_customer_nps_monthly",
     "UPDATE marts.customer_nps_monthly SET detractors = -1, passives = passives + 3 WHERE responses = 10",
     ("expect_column_values_to_be_between", "detractors")),
    ("marts_customer_nps_monthly",
     "UPDATE marts.customer_nps_monthly SET promoters = promoters + 1 WHERE responses = 10",
     ("expect_column_pair_values_to_be_equal", "classified_responses, responses")),
    ("marts_customer_csat_monthly", "UPDATE marts.customer_csat_monthly SET month = NULL WHERE responses = 2",
     ("expect_column_values_to_not_be_null", "month")),
    ("marts_customer_csat_monthly",
     "UPDATE marts.customer_csat_monthly SET csat_pct = 180 WHERE responses = 10",
     ("expect_column_values_to_be_between", "csat_pct")),
    ("marts_customer_csat_monthly",
     "UPDATE marts.customer_csat_monthly SET csat_mean = 0 WHERE responses = 10",
     ("expect_column_values_to_be_between", "csat_mean")),
    ("marts_customer_csat_monthly",
     "UPDATE marts.customer_csat_monthly SET responses = 0 WHERE responses = 2",
     ("expect_column_values_to_be_between", "responses")),
    ("marts_customer_csat_monthly",
     "UPDATE marts.customer_csat_monthly SET satisfied_responses = -1 WHERE responses = 2",
     ("expect_column_values_to_be_between", "satisfied_responses")),
    ("marts_customer_csat_monthly",
     "UPDATE marts.customer_csat_monthly SET satisfied_responses = 11 WHERE responses = 10",
     ("expect_column_pair_values_a_to_be_greater_than_b", "responses, satisfied_responses")),
]  # fmt: skip


@pytest.fixture(scope="module")
def suites() -> dict[str, SuiteSpec]:
    return {spec.name: spec for spec in load_suites()}


def create_checked_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Empty tables shaped as the loader (from the contract) and dbt (mart columns) create them."""
    for table in REQUIRED_SUITE_TABLES & set(RAW_TABLES):
        ensure_raw_table(con, RAW_TABLES[table])
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    for table, columns in MART_COLUMNS.items():
        con.execute(f"CREATE TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns.items())})")


@pytest.fixture
def good_db(tmp_path) -> Path:
    path = tmp_path / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        create_checked_tables(con)
        for statement in GOOD_ROWS:
            con.execute(statement)
    return path


def validate_file(path: Path, spec: SuiteSpec):
    with duckdb.connect(str(path)) as con:
        return validate(con, spec)


# ------------------------------------------------------------------------------------------ (a) suites


def test_every_suite_loads_and_names_real_tables_and_columns(suites):
    assert {spec.table for spec in suites.values()} >= REQUIRED_SUITE_TABLES
    for spec in suites.values():
        gx_suite = spec.suite  # strict build: raises on any expectation GX cannot build
        assert len(gx_suite.expectations) == spec.expectation_count > 0
        plain_columns = set(spec.columns) - set(spec.derived_columns)
        if spec.table in RAW_TABLES:
            entity = RAW_TABLES[spec.table]
            assert plain_columns <= set(entity.column_names), spec.name
            # The loader's key (assets/raw.py raw_asset_key), spelled out: importing the assets would need
            # a parsed dbt project, which this module does not.
            assert spec.asset_key == (entity.source, entity.name), spec.name
        else:
            assert spec.table in MART_COLUMNS, f"{spec.name}: {spec.table} is neither raw nor a known mart"
            assert plain_columns <= set(MART_COLUMNS[spec.table]), spec.name
            assert list(spec.asset_key) == spec.table.split("."), spec.name


def test_every_suite_reads_its_columns_from_an_empty_table(suites):
    """Derived column expressions are SQL: DuckDB itself confirms they only use existing columns."""
    with duckdb.connect() as con:
        create_checked_tables(con)
        for spec in suites.values():
            frame = read_frame(con, spec)
            assert list(frame.columns) == spec.columns, spec.name


def test_suite_files_round_trip_through_gx_serialisation(suites):
    from great_expectations import ExpectationSuite

    for spec in suites.values():
        again = ExpectationSuite(**json.loads(json.dumps(spec.suite.to_json_dict())))
        assert [e.configuration.to_json_dict() for e in again.expectations] == [
            e.configuration.to_json_dict() for e in spec.suite.expectations
        ]


def test_an_expectation_gx_cannot_build_is_an_error_not_a_silent_drop(suites):
    config = copy.deepcopy(suites["marts_customer_nps_monthly"].config)
    config["expectations"].append({"type": "expect_multicolumn_sum_to_equal_column", "kwargs": {"column": "nps"}})
    with pytest.raises(SuiteError, match="expect_multicolumn_sum_to_equal_column"):
        _ = parse_suite(config).suite
    config["expectations"][-1] = {"type": "expect_column_values_to_be_between", "kwargs": {"column": "nps"}}
    with pytest.raises(SuiteError, match="min_value and max_value cannot both be None"):
        _ = parse_suite(config).suite


def test_unusable_suite_files_are_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "x", "meta": {"table": "nps"}, "expectations": [{"type": "t"}]}))
    with pytest.raises(SuiteError, match="meta.table"):
        load_suite(bad)
    good = json.loads((EXPECTATIONS_DIR / "raw_crm_customers.json").read_text())
    twins = tmp_path / "twins"
    twins.mkdir()
    (twins / "a.json").write_text(json.dumps(good))
    (twins / "b.json").write_text(json.dumps(good))
    with pytest.raises(SuiteError, match="is used by"):
        load_suites(twins)


# ------------------------------------------------------------------------------ (b)/(c) pass and fail


def test_good_data_passes_every_suite(good_db, suites):
    for spec in suites.values():
        outcome = validate_file(good_db, spec)
        assert outcome.success, f"{spec.name}: {outcome.failing_text()}"
        assert (outcome.evaluated, outcome.failed, outcome.errored) == (spec.expectation_count, 0, 0)


def test_two_outliers_in_200_tickets_are_within_mostly(good_db, suites):
    with duckdb.connect(str(good_db)) as con:
        con.execute("UPDATE raw_crm.tickets SET handle_time_minutes = 5000 WHERE ticket_id IN ('t1', 't2')")
    assert validate_file(good_db, suites["raw_crm_tickets"]).success


@pytest.mark.parametrize(("suite", "damage", "expected"), BAD_CASES, ids=[f"{c[0]}-{c[2][1]}" for c in BAD_CASES])
def test_bad_data_fails_the_named_expectation(good_db, suites, suite, damage, expected):
    with duckdb.connect(str(good_db)) as con:
        con.execute(damage)
    outcome = validate_file(good_db, suites[suite])
    assert not outcome.success
    assert expected in {(r.expectation_type, r.column) for r in outcome.failing}, outcome.failing_text()
    assert outcome.errored == 0 and outcome.failed >= 1
    assert expected[0] in outcome.failing_text()


def test_bad_cases_fail_every_expectation(suites):
    """Every expectation of every suite is shown to fail on bad data by a case above."""
    from dagster_project.quality.gx_suites import expectation_columns

    covered = {(suite, expected) for suite, _, expected in BAD_CASES}
    for spec in suites.values():
        for expectation in spec.config["expectations"]:
            key = (expectation["type"], ", ".join(expectation_columns(expectation["kwargs"])) or None)
            assert (spec.name, key) in covered, f"no failing case for {spec.name}: {key}"


# ------------------------------------------------------------------------------------------ (d) errors


def test_an_expectation_that_errors_fails_the_suite(suites):
    """The frame lacks a column the suite names: GX raises inside the expectation and reports it in
    exception_info. One passing expectation beside it must not make the suite pass."""
    spec = parse_suite(
        {
            "name": "errors",
            "meta": {"table": "marts.customer_nps_monthly", "asset_key": ["marts", "customer_nps_monthly"]},
            "expectations": [
                {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "month"}},
                {"type": "expect_column_values_to_be_between", "kwargs": {"column": "nps", "max_value": 100}},
            ],
        }
    )
    frame = pd.DataFrame({"month": pd.to_datetime(["2025-01-01", "2025-02-01"])})
    outcome = validate_frame(frame, spec)
    assert outcome.success is False
    assert (outcome.evaluated, outcome.failed, outcome.errored) == (2, 1, 1)
    [errored] = [r for r in outcome.results if r.errored]
    assert (errored.expectation_type, errored.column, errored.success) == (
        "expect_column_values_to_be_between",
        "nps",
        False,
    )
    assert "nps" in errored.details and "does not exist" in errored.details


def test_a_table_or_column_missing_in_duckdb_errors_every_expectation(tmp_path, suites):
    path = tmp_path / "build.duckdb"
    spec = suites["marts_customer_csat_monthly"]
    with duckdb.connect(str(path)) as con:
        outcome = validate(con, spec)  # no table at all
        assert (outcome.success, outcome.errored) == (False, spec.expectation_count)
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.customer_csat_monthly (month DATE, responses BIGINT)")
        outcome = validate(con, spec)
    assert (outcome.success, outcome.errored, outcome.failed) == (
        False,
        spec.expectation_count,
        spec.expectation_count,
    )
    assert all("csat_pct" in r.details for r in outcome.results)


# ---------------------------------------------------------------------------------- (e)/(f) in Dagster


def _run_nps_pipeline(db_path: Path, nps: float, suite: SuiteSpec) -> dg.ExecuteInProcessResult:
    """The mart asset writes one row with the given nps; the check and a downstream asset follow."""

    @dg.asset(key=["marts", "customer_nps_monthly"])
    def nps_mart() -> None:
        with duckdb.connect(str(db_path)) as con:
            con.execute("CREATE SCHEMA IF NOT EXISTS marts")
            columns = ", ".join(f"{c} {t}" for c, t in MART_COLUMNS["marts.customer_nps_monthly"].items())
            con.execute(f"CREATE OR REPLACE TABLE marts.customer_nps_monthly ({columns})")
            con.execute(
                "INSERT INTO marts.customer_nps_monthly VALUES (DATE '2025-01-01', 'SMB', 'N', 'S1', 10, 5, 3, 2, ?)",
                [nps],
            )

    @dg.asset(key=["serving", "warehouse"], deps=[nps_mart])
    def published() -> None:
        """Stands in for publishing: must not run after a failed blocking check."""

    check = build_gx_asset_check(suite, lambda: db_path)
    return dg.materialize([nps_mart, check, published], raise_on_error=False)


def test_failing_check_blocks_downstream_and_records_results(tmp_path, suites):
    db_path = tmp_path / "build.duckdb"
    result = _run_nps_pipeline(db_path, nps=150.0, suite=suites["marts_customer_nps_monthly"])

    assert not result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.check_name == "gx_marts_customer_nps_monthly" and not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.metadata["failed"].value == 1
    assert "(nps)" in evaluation.metadata["failing_expectations"].value
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert materialized == {dg.AssetKey(["marts", "customer_nps_monthly"])}  # not serving/warehouse

    with duckdb.connect(str(db_path), read_only=True) as con:
        rows = con.execute(
            "SELECT check_kind, suite, table_name, expectation, column_name, success, errored "
            "FROM meta.check_results WHERE run_id = ? AND NOT success",
            [result.run_id],
        ).fetchall()
        recorded = con.execute("SELECT count(*) FROM meta.check_results WHERE run_id = ?", [result.run_id])
        assert recorded.fetchone()[0] == suites["marts_customer_nps_monthly"].expectation_count
    assert rows == [
        (
            "great_expectations",
            "marts_customer_nps_monthly",
            "marts.customer_nps_monthly",
            "expect_column_values_to_be_between",
            "nps",
            False,
            False,
        )
    ]


def test_passing_check_lets_downstream_run(tmp_path, suites):
    db_path = tmp_path / "build.duckdb"
    result = _run_nps_pipeline(db_path, nps=30.0, suite=suites["marts_customer_nps_monthly"])
    assert result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.passed
    assert dg.AssetKey(["serving", "warehouse"]) in {e.asset_key for e in result.get_asset_materialization_events()}


def test_one_check_per_suite_each_bound_to_its_own_suite(suites):
    checks = build_gx_asset_checks(lambda: "unused.duckdb")
    keys = {key for check in checks for key in check.check_keys}
    expected = {dg.AssetCheckKey(dg.AssetKey(list(s.asset_key)), f"gx_{s.name}") for s in suites.values()}
    assert keys == expected
    assert all(spec.blocking for check in checks for spec in check.check_specs)


def test_errored_results_are_recorded_as_errored(tmp_path, suites):
    spec = suites["raw_survey_customer_responses"]
    with duckdb.connect(str(tmp_path / "build.duckdb")) as con:
        outcome = validate(con, spec)  # the raw table does not exist
        record_results(con, "run-1", spec, outcome)
        rows = con.execute(
            "SELECT expectation, column_name, success, errored, observed, checked_at IS NOT NULL "
            "FROM meta.check_results WHERE run_id = 'run-1' ORDER BY expectation, column_name"
        ).fetchall()
        distinct_times = con.execute("SELECT count(DISTINCT checked_at) FROM meta.check_results").fetchone()[0]
    assert rows == sorted(
        (e["type"], (e["kwargs"].get("column")), False, True, "error", True) for e in spec.config["expectations"]
    )
    assert distinct_times == 1
