"""Where things live. Every path can be moved with an environment variable, so tests, CI and a user's
deployment run the same code against different folders.

EMPATHY_LAKE_HOME       root of the working folders (default: ./lake in the current directory)
EMPATHY_LAKE_LANDING    landing folder for raw extracts      (default: $HOME/landing)
EMPATHY_LAKE_BUILD_DB   DuckDB file the pipeline writes      (default: $HOME/warehouse/build.duckdb)
EMPATHY_LAKE_SERVING_DB read-only copy readers open          (default: $HOME/warehouse/serving/empathy_lake.duckdb)
EMPATHY_LAKE_PII_KEY    secret for pseudonymising PII        (default: a fixed demo key, with a warning)
EMPATHY_LAKE_AUTH_CONFIG dashboard users and roles          (default: $HOME/auth/users.yaml; the CLI writes it)
EMPATHY_LAKE_DIGEST_CRON     when the weekly digest schedule fires (default "0 7 * * 1": Mondays at 07:00)
EMPATHY_LAKE_DIGEST_RUNNING  "1" starts the weekly digest schedule running when the code location loads
EMPATHY_LAKE_DBT_MEMORY_LIMIT memory DuckDB may use in the dbt build (default: 3GB, or 80 % of a smaller machine's
                        memory; beyond it DuckDB spills to
                        build.duckdb.tmp beside the build warehouse; any DuckDB memory_limit value, e.g. 6GB)
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
SHIPPED_MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"

# dbt-core installs its CLI beside this interpreter; use it even when the venv is not on PATH.
_VENV_DBT = Path(sys.executable).with_name("dbt")
DBT_EXECUTABLE = str(_VENV_DBT) if _VENV_DBT.exists() else "dbt"

DEMO_PII_KEY = "empathy-lake-demo-key-change-me"
# DuckDB's own default is 80 % of the machine's memory; 10M tickets then peaked at 6.8 GB (docs/performance.md).
DEFAULT_DBT_MEMORY_LIMIT = "3GB"


def default_dbt_memory_limit() -> str:
    """3GB, or DuckDB's own 80 % of the machine's memory where that is less (a fixed 3GB on a 2-4 GB machine
    would raise DuckDB's limit above what is there, and the dbt process could be killed instead of spilling)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return DEFAULT_DBT_MEMORY_LIMIT
    megabytes = int(total * 0.8 / 2**20)
    return DEFAULT_DBT_MEMORY_LIMIT if megabytes >= 3 * 1024 else f"{megabytes}MB"


@dataclass(frozen=True)
class Settings:
    home: Path
    landing_dir: Path
    build_db: Path
    serving_db: Path
    pii_key: str
    auth_config: Path  # dashboard users, hashed passwords and roles (dagster_project/users.py writes it)
    dbt_memory_limit: str = DEFAULT_DBT_MEMORY_LIMIT  # DuckDB memory_limit inside the dbt build (profiles.yml)

    @property
    def mappings_dir(self) -> Path:
        """User mappings live beside the data they describe."""
        return self.landing_dir / "_mappings"

    @property
    def digests_dir(self) -> Path:
        """Weekly digests as rendered (`empathy-lake digest`), one folder per day."""
        return self.home / "digests"

    @property
    def incoming_dir(self) -> Path:
        """Held-back daily drops of the sample business (`generate --hold-back-days`), delivered by `deliver`."""
        return self.home / "incoming"


@functools.cache
def _warn_demo_key_once() -> None:
    """One plain line per process: a demo run is not an error, but real data needs a secret key."""
    print(
        "note: EMPATHY_LAKE_PII_KEY is not set, so personal data is pseudonymised with the public demo key. "
        "Set a secret key before loading real people's data.",
        file=sys.stderr,
    )


def env_flag(name: str) -> bool:
    """An on/off switch from the environment: 1, true, yes or on (any case) turn it on."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def get_settings() -> Settings:
    """Read the environment each call: tests point one process at several temporary lakes."""
    home = Path(os.environ.get("EMPATHY_LAKE_HOME", "lake")).resolve()
    landing = Path(os.environ.get("EMPATHY_LAKE_LANDING", home / "landing")).resolve()
    build = Path(os.environ.get("EMPATHY_LAKE_BUILD_DB", home / "warehouse" / "build.duckdb")).resolve()
    serving_default = home / "warehouse" / "serving" / "empathy_lake.duckdb"
    serving = Path(os.environ.get("EMPATHY_LAKE_SERVING_DB", serving_default)).resolve()
    key = os.environ.get("EMPATHY_LAKE_PII_KEY")
    if not key:
        _warn_demo_key_once()
        key = DEMO_PII_KEY
    auth = Path(os.environ.get("EMPATHY_LAKE_AUTH_CONFIG", home / "auth" / "users.yaml")).resolve()
    memory = os.environ.get("EMPATHY_LAKE_DBT_MEMORY_LIMIT", "").strip() or default_dbt_memory_limit()
    return Settings(
        home=home,
        landing_dir=landing,
        build_db=build,
        serving_db=serving,
        pii_key=key,
        auth_config=auth,
        dbt_memory_limit=memory,
    )


def export_env(settings: Settings) -> dict[str, str]:
    """The environment a child process (dbt, streamlit) needs to see the same lake."""
    return {
        "EMPATHY_LAKE_HOME": str(settings.home),
        "EMPATHY_LAKE_LANDING": str(settings.landing_dir),
        "EMPATHY_LAKE_BUILD_DB": str(settings.build_db),
        "EMPATHY_LAKE_SERVING_DB": str(settings.serving_db),
        "EMPATHY_LAKE_PII_KEY": settings.pii_key,
        "EMPATHY_LAKE_AUTH_CONFIG": str(settings.auth_config),
        "EMPATHY_LAKE_DBT_MEMORY_LIMIT": settings.dbt_memory_limit,
    }


def freshness_hours_setting(entity: str | None) -> float | None:
    """EMPATHY_LAKE_FRESHNESS_HOURS_<ENTITY> (entity given) or EMPATHY_LAKE_FRESHNESS_HOURS (None), if set."""
    name = "EMPATHY_LAKE_FRESHNESS_HOURS" + (f"_{entity.upper()}" if entity else "")
    value = os.environ.get(name, "").strip()
    return float(value) if value else None


# Settings that change where the lake lives, how it is served or scheduled, or how the tests run, but not what a
# run computes: a lake copied elsewhere with its files publishes the same marts. Any other EMPATHY_LAKE_* variable,
# a future one included, counts as changing results (the cautious side: a run).
_NOT_RESULT_SETTINGS = {
    "EMPATHY_LAKE_HOME",
    "EMPATHY_LAKE_LANDING",
    "EMPATHY_LAKE_BUILD_DB",
    "EMPATHY_LAKE_SERVING_DB",
    "EMPATHY_LAKE_AUTH_CONFIG",
    "EMPATHY_LAKE_PII_KEY",  # changes results, but is a secret: compared by its hash (run_inputs.py), never stored
    "EMPATHY_LAKE_CURRENCY",  # the dashboard's
    "EMPATHY_LAKE_SCHEDULE_CRON",
    "EMPATHY_LAKE_SCHEDULE_RUNNING",
    "EMPATHY_LAKE_DIGEST_CRON",
    "EMPATHY_LAKE_DIGEST_RUNNING",
    "EMPATHY_LAKE_SENSOR_RUNNING",
    "EMPATHY_LAKE_SENSOR_INTERVAL_SECONDS",
    "EMPATHY_LAKE_TIMEZONE",
    "EMPATHY_LAKE_REQUIRE_BROWSER",  # the test suite's
    "EMPATHY_LAKE_SCREENSHOT_DIR",  # the test suite's
}


def result_settings() -> dict[str, str]:
    """The EMPATHY_LAKE_* settings that can change what a run computes or sends (alerts, freshness, and any
    variable not known to be harmless). A change to any of them makes `empathy-lake run` run again."""
    return {
        k: v for k, v in sorted(os.environ.items()) if k.startswith("EMPATHY_LAKE_") and k not in _NOT_RESULT_SETTINGS
    }


DEFAULT_DIGEST_CRON = "0 7 * * 1"


def digest_schedule_setting() -> tuple[str, bool]:
    """The weekly digest schedule's cron (EMPATHY_LAKE_DIGEST_CRON) and whether it starts running
    (EMPATHY_LAKE_DIGEST_RUNNING; off by default, like every schedule here)."""
    cron = os.environ.get("EMPATHY_LAKE_DIGEST_CRON", "").strip() or DEFAULT_DIGEST_CRON
    return cron, env_flag("EMPATHY_LAKE_DIGEST_RUNNING")
