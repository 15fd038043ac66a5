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


def _column(series: pd.Series) -> tuple[list, list]:
    """A column's cells as plain values, and their sort keys (as `_sort_key`); numpy's floats and integers,
    the bulk of a mart, without a Python call per cell."""
    values = series.tolist()
    if series.dtype == np.float64:
        plain = [None if v != v else v for v in values]  # NaN is the only value not equal to itself
        return plain, [(0, "") if v is None else (1, float(f"{v:.9g}")) for v in plain]
    if series.dtype.kind in "iub" and isinstance(series.dtype, np.dtype):  # no NULL in numpy's integers
        return values, [(1, v) for v in values]
    if all(type(v) is str or v is None for v in values):  # text with NULLs
        return values, [(0, "") if v is None else (2, v) for v in values]
    plain = [_plain(v) for v in values]
    return plain, [_sort_key(v) for v in plain]


def _rows(frame: pd.DataFrame, columns: list[str], order: list[int]) -> list[tuple]:
    """The rows as tuples of plain values, sorted by the columns at positions `order` (the keys, then the floats);
    built column by column, so that the per-row work is tuples zipped in C."""
    cells, keys = zip(*(_column(frame[c]) for c in columns), strict=True) if columns else ((), ())
    rows = list(zip(*cells, strict=True)) if cells else [()] * len(frame)
    sort_keys = list(zip(*(keys[i] for i in order), strict=True)) if order else rows
    return [rows[i] for i in sorted(range(len(rows)), key=sort_keys.__getitem__)]


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
    order = [columns.index(c) for c in keys + floats]
    is_float = [c in floats for c in columns]
    found = []
    for i, (a, b) in enumerate(zip(_rows(left, columns, order), _rows(right, columns, order), strict=True)):
        if a == b:  # the common case, at C speed (NULLs are None on both sides; a NaN never gets here)
            continue
        for j, column in enumerate(columns):
            same = _close(a[j], b[j]) if is_float[j] else a[j] == b[j]
            if not same:
                shown = ", ".join(str(a[columns.index(k)]) for k in keys[:3])
                found.append(f"row {i} ({shown}), {column}: {left_name} {a[j]!r}, {right_name} {b[j]!r}")
                if len(found) >= SHOWN:
                    return found
    return found
