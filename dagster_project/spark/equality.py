"""Are two relations equal across engines? The same model built on DuckDB and on Spark from the same raw rows must
give the same rows: every column by name, keys (text, whole numbers, dates, booleans, lists) exactly, floating
point numbers to a relative and absolute 1e-9 (the engines may sum in another order). Row order is ignored.

    rows = Rows.from_duckdb(con, "staging.stg_crm__customers")
    other = Rows.from_spark(spark, "staging.stg_crm__customers")
    differences(rows, other)       # [] when equal, else plain sentences saying what differs

`EMPATHY_LAKE_HOME=<a lake a duckdb run built> uv run --extra spark python -m dagster_project.spark.equality
[--import SCHEMA] [dbt arguments]` builds the project on Spark in this process (as dagster_project/spark/dev.py does;
default: the SQL models of staging and intermediate, with the seeds and their tests), then compares every model and
seed it built with the DuckDB build of that lake.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

TOLERANCE = 1e-9
SHOWN = 5  # differing rows quoted per relation


@dataclass(frozen=True)
class Rows:
    """A relation's rows as plain Python values, with its column names (lower case)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    @classmethod
    def from_duckdb(cls, con, relation: str) -> Rows:
        result = con.execute(f"select * from {relation}")
        return cls(tuple(d[0].lower() for d in result.description), tuple(result.fetchall()))

    @classmethod
    def from_spark(cls, spark, relation) -> Rows:
        """`relation`: a table or view name, or a Spark DataFrame."""
        frame = spark.table(relation) if isinstance(relation, str) else relation
        return cls(tuple(c.lower() for c in frame.columns), tuple(tuple(r) for r in frame.collect()))

    @classmethod
    def from_pandas(cls, frame) -> Rows:
        return cls(tuple(str(c).lower() for c in frame.columns), tuple(frame.itertuples(index=False, name=None)))


def _plain(value: Any) -> Any:
    """One comparable value per cell: whole numbers as int, other numbers as float, dates as ISO text, lists as
    tuples, missing values (None, NaN, NaT) as None."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)) and getattr(value, "ndim", 1) == 0:
        value = value.item()  # numpy scalars
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, (float, decimal.Decimal)):
        number = float(value)
        if math.isnan(number):
            return None
        return int(number) if isinstance(value, decimal.Decimal) and number.is_integer() else number
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day).isoformat()
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return None if str(value) == "NaT" else value.to_pydatetime().replace(tzinfo=None).isoformat()
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else value
        return tuple(_plain(v) for v in items)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex()
    return value


def _sort_key(row: Sequence[Any]) -> tuple:
    """Rows ordered by their values; floats only to six significant digits so near-equal floats sort alike."""

    def key(value: Any) -> tuple:
        if value is None:
            return (0,)
        if isinstance(value, float):
            return (1, float(f"{value:.6g}"))
        if isinstance(value, (bool, int)):
            return (1, value)
        return (2, str(value))

    return tuple(key(v) for v in row)


def _same(a: Any, b: Any, tolerance: float) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y, tolerance) for x, y in zip(a, b, strict=True))
    numeric = (int, float)
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, numeric) and isinstance(b, numeric) and not isinstance(a, bool) and not isinstance(b, bool):
            return math.isclose(a, b, rel_tol=tolerance, abs_tol=tolerance)
        return False
    return a == b and type(a) is type(b)


def differences(
    left: Rows, right: Rows, tolerance: float = TOLERANCE, names: tuple[str, str] = ("left", "right")
) -> list[str]:
    """What differs between two relations, as sentences; empty when they are equal."""
    found: list[str] = []
    if set(left.columns) != set(right.columns):
        only_left = sorted(set(left.columns) - set(right.columns))
        only_right = sorted(set(right.columns) - set(left.columns))
        if only_left:
            found.append(f"columns only in {names[0]}: {', '.join(only_left)}")
        if only_right:
            found.append(f"columns only in {names[1]}: {', '.join(only_right)}")
    columns = [c for c in left.columns if c in set(right.columns)]
    if len(left.rows) != len(right.rows):
        found.append(f"{len(left.rows)} rows in {names[0]}, {len(right.rows)} in {names[1]}")

    def aligned(rows: Rows) -> list[tuple]:
        index = [rows.columns.index(c) for c in columns]
        return sorted((tuple(_plain(r[i]) for i in index) for r in rows.rows), key=_sort_key)

    shown = 0
    for a, b in zip(aligned(left), aligned(right), strict=False):
        unequal = [c for c, x, y in zip(columns, a, b, strict=True) if not _same(x, y, tolerance)]
        if unequal:
            shown += 1
            if shown <= SHOWN:
                detail = "; ".join(f"{c}: {a[columns.index(c)]!r} vs {b[columns.index(c)]!r}" for c in unequal)
                found.append(f"row differs in {', '.join(unequal)} ({detail})")
    if shown > SHOWN:
        found.append(f"... {shown - SHOWN} more differing rows")
    return found


def compare_relations(con, spark, relations: Iterable[str], tolerance: float = TOLERANCE) -> dict[str, list[str]]:
    """Each relation (schema.name) read from the DuckDB connection and from the Spark session: what differs."""
    return {
        relation: differences(
            Rows.from_duckdb(con, relation), Rows.from_spark(spark, relation), tolerance, ("DuckDB", "Spark")
        )
        for relation in relations
    }


# The SQL models of staging and intermediate with the seeds and their tests. Left out: the Python models (another
# part of the port) and the impact panels, which read the marts.
LEFT_OUT = [
    "int_employee_survey_cell_suppression", "int_alert_evidence", "int_initiative_estimates",
    "int_impact_panel", "int_impact_cells",
]  # fmt: skip
SQL_LAYERS = [
    "--select", "staging", "intermediate", "resource_type:seed",
    "--exclude", *LEFT_OUT,
    "--exclude-resource-type", "unit_test",
]  # fmt: skip


@dataclass
class SparkBuild:
    """A dbt build on the spark target run in this process, and the Spark session it used."""

    success: bool
    built: list[str]  # schema.name of every model and seed it built
    failed: list[str]  # names of the nodes (models, seeds, tests) that failed or errored
    spark: Any


def build_on_spark(settings, argv: list[str]) -> SparkBuild:
    """Export the lake's raw tables and run dbt on the spark target in this process (dev.py's arguments)."""
    from dbt.cli.main import dbtRunner
    from pyspark.sql import SparkSession

    from dagster_project.spark.dbt_main import install_session_python_models
    from dagster_project.spark.dev import prepare

    command, env = prepare(settings, argv)
    os.environ.update(env)  # the profile reads the lake's paths from the environment, as in dev.py's subprocess
    install_session_python_models()
    result = dbtRunner().invoke(command)
    results = list(result.result or []) if hasattr(result.result, "__iter__") else []
    built = [
        f"{r.node.schema}.{r.node.alias}"
        for r in results
        if r.node.resource_type in ("model", "seed") and str(r.status) == "success"
    ]
    failed = [r.node.name for r in results if str(r.status) in ("error", "fail", "skipped")]
    spark = SparkSession.builder.getOrCreate()  # the session dbt made (in its own thread)
    return SparkBuild(bool(result.success), built, failed, spark)


def main(argv: list[str]) -> int:
    import json

    from dagster_project.settings import get_settings

    settings = get_settings()
    build = build_on_spark(settings, argv or ["build", *SQL_LAYERS])
    with settings.connect(settings.build_db, read_only=True) as con:
        report = compare_relations(con, build.spark, build.built)
    for relation, found in report.items():
        print(f"{relation}: {'EQUAL' if not found else 'DIFFERENT'}")
        for line in found:
            print(f"    {line}")
    summary = {"compared": len(report), "different": sorted(r for r, f in report.items() if f), "failed": build.failed}
    print(json.dumps(summary))
    return 0 if build.success and not any(report.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
