"""The marts' Great Expectations suites on Spark DataFrames, as the spark engine validates them (GX's Spark data
source, dagster_project/quality/gx_validation.validate_spark, docs/spark.md).

The same good rows and damage as tests/test_gx_checks.py, one case per kind of expectation the marts' suites use:
damage that fails an expectation on DuckDB fails the same expectations on Spark, and nothing else fails there (every
other expectation of the suite passes on Spark). Every suite passing on good data on Spark is shown by the engines'
equality test, whose spark run validates every mart this way. One Spark session for the module; the tables are
handed to Spark as Parquet files, as Spark's own tables are."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.quality.gx_suites import load_suites
from dagster_project.quality.gx_validation import register_spark_tables, validate, validate_spark
from tests.lake_helpers import local_spark
from tests.test_gx_checks import BAD_CASES, MART_COLUMNS, write_good_warehouse

MART_SUITES = {spec.name: spec for spec in load_suites() if spec.table.startswith("marts.")}
# One damage per kind of expectation: Spark's validation differs from pandas' by expectation type, not by column.
SPARK_CASES = list({case[2][0]: case for case in reversed(BAD_CASES) if case[0] in MART_SUITES}.values())


def _as_parquet(con: duckdb.DuckDBPyConnection, table: str, folder: Path) -> str:
    folder.mkdir(parents=True)
    con.execute(f"copy (select * from {table}) to '{folder / 'part-0.parquet'}' (format parquet)")
    return str(folder)


@pytest.fixture(scope="module")
def good_marts(tmp_path_factory) -> Path:
    return write_good_warehouse(tmp_path_factory.mktemp("gx_spark") / "build.duckdb")


@pytest.fixture(scope="module")
def good_folders(tmp_path_factory, good_marts) -> dict[str, str]:
    """Each good mart as Parquet: table -> folder."""
    root = tmp_path_factory.mktemp("good_parquet")
    with duckdb.connect(str(good_marts), read_only=True) as con:
        return {table: _as_parquet(con, table, root / table) for table in MART_COLUMNS}


@pytest.fixture(scope="module")
def spark(tmp_path_factory, good_folders):
    """A session configured as the pipeline's, with every good mart registered under its name."""
    with local_spark(tmp_path_factory.mktemp("spark_lake")) as session:
        register_spark_tables(session, good_folders)
        yield session


@pytest.mark.parametrize(("suite", "damage", "expected"), SPARK_CASES, ids=[c[2][0] for c in SPARK_CASES])
def test_damage_fails_the_same_expectations_on_spark(
    spark, good_marts, good_folders, tmp_path, suite, damage, expected
):
    damaged = tmp_path / "build.duckdb"
    shutil.copyfile(good_marts, damaged)
    spec = MART_SUITES[suite]
    with duckdb.connect(str(damaged)) as con:
        con.execute(damage)
        on_duckdb = validate(con, spec)
        register_spark_tables(spark, {spec.table: _as_parquet(con, spec.table, tmp_path / "damaged")})
    try:
        on_spark = validate_spark(spark, spec)
    finally:
        register_spark_tables(spark, {spec.table: good_folders[spec.table]})
    failing = {(r.expectation_type, r.column) for r in on_duckdb.failing}
    assert expected in failing
    assert not on_spark.success and on_spark.errored == 0, on_spark.failing_text()
    assert {(r.expectation_type, r.column) for r in on_spark.failing} == failing, on_spark.failing_text()
    assert on_spark.evaluated == on_duckdb.evaluated == spec.expectation_count


def test_a_mart_spark_cannot_read_errors_every_expectation(spark, good_folders):
    spec = MART_SUITES["marts_customer_nps_monthly"]
    spark.sql(f"drop table {spec.table}")
    try:
        outcome = validate_spark(spark, spec)
    finally:
        register_spark_tables(spark, {spec.table: good_folders[spec.table]})
    assert not outcome.success and outcome.errored == spec.expectation_count
