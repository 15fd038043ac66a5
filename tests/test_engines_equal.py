"""Issue 15's proof: the same small business built on DuckDB and on Spark gives the same rows.

One spark run per test run: the session lake's landing files (generated as tests/conftest.py `built_lake` generates
them, so the run can start before the session lake is built: it is the suite's longest unit and goes first) in a
lake of their own, run with EMPATHY_LAKE_ENGINE=spark, as a user runs it (`empathy-lake run`, local Spark). That run
also validates every mart's Great Expectations suite on Spark DataFrames and runs every dbt data test on Spark (it
fails otherwise). Then:
- every published mart equals the DuckDB lake's: keys and text exactly, numbers to 1e-9 relative, the same column
  types (a count a 64-bit integer on both: DuckDB's 128-bit sums are cast in the models, D774);
- every model and seed the spark run built (staging, intermediate, marts: Spark's tables read from their Parquet files,
  its views through Spark) equals the session lake's DuckDB build of the same landing files, every column but the time
  each run loaded a row (dagster_project/spark/equality.py), so a difference in a layer the marts do not show is seen
  too."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.lake_helpers import TEST_PII_KEY, BuiltLake, assert_same_marts

PYTHON_MODELS = (
    "staging.int_initiative_estimates",
    "staging.int_employee_survey_cell_suppression",
    "staging.int_alert_evidence",
    "marts.key_drivers",
    "marts.initiative_roi",
    "marts.service_profit_chain_summary",
)


def _env(home: Path, engine: str) -> dict[str, str]:
    # This lake's folders, and the key the session lake was pseudonymised with (pseudonyms are keyed).
    folders = ("EMPATHY_LAKE_HOME", "EMPATHY_LAKE_LANDING", "EMPATHY_LAKE_BUILD_DB", "EMPATHY_LAKE_SERVING_DB")
    env = {k: v for k, v in os.environ.items() if k not in {*folders, "EMPATHY_LAKE_AUTH_CONFIG", "DAGSTER_HOME"}}
    return {**env, "EMPATHY_LAKE_HOME": str(home), "EMPATHY_LAKE_ENGINE": engine, "EMPATHY_LAKE_PII_KEY": TEST_PII_KEY}


@pytest.fixture(scope="module")
def spark_lake(tmp_path_factory, dbt_manifest) -> Path:
    from dagster_project.sample_data import generate
    from tests.conftest import SESSION_SCALE, SESSION_SEED

    home = tmp_path_factory.mktemp("spark_lake")
    generate(home / "landing", scale=SESSION_SCALE, seed=SESSION_SEED, progress=False)
    done = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", "run"],
        env=_env(home, "spark"),
        capture_output=True,
        text=True,
        timeout=3000,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    # What the user reads of the run: no Spark start-up banners or per-node warnings (spark/conf/log4j2.properties).
    chatter = re.findall(r"^.*(?: WARN |Setting default log level|log4j profile).*$", done.stdout + done.stderr, re.M)
    assert not chatter, chatter[:5]
    return home


def test_duckdb_and_spark_publish_the_same_marts(spark_lake: Path, request: pytest.FixtureRequest):
    # The session lake only now, not as an argument: pytest sets session fixtures up before module ones, and the
    # spark run (the suite's longest unit) should start at once while the other worker builds the session lake.
    built_lake: BuiltLake = request.getfixturevalue("built_lake")
    serving = spark_lake / "warehouse" / "serving" / "empathy_lake.duckdb"
    compared = assert_same_marts(serving, built_lake.settings.serving_db)
    with duckdb.connect(str(serving), read_only=True) as con:
        query = "select table_name from duckdb_tables() where schema_name = 'marts'"
        tables = [r[0] for r in con.execute(query).fetchall()]
        rows = sum(con.execute(f'select count(*) from marts."{t}"').fetchone()[0] for t in tables)
    print(f"\n{compared} published marts ({rows:,} rows) equal on the DuckDB and the Spark engine")
    assert compared == len(tables) >= 50 and rows > 0


def test_every_model_and_seed_spark_built_equals_duckdb(spark_lake: Path, built_lake: BuiltLake, tmp_path):
    """Every relation, the six Python models included, against the session lake's DuckDB build of the same landing
    files (every column but `_loaded_at`, the time each run loaded a row); one value planted in the DuckDB side of one
    of them (the alert evidence a Python model computes) must be the one difference reported."""
    duck = tmp_path / "build.duckdb"
    shutil.copyfile(built_lake.settings.build_db, duck)
    planted = "staging.int_alert_evidence"
    with duckdb.connect(str(duck)) as con:
        first = f"(select min(rowid) from {planted} where kpi_value is not null)"
        con.execute(f"update {planted} set kpi_value = kpi_value + 1 where rowid = {first}")
        # Equal on both engines proves something only for relations with rows: the six Python models have some.
        for model in PYTHON_MODELS:
            assert con.execute(f"select count(*) from {model}").fetchone()[0] > 0, model
    compare = subprocess.run(
        [
            sys.executable,
            "-m",
            "dagster_project.spark.layers",
            "--compare-lake",
            str(duck),
            "--ignore-column",
            "_loaded_at",
        ],
        env=_env(spark_lake, "spark"),
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert compare.returncode == 0, compare.stderr[-3000:]
    report = json.loads(compare.stdout.strip().splitlines()[-1])
    different = {relation: found for relation, found in report.items() if found}
    assert list(different) == [planted] and any("kpi_value" in line for line in different[planted]), different
    layers = {relation.split(".")[0] for relation in report}
    print(f"\n{len(report) - 1} models and seeds ({', '.join(sorted(layers))}) equal on DuckDB and Spark")
    assert len(report) >= 90 and layers == {"staging", "marts"}
