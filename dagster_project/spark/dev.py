"""Build the dbt project on Spark against an existing lake, outside the pipeline (for developing the spark engine):

    EMPATHY_LAKE_HOME=<a lake a duckdb run built> uv run --extra spark python -m dagster_project.spark.dev \\
        [--import staging] [dbt arguments]

Exports the lake's raw tables to Parquet (raw_export.py), then runs dbt on the spark target with the given
arguments (default: `build` of every node but unit tests). `--import SCHEMA` (repeatable) also hands every relation
the DuckDB build made in SCHEMA to Spark as a table of the same name, so a layer can be built on Spark over the
layers below it before those are ported: e.g. `--import staging build --select marts.customer`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from dagster_project.settings import DBT_PROCESS_ENV, DBT_PROJECT_DIR, check_spark_home, export_env, get_settings
from dagster_project.spark.raw_export import (
    drop_catalog_made_elsewhere,
    export_raw_tables,
    export_tables,
    source_tables,
)

RELATIONS = """
    select table_name from duckdb_tables() where schema_name = ?
    union all
    select view_name from duckdb_views() where schema_name = ? and not internal
"""


def prepare(settings, argv: list[str]) -> tuple[list[str], dict[str, str]]:
    """Export the raw tables (and `--import` schemas); the dbt arguments and environment for the spark target."""
    imports: list[str] = []
    while len(argv) >= 2 and argv[0] == "--import":
        imports.append(argv[1])
        argv = argv[2:]
    imported: list[tuple[str, str]] = []
    check_spark_home(settings.home)  # the spark target is forced below, whatever EMPATHY_LAKE_ENGINE says
    if dropped := drop_catalog_made_elsewhere(settings):
        print(dropped)
    with settings.connect(settings.build_db, read_only=True) as con:
        for table in export_raw_tables(con, settings, source_tables()):
            print(f"exported {table.schema}.{table.table}: {table.rows} rows")
        for schema in imports:
            names = [r[0] for r in con.execute(RELATIONS, [schema, schema]).fetchall()]
            for table in export_tables(con, settings.spark_dir / "import", [(schema, n) for n in sorted(names)]):
                imported.append((table.schema, table.table))
            print(f"imported {len(names)} relations of {schema}")
    env = {**os.environ, **export_env(settings), **DBT_PROCESS_ENV, "EMPATHY_LAKE_ENGINE": "spark"}
    args = argv or ["build", "--exclude-resource-type", "unit_test"]
    args += ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--target", "spark"]
    args += ["--target-path", "target/spark"]  # beside, not over, the duckdb manifest the pipeline reads
    if imported:
        args += ["--vars", json.dumps({"spark_imports": imported})]
    return args, env


def main(argv: list[str]) -> int:
    args, env = prepare(get_settings(), argv)
    command = [sys.executable, "-m", "dagster_project.spark.dbt_main", *args]
    return subprocess.run(command, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
