"""Staging and intermediate on Spark (issue 15): the seeds and every SQL model of staging and intermediate, with
their dbt data tests, build on the spark target from the raw rows of the session lake, and each gives the same rows
as its DuckDB build (dagster_project/spark/equality.py: keys exactly, floats to 1e-9). One Spark session (dbt's
own, in this process) serves the module."""

from __future__ import annotations

import pytest

from dagster_project.settings import DBT_PROJECT_DIR
from dagster_project.spark.equality import differences
from dagster_project.spark.layers import LEFT_OUT, SQL_LAYERS, build_on_spark, compare_relations
from tests.lake_helpers import clone_lake, lake_env


@pytest.fixture(scope="module")
def spark_build(built_lake, tmp_path_factory):
    home = clone_lake(built_lake, tmp_path_factory.mktemp("spark_models"))  # Spark writes under <home>/spark
    with lake_env(home) as settings:
        build = build_on_spark(settings, ["build", *SQL_LAYERS])
        with settings.connect(settings.build_db, read_only=True) as con:
            yield build, con
        build.spark.stop()


def test_seeds_and_sql_models_build_and_pass_their_tests_on_spark(spark_build):
    build, _ = spark_build
    assert build.success and not build.failed, build.failed
    seeds = {f"marts.{p.stem}" for p in (DBT_PROJECT_DIR / "seeds").glob("*.csv")}
    models = {
        f"staging.{p.stem}"
        for layer in ("staging", "intermediate")
        for p in (DBT_PROJECT_DIR / "models" / layer).rglob("*.sql")
        if p.stem not in LEFT_OUT
    }
    assert seeds | models <= set(build.built), sorted(seeds | models - set(build.built))


def test_every_model_and_seed_gives_the_same_rows_on_both_engines(spark_build):
    build, con = spark_build
    report = compare_relations(con, build.spark, build.built)
    different = {relation: found for relation, found in report.items() if found}
    assert not different, different
    print(f"{len(report)} relations equal on DuckDB and Spark")


def test_a_planted_difference_is_found(spark_build):
    build, con = spark_build
    relation = "staging.int_location_regions"
    duck = con.sql(f"select * from {relation}")
    assert not differences(duck, build.spark.table(relation))
    first = f"(select min(location) from {relation})"
    moved = build.spark.sql(
        f"select location, case when location = {first} then 'Elsewhere' else region end as region from {relation}"
    )
    found = differences(duck, moved)
    assert len(found) == 1 and "region" in found[0] and "'Elsewhere'" in found[0], found
    one_row_less = build.spark.sql(f"select * from {relation} where location <> {first}")
    assert differences(duck, one_row_less) and "rows in duckdb" in differences(duck, one_row_less)[0]


@pytest.mark.parametrize(("shift", "equal"), [(1e-12, True), (1e-6, False)])
def test_floats_are_equal_to_one_part_in_a_billion(spark_build, shift, equal):
    from pyspark.sql.functions import col

    build, con = spark_build
    relation = "staging.stg_crm__orders"
    shifted = build.spark.table(relation).withColumn("order_total", col("order_total") * (1 + shift))
    assert (not differences(con.sql(f"select * from {relation}"), shifted)) is equal
