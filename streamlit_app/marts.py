"""The KPI marts as DataFrames, and the dashboard's filters over them.

The marts are monthly aggregates (month x segment x region x location), small enough to read whole on each
page run; filtering and re-aggregation happen in pandas over the stored counts (streamlit_app/kpis.py).
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from streamlit_app import warehouse
from streamlit_app.access import Scope

UNKNOWN = "(unknown)"
_DIMENSIONS = f"""month, coalesce(segment, '{UNKNOWN}') AS segment, coalesce(region, '{UNKNOWN}') AS region,
    coalesce(location, '{UNKNOWN}') AS location"""


MARTS = {"NPS": ("marts", "customer_nps_monthly"), "CSAT": ("marts", "customer_csat_monthly")}
_COUNTS = {
    "NPS": ["responses", "promoters", "passives", "detractors"],
    "CSAT": ["responses", "satisfied_responses", "score_sum"],
}


def missing_marts() -> list[str]:
    """KPI marts this publication does not hold (their numbers are left out, with a warning)."""
    return [name for name, (schema, table) in MARTS.items() if not warehouse.table_exists(schema, table)]


def _load(name: str, scope: Scope) -> pd.DataFrame:
    """The mart's rows `scope` may read, `month` as a Timestamp; no rows (same columns) when the mart is
    missing."""
    schema, table = MARTS[name]
    if not warehouse.table_exists(schema, table):
        columns = {"month": "datetime64[us]", "segment": "str", "region": "str", "location": "str"}
        columns.update({c: "float64" for c in _COUNTS[name]})
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    df = warehouse.query_table(f"{_DIMENSIONS}, {', '.join(_COUNTS[name])}", f"{schema}.{table}", scope)
    df["month"] = pd.to_datetime(df["month"])
    return df


def load_nps(scope: Scope) -> pd.DataFrame:
    return _load("NPS", scope)


def load_csat(scope: Scope) -> pd.DataFrame:
    return _load("CSAT", scope)


def filter_rows(
    df: pd.DataFrame,
    months: tuple[pd.Timestamp, pd.Timestamp] | None = None,
    segments: Collection[str] = (),
    locations: Collection[str] = (),
) -> pd.DataFrame:
    """Rows inside the month range (inclusive) and the chosen segments/locations; empty choice = all."""
    keep = pd.Series(True, index=df.index)
    if months is not None:
        keep &= df["month"].between(months[0], months[1])
    if segments:
        keep &= df["segment"].isin(list(segments))
    if locations:
        keep &= df["location"].isin(list(locations))
    return df[keep]
