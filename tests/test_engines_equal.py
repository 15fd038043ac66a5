"""Issue 15's proof: the same small business built on DuckDB and on Spark publishes the same marts.

The session lake (tests/conftest.py `built_lake`, the DuckDB engine) and a lake of its own built from the same
landing files with EMPATHY_LAKE_ENGINE=spark, as a user runs it (`empathy-lake run`, local Spark): every published
mart is compared, keys and text exactly, numbers to 1e-9 relative. The spark run also validates every mart's Great
Expectations suite on Spark DataFrames (its run fails otherwise)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb

from tests.lake_helpers import BuiltLake, assert_same_marts


def test_duckdb_and_spark_publish_the_same_marts(built_lake: BuiltLake, tmp_path):
    home = tmp_path / "spark_lake"
    shutil.copytree(built_lake.settings.landing_dir, home / "landing")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMPATHY_LAKE_", "DAGSTER_HOME"))}
    env.update(EMPATHY_LAKE_HOME=str(home), EMPATHY_LAKE_ENGINE="spark")
    done = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", "run"], env=env, capture_output=True, text=True, timeout=3000
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    serving = home / "warehouse" / "serving" / "empathy_lake.duckdb"
    compared = assert_same_marts(serving, built_lake.settings.serving_db, check_dtype=False)
    with duckdb.connect(str(serving), read_only=True) as con:
        tables = [
            r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall()
        ]
        rows = sum(con.execute(f'select count(*) from marts."{t}"').fetchone()[0] for t in tables)
    print(f"\n{compared} marts ({rows:,} rows) compared between the DuckDB and the Spark engine: equal")
    assert compared == len(tables) >= 50 and rows > 0
