"""Are two results of one model equal across engines? Keys (every column that is not a float) exactly, floats to
1e-9 (relative, or absolute near zero: the engines may add doubles in another order), NULL equal to NULL, lists
compared element by element (docs/spark.md, "Python models on Spark (s15)").

    differences(duckdb_rows, spark_rows)  # [] when equal, else what differs, in words

Takes pandas frames, DuckDB relations or Spark DataFrames (converted by dagster_project.engine_frames.to_pandas, the
same conversion on both sides). Rows are matched after sorting both sides by the keys, then by the floats rounded to
nine significant digits, so neither engine's row order matters."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from dagster_project.engine_frames import to_pandas

TOLERANCE = 1e-9
SHOWN = 10  # differences listed at most


def _frame(data) -> pd.DataFrame:
    return data if isinstance(data, pd.DataFrame) else to_pandas(data)


def _is_float(series: pd.Series) -> bool:
    return pd.api.types.is_float_dtype(series.dtype)


def _plain(value):
    """A cell as a comparable Python value: None for any null, a tuple for a list or array."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(_plain(v) for v in value)
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NA:
        return None
    return value


def _sort_key(value) -> tuple:
    """Orders any mix of nulls, numbers, strings and tuples (nulls first)."""
    if value is None:
        return (0, "")
    if isinstance(value, float):
        return (1, float(f"{value:.9g}"))
    if isinstance(value, (bool, int)):
        return (1, value)
    return (2, str(value))


def _rows(frame: pd.DataFrame, keys: list[str], floats: list[str]) -> list[dict]:
    rows = [{c: _plain(v) for c, v in zip(frame.columns, values, strict=True)} for values in frame.itertuples(False)]
    return sorted(rows, key=lambda r: [_sort_key(r[c]) for c in keys + floats])


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def differences(left, right, left_name: str = "duckdb", right_name: str = "spark") -> list[str]:
    """What differs between two results of one model, in words; [] when they are equal."""
    left, right = _frame(left), _frame(right)
    if sorted(left.columns) != sorted(right.columns):
        only_left = sorted(set(left.columns) - set(right.columns))
        only_right = sorted(set(right.columns) - set(left.columns))
        return [f"different columns: only in {left_name} {only_left}, only in {right_name} {only_right}"]
    if len(left) != len(right):
        return [f"{len(left)} rows in {left_name}, {len(right)} in {right_name}"]
    columns = list(left.columns)
    floats = [c for c in columns if _is_float(left[c]) or _is_float(right[c])]
    keys = [c for c in columns if c not in floats]
    found = []
    for i, (a, b) in enumerate(zip(_rows(left, keys, floats), _rows(right[columns], keys, floats), strict=True)):
        for column in columns:
            same = _close(a[column], b[column]) if column in floats else a[column] == b[column]
            if not same:
                found.append(f"row {i} ({', '.join(str(a[k]) for k in keys[:3])}), {column}: "
                             f"{left_name} {a[column]!r}, {right_name} {b[column]!r}")  # fmt: skip
                if len(found) >= SHOWN:
                    return found
    return found
