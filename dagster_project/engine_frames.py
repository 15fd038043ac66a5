"""What a dbt Python model reads and returns, the same on both engines (docs/spark.md, "Python models on Spark (s15)").

On dbt-duckdb `dbt.ref()` is a DuckDB relation and the model's `session` a DuckDB connection; on the spark engine
(dagster_project/spark/dbt_main.py) `dbt.ref()` is a Spark DataFrame and `session` the Spark session. A model
states what it reads once, as SQL both engines accept, with `{name}` for each relation it reads:

    answers = frame(session, "select wave, team from {a} where not suppressed", a=dbt.ref("int_x"))
    rules = read(session, dbt.ref("alert_rules"))  # every column

and gets pandas either way, converted by DuckDB in both cases (Spark's rows reach DuckDB as Arrow), so a column
has the same pandas type on both engines and the estimation code sees the same values. `table` hands a model's
pandas result back to its engine with the types DuckDB would give it.
"""

from __future__ import annotations

import re

import duckdb
import pandas as pd

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def is_spark(session) -> bool:
    """Whether `session` is a Spark session (the spark engine) rather than a DuckDB connection."""
    return type(session).__module__.startswith("pyspark")


def relation(session, sql: str, **relations):
    """`sql` run on the model's engine, each `{name}` standing for the relation (or DataFrame) passed as name: a
    DuckDB relation on DuckDB, a Spark DataFrame on Spark (lazy on both)."""
    missing = set(PLACEHOLDER.findall(sql)) - set(relations)
    if missing:
        raise ValueError(f"no relation given for {sorted(missing)} in: {sql}")
    if is_spark(session):
        return session.sql(sql, **relations)
    return session.sql(PLACEHOLDER.sub(lambda m: f"({relations[m.group(1)].sql_query()})", sql))


def to_pandas(data) -> pd.DataFrame:
    """A DuckDB relation or a Spark DataFrame as pandas, with DuckDB's conversion either way."""
    if isinstance(data, duckdb.DuckDBPyRelation):
        return data.df()
    return duckdb.from_arrow(data.toArrow()).df()


def frame(session, sql: str, **relations) -> pd.DataFrame:
    """`relation(...)` as pandas."""
    return to_pandas(relation(session, sql, **relations))


def read(session, relation, columns: str = "*") -> pd.DataFrame:
    """Some columns (or SQL expressions) of one relation, every row, as pandas."""
    return frame(session, f"select {columns} from {{relation}}", relation=relation)


def table(session, result: pd.DataFrame):
    """A model's pandas result as its engine stores it: unchanged on DuckDB (dbt-duckdb writes the frame); on Spark
    a Spark DataFrame with the column types DuckDB gives the same frame (through Arrow), not pandas-on-Spark's."""
    if not is_spark(session):
        return result
    return session.createDataFrame(duckdb.from_df(result).to_arrow_table())
