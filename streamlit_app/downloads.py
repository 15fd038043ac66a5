"""CSV downloads that a spreadsheet cannot run as formulas (OWASP "CSV injection").

A cell that starts with = + - @, a tab or a carriage return is read by Excel, LibreOffice or Google Sheets as a
formula (or the start of one). Free text in the marts (survey comments, public reviews, file names) comes from
outside, so every text cell and header that starts with one of those characters gets a leading apostrophe,
which spreadsheets show as text and do not evaluate. Numbers stay numbers (a negative NPS is not text).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from typing import Any

import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell and column name escaped (escape_cell)."""
    escaped = frame.rename(columns=lambda c: escape_cell(str(c)))
    for column in escaped.columns:
        if pd.api.types.is_object_dtype(escaped[column]) or pd.api.types.is_string_dtype(escaped[column]):
            escaped[column] = escaped[column].map(escape_cell)
    return escaped


def csv_bytes(frame: pd.DataFrame, labels: Mapping[str, str] | None = None) -> bytes:
    """UTF-8 CSV of `frame` with its columns renamed to `labels` (where given), formulas escaped. Every text
    cell is quoted (pandas leaves a lone carriage return unquoted, which would split the row)."""
    escaped = escape_formulas(frame.rename(columns=dict(labels or {})))
    return escaped.to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8")
