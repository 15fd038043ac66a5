"""The dashboard's own settings reader: the only place streamlit_app reads environment variables.

Same defaults as dagster_project/settings.py, duplicated on purpose: the dashboard deploys on its own and must
not import the pipeline package. tests/test_dashboard_warehouse.py and tests/test_dashboard_roles.py keep the
two in step.

EMPATHY_LAKE_SERVING_DB  the published serving copy (default: $EMPATHY_LAKE_HOME/warehouse/serving/empathy_lake.duckdb)
EMPATHY_LAKE_AUTH_CONFIG users, hashed passwords and roles (default: $EMPATHY_LAKE_HOME/auth/users.yaml)
EMPATHY_LAKE_HOME        root of the lake (default: ./lake)
EMPATHY_LAKE_CURRENCY    currency symbol for money on the dashboard (default: £; dashboard only, the pipeline
                         stores plain numbers)
EMPATHY_LAKE_MIN_ANSWERS a ratio resting on fewer answers (tickets, people…) than this is shown greyed and
                         labelled "few answers" (default: 30; dashboard only)
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_HOME = "lake"
SERVING_RELATIVE_PATH = Path("warehouse") / "serving" / "empathy_lake.duckdb"
AUTH_RELATIVE_PATH = Path("auth") / "users.yaml"
DEFAULT_CURRENCY = "£"
DEFAULT_MIN_ANSWERS = 30


def _home() -> Path:
    return Path(os.environ.get("EMPATHY_LAKE_HOME", DEFAULT_HOME))


def serving_db_path() -> Path:
    """EMPATHY_LAKE_SERVING_DB, else $EMPATHY_LAKE_HOME/warehouse/serving/empathy_lake.duckdb (home: ./lake).
    Read on every call so one process (tests) can point at several files."""
    explicit = os.environ.get("EMPATHY_LAKE_SERVING_DB")
    return Path(explicit).resolve() if explicit else (_home() / SERVING_RELATIVE_PATH).resolve()


def auth_config_path() -> Path:
    """EMPATHY_LAKE_AUTH_CONFIG, else $EMPATHY_LAKE_HOME/auth/users.yaml (home: ./lake). Read on every call."""
    explicit = os.environ.get("EMPATHY_LAKE_AUTH_CONFIG")
    return Path(explicit).resolve() if explicit else (_home() / AUTH_RELATIVE_PATH).resolve()


def currency_symbol() -> str:
    """EMPATHY_LAKE_CURRENCY, else £ (the demo business is in the UK). Read on every call."""
    return os.environ.get("EMPATHY_LAKE_CURRENCY") or DEFAULT_CURRENCY


def min_answers() -> int:
    """EMPATHY_LAKE_MIN_ANSWERS, else 30: below it a ratio is a small sample (at 30 answers one answer moves NPS by
    3 points and its standard error is near 15 points). Read on every call."""
    raw = os.environ.get("EMPATHY_LAKE_MIN_ANSWERS")
    if not raw:
        return DEFAULT_MIN_ANSWERS
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"EMPATHY_LAKE_MIN_ANSWERS must be a whole number of answers, got {raw!r}") from exc
    if value < 1:
        raise ValueError(f"EMPATHY_LAKE_MIN_ANSWERS must be at least 1, got {value}")
    return value
