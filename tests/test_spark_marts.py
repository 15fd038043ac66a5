"""The SQL marts on Spark (docs/spark.md, "Marts on Spark (s15)").

The engine macros (dbt_project/macros/engine/) are where the marts' SQL differs between DuckDB and Spark: each is
rendered here as dbt renders it (Jinja), its DuckDB (`default__`) text run on DuckDB and its `spark__` text on one
local Spark session, over the same rows, including the cases where the engines' own functions differ (rounding of
printed halves, sub-second and cross-midnight differences, NULLs, NaN). The marts' comparison
(dagster_project/spark/compare_marts.py) is checked on real DuckDB and Parquet: equal, a planted difference, a mart
Spark did not build. Text scoring on Spark's tasks gives the scores this process gives."""

from __future__ import annotations

import datetime as dt
import math
import shutil
from pathlib import Path

import duckdb
import jinja2
import pandas as pd
import pyarrow as pa
import pytest

from dagster_project.settings import DBT_PROJECT_DIR, Settings
from dagster_project.spark.compare_marts import compare_mart
from dagster_project.spark.marts_import import spark_table_folder
from tests.lake_helpers import local_spark

ENGINE_MACROS = DBT_PROJECT_DIR / "macros" / "engine"


def macro(name: str, engine: str):
    """The `default__` (DuckDB) or `spark__` implementation of an engine macro, rendered by Jinja as dbt does."""
    module = jinja2.Environment().from_string((ENGINE_MACROS / f"{name}.sql").read_text()).module
    return getattr(module, f"{'spark' if engine == 'spark' else 'default'}__{name}")


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    """One local Spark session for the module, configured as the pipeline's."""
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("the spark engine needs Java")
    with local_spark(tmp_path_factory.mktemp("spark_lake")) as session:
        yield session


def run_both(spark, rows: pa.Table, sql_for) -> tuple[list, list]:
    """`sql_for(engine)` (a query over table `t`) on DuckDB and on Spark over the same rows; both results' rows."""
    with duckdb.connect() as con:
        con.register("t", rows)
        duck = [tuple(r) for r in con.execute(sql_for("duckdb")).fetchall()]
    spark.createDataFrame(rows).createOrReplaceTempView("t")
    return duck, [tuple(r) for r in spark.sql(sql_for("spark")).collect()]


NUMBERS = {
    # C rounds the binary value half-even (0.15 is 0.1499…: "0.1"); Java's printf rounds the decimal shown up.
    "%.1f": [0.15, 0.25, 0.45, 0.35, -0.04, 12.25, -3.95, 100.0, 2 / 3, None],
    "%.0f": [2.5, 3.5, -0.4, 1234.5, 99.5],
    "%,d": [1234567.0, 999.0, 0.0, -4321.0],
    "%,.0f": [1234.5, 1234567.5, 0.4],
    "%g": [20.0, -50.0, 0.05, 2.5, 0.001, 60.0, 7.5],  # the alert rules' thresholds
}


@pytest.mark.parametrize("fmt", list(NUMBERS))
def test_format_number_prints_what_duckdb_prints(spark, fmt):
    rows = pa.table({"i": range(len(NUMBERS[fmt])), "x": pa.array(NUMBERS[fmt], pa.float64())})
    cast = "x::bigint" if fmt == "%,d" else "x"
    duck, on_spark = run_both(
        spark, rows, lambda engine: f"select i, {macro('format_number', engine)(cast, fmt)} from t order by i"
    )
    assert duck == on_spark


DATES = [dt.datetime(2024, 3, 5, 23, 59, 59), dt.datetime(2023, 12, 1), dt.datetime(2024, 2, 29, 0, 0, 1)]


@pytest.mark.parametrize("fmt", ["%b %Y", "%-d %b %Y", "%Y-%m", "%Y-%m-%d"])
def test_format_date_writes_what_duckdb_writes(spark, fmt):
    rows = pa.table({"i": range(len(DATES)), "d": pa.array(DATES, pa.timestamp("us"))})
    duck, on_spark = run_both(
        spark, rows, lambda engine: f"select i, {macro('format_date', engine)('d', fmt)} from t order by i"
    )
    assert duck == on_spark


def test_date_diff_counts_boundaries_crossed_as_duckdb(spark):
    """Across midnight a few minutes are 1 day; 0.6 s across a second boundary is 1 second; NULL stays NULL."""
    pairs = [
        (dt.datetime(2024, 1, 1, 23, 50), dt.datetime(2024, 1, 2, 0, 10)),
        (dt.datetime(2024, 1, 1, 0, 0, 0, 900000), dt.datetime(2024, 1, 1, 0, 0, 1, 500000)),
        (dt.datetime(2024, 3, 1), dt.datetime(2023, 2, 28, 12)),
        (dt.datetime(2024, 1, 1), None),
    ]
    rows = pa.table(
        {
            "i": range(len(pairs)),
            "a": pa.array([p[0] for p in pairs], pa.timestamp("us")),
            "b": pa.array([p[1] for p in pairs], pa.timestamp("us")),
        }
    )
    for part in ("day", "second"):
        duck, on_spark = run_both(
            spark,
            rows,
            lambda engine, part=part: f"select i, {macro('date_diff', engine)(part, 'a', 'b')} from t order by i",
        )
        assert duck == on_spark, part
        assert duck[-1][1] is None


def test_list_macros_agree(spark):
    """unnest_list, generate_series (numbers and months), list_to_string, sha256_hex and arg_max."""
    rows = pa.table(
        {
            "g": [1, 1, 2, 3],
            "xs": pa.array([["a", "b"], [], None, ["c"]], pa.list_(pa.string())),
            "lo": [0, 2, 5, 1],
            "seen_at": pa.array([dt.datetime(2024, 1, 1), dt.datetime(2024, 5, 1), None, dt.datetime(2024, 3, 1)]),
            "d0": pa.array([dt.date(2023, 11, 1)] * 4, pa.date32()),
            "d1": pa.array([dt.date(2024, 2, 1)] * 4, pa.date32()),
        }
    )
    queries = {
        "unnest": lambda e: f"select {macro('unnest_list', e)('xs')} as v from t order by v",
        "range": lambda e: (
            f"select {macro('unnest_list', e)(macro('generate_series', e)('lo', 'lo + 2'))} as v from t order by v"
        ),
        "months": lambda e: (
            "select distinct v::date from (select "
            f"{macro('unnest_list', e)(macro('generate_series', e)('d0', 'd1', 'interval 1 month'))} as v from t) "
            "order by 1"
        ),
        "joined": lambda e: f"select g, {macro('list_to_string', e)('xs', chr(39) + ', ' + chr(39))} from t order by g",
        "hash": lambda e: f"select g, {macro('sha256_hex', e)('cast(g as string)')} from t order by g",
        "arg_max": lambda e: f"select g, {macro('arg_max', e)('lo', 'seen_at')} from t group by g order by g",
    }
    for name, sql_for in queries.items():
        duck, on_spark = run_both(spark, rows, sql_for)
        assert duck == on_spark, name


def test_is_finite_agrees_on_nan_infinity_and_null(spark):
    values = [1.5, math.nan, math.inf, -math.inf, None]
    rows = pa.table({"i": range(len(values)), "x": pa.array(values, pa.float64())})
    duck, on_spark = run_both(
        spark, rows, lambda engine: f"select i, {macro('is_finite', engine)('x')} from t order by i"
    )
    assert duck == on_spark == [(0, True), (1, False), (2, False), (3, False), (4, None)]


def test_compare_mart_finds_a_planted_difference_and_a_missing_table(tmp_path: Path):
    """Equal rows in another order are equal; a float off by 1e-6 and a changed key are differences."""
    settings = Settings(
        home=tmp_path, landing_dir=tmp_path / "landing", build_db=tmp_path / "build.duckdb",
        serving_db=tmp_path / "serving.duckdb", pii_key="k", auth_config=tmp_path / "users.yaml",
    )  # fmt: skip
    folder = spark_table_folder(settings, "marts", "m")
    folder.mkdir(parents=True)
    with duckdb.connect(str(settings.build_db)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.m as select * from (values ('a', 1, 0.1), ('b', 2, 1e6)) as v(k, n, x)")
        spark_rows = "select * from marts.m order by k desc"
        con.execute(f"copy ({spark_rows}) to '{folder / 'part-0.parquet'}' (format parquet)")
        assert compare_mart(con, settings, "marts", "m").equal
        parquet = folder / "part-0.parquet"
        con.execute(f"copy (select k, n, x * (1 + 1e-6) as x from marts.m) to '{parquet}' (format parquet)")
        found = compare_mart(con, settings, "marts", "m")
        assert not found.equal and "x:" in found.differences[0]
        con.execute(f"copy (select 'c' as k, n, x from marts.m) to '{folder / 'part-0.parquet'}' (format parquet)")
        assert not compare_mart(con, settings, "marts", "m").equal
        assert compare_mart(con, settings, "marts", "missing").rows is None
        # The same numbers as DECIMAL (what Spark makes of `x / 3600.0`) are a difference of type.
        con.execute(f"copy (select k, n, x::decimal(18, 6) as x from marts.m) to '{parquet}' (format parquet)")
        found = compare_mart(con, settings, "marts", "m")
        assert found.differences == ("x: duckdb DOUBLE, spark DECIMAL(18,6)",)


TEXTS = [
    "Love it!",  # short: the configured languages decide it
    "Great",
    "pas de pb",
    "The staff listened to me and fixed it the same day, lovely people.",
    "Le service client a été très lent et désagréable, je suis déçu.",
    "Me encanta este vestido, es precioso y me queda perfecto.",  # a language no scorer reads: unscored, NULL score
    "!!!",
    "Terrible. Never again.",
]


def test_text_scoring_on_spark_stores_what_scoring_here_stores(spark, monkeypatch, tmp_path):
    """The pipeline's two routes to text.text_scores on the same texts (several languages, one no scorer reads):
    scored here, and on Spark's tasks (Parquet in, Parquet out), with the configured languages set only after
    Spark started (its workers' own environment lacks them: the driver hands them over). Same rows, the same
    counts reported, the hand-over folder removed; a re-run sends nothing to Spark."""
    from dagster_project.settings import get_settings
    from dagster_project.spark.text_scoring import spark_text_scorer
    from dagster_project.text.store import TABLE, score_new_texts

    monkeypatch.setenv("EMPATHY_LAKE_TEXT_LANGUAGES", "fr,en")
    settings = get_settings()  # the lake of the module's Spark session
    on_spark = spark_text_scorer(settings)
    calls = []

    def counted(con, pending, batch_size):
        calls.append(pending)
        return on_spark(con, pending, batch_size)

    stores, runs = [], []
    for elsewhere in (None, counted):
        with duckdb.connect(str(tmp_path / f"{'spark' if elsewhere else 'here'}.duckdb")) as con:
            con.execute("CREATE SCHEMA raw_brand; CREATE TABLE raw_brand.mentions (text VARCHAR)")
            con.executemany("INSERT INTO raw_brand.mentions VALUES (?)", [[t] for t in TEXTS + TEXTS[:2]])
            first = score_new_texts(con, log=lambda _: None, batch_size=3, score_elsewhere=elsewhere)
            again = score_new_texts(con, log=lambda _: None, batch_size=3, score_elsewhere=elsewhere)
            assert (first.newly_scored, again.newly_scored, again.already_scored) == (len(TEXTS), 0, len(TEXTS))
            nulls = "SELECT count(*) FILTER (sentiment_score IS NULL), count(*) FILTER (isnan(sentiment_score)) FROM"
            nulls += f" {TABLE}"
            runs.append((first.by_language, first.by_label, con.execute(nulls).fetchone()))
            stores.append(con.execute(f"SELECT * EXCLUDE (scored_at) FROM {TABLE} ORDER BY content_hash").df())
    pd.testing.assert_frame_equal(stores[1], stores[0])
    assert runs[1] == runs[0] and {"en", "fr", "es"} <= set(runs[0][0])
    assert runs[0][2][0] >= 1 and runs[0][2][1] == 0  # a language no scorer reads: NULL, not NaN
    assert len(calls) == 1 and not (settings.spark_dir / "text_scoring").exists()
