"""Is each mart Spark built equal to DuckDB's? For developing the spark engine (docs/spark.md, "Marts on Spark (s15)"):

    EMPATHY_LAKE_HOME=<lake> uv run --extra spark python -m dagster_project.spark.dev --import staging \
        build --select marts
    EMPATHY_LAKE_HOME=<lake> uv run python -m dagster_project.spark.compare_marts [MART ...]

compares every mart of the build warehouse (DuckDB's, from the lake's last run) with the table of the same name Spark
wrote under <home>/spark/warehouse (read in place by DuckDB), keys exactly and floats to 1e-9
(dagster_project/spark/equality.py), and prints one line per mart: equal, differs (and how), or not built on Spark.
Exit status 1 when any mart differs or is missing."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.settings import DBT_PROJECT_DIR, Settings, get_settings
from dagster_project.spark.equality import differences
from dagster_project.spark.marts_import import built_relations, spark_table_folder


@dataclass(frozen=True)
class MartComparison:
    mart: str
    rows: int | None  # rows compared; None when Spark built no table
    differences: tuple[str, ...]

    @property
    def equal(self) -> bool:
        return self.rows is not None and not self.differences

    def line(self) -> str:
        if self.rows is None:
            return f"{self.mart}: not built on Spark"
        if self.equal:
            return f"{self.mart}: equal ({self.rows} rows)"
        return f"{self.mart}: DIFFERS\n    " + "\n    ".join(self.differences)


# Kinds of column type a reader tells apart: a whole number is one kind whatever its width (DuckDB sums integers
# as HUGEINT, Spark as BIGINT; the published marts cast theirs, D774, and tests/lake_helpers compares their types
# exactly), but a DECIMAL where DuckDB has a DOUBLE, or a TIMESTAMP for a DATE, is a difference.
TYPE_KINDS = {
    "TINYINT": "integer", "SMALLINT": "integer", "INTEGER": "integer", "BIGINT": "integer", "HUGEINT": "integer",
    "FLOAT": "float", "DOUBLE": "float", "VARCHAR": "text",
}  # fmt: skip


def type_kind(duckdb_type: str) -> str:
    base = duckdb_type.split("(")[0]
    return TYPE_KINDS.get(base, base)


def type_differences(duck: list[tuple], spark: list[tuple]) -> list[str]:
    """Columns whose kind of type differs, from DuckDB's DESCRIBE of each side."""
    spark_kinds = {column: type_kind(kind) for column, kind, *_ in spark}
    return [
        f"{column}: duckdb {kind}, spark {dict((c, k) for c, k, *_ in spark)[column]}"
        for column, kind, *_ in duck
        if column in spark_kinds and type_kind(kind) != spark_kinds[column]
    ]


def compare_mart(con: duckdb.DuckDBPyConnection, settings: Settings, schema: str, name: str) -> MartComparison:
    """DuckDB's `schema.name` in `con` against the Parquet table Spark wrote for it: rows, then kinds of type."""
    folder = spark_table_folder(settings, schema, name)
    if not any(folder.glob("*.parquet")):
        return MartComparison(name, None, ())
    duck_sql, spark_sql = f'select * from "{schema}"."{name}"', "select * from read_parquet(?)"
    spark_files = [str(folder / "*.parquet")]
    duck, spark = con.execute(duck_sql).df(), con.execute(spark_sql, spark_files).df()
    found = differences(duck, spark)
    found += type_differences(
        con.execute(f"describe {duck_sql}").fetchall(), con.execute(f"describe {spark_sql}", spark_files).fetchall()
    )
    return MartComparison(name, len(duck), tuple(found))


def compare_marts(
    settings: Settings, names: list[str] | None = None, manifest: Path | None = None
) -> list[MartComparison]:
    """Every mart the project builds (or those named), compared; the spark target's manifest lists them."""
    manifest = manifest or DBT_PROJECT_DIR / "target" / "spark" / "manifest.json"
    relations = [(s, n) for s, n in built_relations(manifest) if not names or n in names]
    with settings.connect(settings.build_db, read_only=True) as con:
        return [compare_mart(con, settings, schema, name) for schema, name in relations]


def main(argv: list[str]) -> int:
    results = compare_marts(get_settings(), argv or None)
    for result in results:
        print(result.line())
    equal = sum(r.equal for r in results)
    print(f"{equal} of {len(results)} marts equal")
    return 0 if equal == len(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
