"""The marts' Great Expectations suites on Spark DataFrames, as the spark engine validates them (GX's Spark data
source, dagster_project/quality/gx_validation.validate_spark, docs/spark.md).

The same good rows and the same damage as tests/test_gx_checks.py: good marts pass every suite on Spark with every
expectation evaluated, and damage that fails an expectation there fails the same expectation on Spark. One Spark
session for the module; each table is handed to Spark as the Parquet files Spark's own tables are."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.quality.gx_suites import load_suites
from dagster_project.quality.gx_validation import validate, validate_spark
from tests.test_gx_checks import BAD_CASES, GOOD_ROWS, create_checked_tables

MART_SUITES = {spec.name: spec for spec in load_suites() if spec.table.startswith("marts.")}
# One damage per kind of expectation (and per expectation the pandas path would check no differently): Spark's
# validation differs from pandas' by expectation type, not by which column a case damages.
SPARK_CASES = list({(case[2][0]): case for case in reversed(BAD_CASES) if case[0] in MART_SUITES}.values())


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    from dagster_project.settings import get_settings
    from dagster_project.spark.session import spark_session

    home = tmp_path_factory.mktemp("spark_lake")
    mp = pytest.MonkeyPatch()
    mp.setenv("EMPATHY_LAKE_HOME", str(home))
    try:
        yield spark_session(get_settings())
    finally:
        mp.undo()


@pytest.fixture(scope="module")
def good_marts(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gx_spark") / "build.duckdb"
    with duckdb.connect(str(path)) as con:
        create_checked_tables(con)
        for statement in GOOD_ROWS:
            con.execute(statement)
    return path


def _as_parquet(con: duckdb.DuckDBPyConnection, table: str, folder: Path) -> str:
    folder.mkdir(parents=True)
    con.execute(f"copy (select * from {table}) to '{folder / 'part-0.parquet'}' (format parquet)")
    return str(folder)


def test_good_marts_pass_every_suite_on_spark_as_on_duckdb(spark, good_marts, tmp_path):
    with duckdb.connect(str(good_marts), read_only=True) as con:
        for name, spec in MART_SUITES.items():
            on_spark = validate_spark(spark, _as_parquet(con, spec.table, tmp_path / name), spec)
            assert on_spark.success, f"{name}: {on_spark.failing_text()}"
            assert (on_spark.evaluated, on_spark.failed, on_spark.errored) == (spec.expectation_count, 0, 0)
            assert [r.expectation_type for r in on_spark.results] == [
                r.expectation_type for r in validate(con, spec).results
            ], name


@pytest.mark.parametrize(("suite", "damage", "expected"), SPARK_CASES, ids=[c[2][0] for c in SPARK_CASES])
def test_damage_fails_the_same_expectation_on_spark(spark, good_marts, tmp_path, suite, damage, expected):
    damaged = tmp_path / "build.duckdb"
    shutil.copyfile(good_marts, damaged)
    spec = MART_SUITES[suite]
    with duckdb.connect(str(damaged)) as con:
        con.execute(damage)
        on_duckdb = validate(con, spec)
        on_spark = validate_spark(spark, _as_parquet(con, spec.table, tmp_path / "table"), spec)
    assert expected in {(r.expectation_type, r.column) for r in on_duckdb.failing}
    assert not on_spark.success and on_spark.errored == 0
    assert expected in {(r.expectation_type, r.column) for r in on_spark.failing}, on_spark.failing_text()
    assert {(r.expectation_type, r.column) for r in on_spark.failing} == {
        (r.expectation_type, r.column) for r in on_duckdb.failing
    }


def test_a_mart_spark_cannot_read_errors_every_expectation(spark, tmp_path):
    spec = MART_SUITES["marts_customer_nps_monthly"]
    outcome = validate_spark(spark, str(tmp_path / "no_such_table"), spec)
    assert not outcome.success and outcome.errored == spec.expectation_count
