"""Where things live and how a lake behaves: every setting is an environment variable, so tests, CI and a user's
deployment run the same code against different folders. The list below is the one documentation of them:
`empathy-lake --help` and each subcommand's help print it (documented_variables()). One entry per variable,
the name at the start of a line, its description indented on the lines that follow.

EMPATHY_LAKE_HOME       root of the working folders, <home> below (default: ./lake in the current directory)
EMPATHY_LAKE_LANDING    landing folder for raw extracts      (default: <home>/landing)
EMPATHY_LAKE_BUILD_DB   DuckDB file the pipeline writes      (default: <home>/warehouse/build.duckdb)
EMPATHY_LAKE_SERVING_DB read-only copy readers open          (default: <home>/warehouse/serving/empathy_lake.duckdb)
EMPATHY_LAKE_PII_KEY    secret for pseudonymising PII        (default: a fixed demo key, with a notice when data
                        is loaded)
EMPATHY_LAKE_AUTH_CONFIG dashboard users and roles          (default: <home>/auth/users.yaml; the CLI writes it)
EMPATHY_LAKE_DIGEST_CRON     when the weekly digest schedule fires (default "0 7 * * 1": Mondays at 07:00)
EMPATHY_LAKE_DIGEST_RUNNING  "1" starts the weekly digest schedule running when the code location loads
EMPATHY_LAKE_CLV_CRON        when the weekly predictive CLTV job fires (default "0 5 * * 0": Sundays at 05:00)
EMPATHY_LAKE_CLV_RUNNING     "1" starts the weekly predictive CLTV schedule running when the code location loads
EMPATHY_LAKE_DIGEST_RECIPIENTS who receives each owner's weekly digest: a CSV file with the columns owner,url (one
                        apprise URL a row) (default: <home>/auth/digest_recipients.csv; it holds addresses and
                        secrets, so keep it out of the repository)
EMPATHY_LAKE_MEMORY_LIMIT memory DuckDB may use in each connection of a run: the loaders, text scoring, the
                        checks, the dbt build and publishing (default: 1500MB, or 40 % of a smaller machine's
                        memory); beyond it DuckDB spills to build.duckdb.tmp beside the build warehouse. Any DuckDB
                        memory_limit value, e.g. 6GB; the run's Python processes use memory beside it
                        (docs/performance.md "10M tickets (s14)"). EMPATHY_LAKE_DBT_MEMORY_LIMIT, its former name, is
                        still read
EMPATHY_LAKE_FRESHNESS_HOURS hours after which a source's newest file is stale (default 36; a warning only,
                        dagster_project/freshness.py)
EMPATHY_LAKE_FRESHNESS_HOURS_<ENTITY> the same for one entity, e.g. EMPATHY_LAKE_FRESHNESS_HOURS_TICKETS
EMPATHY_LAKE_ALERT_URLS comma-separated apprise URLs alerts are sent to (dagster_project/alerts/notify.py)
EMPATHY_LAKE_ALERT_SEND "1" to really send alert notifications; anything else is a dry run (the default)
EMPATHY_LAKE_SCHEDULE_CRON cron expression of the daily run (default "0 6 * * *", dagster_project/schedules.py)
EMPATHY_LAKE_TIMEZONE   IANA time zone the cron is read in (default UTC)
EMPATHY_LAKE_SCHEDULE_RUNNING "1": the schedule starts running when the code location loads (default: stopped)
EMPATHY_LAKE_SENSOR_RUNNING "1": the landing-folder sensor starts running when the code location loads
EMPATHY_LAKE_SENSOR_INTERVAL_SECONDS seconds between the sensor's looks at the landing folder (default 60)
EMPATHY_LAKE_CURRENCY   currency symbol for money on the dashboard (default £; streamlit_app/settings.py)
EMPATHY_LAKE_MIN_ANSWERS a ratio resting on fewer answers (tickets, people) than this is greyed and labelled "few
                        answers" on the dashboard and in digests (default 30; streamlit_app/settings.py)
EMPATHY_LAKE_DATE_RANGE the plausible dates a landing date or timestamp must fall in, FIRST..LAST, each a date
                        (YYYY-MM-DD) or today+N / today-N days (default 1900-01-01..today+1); a value outside it
                        is quarantined (docs/landing_contract.md)
EMPATHY_LAKE_TEXT_LANGUAGES the languages the business's customers write in, comma-separated ISO 639-1 codes,
                        its default first (e.g. "en" or "fr,en"): a prior for detecting a text's language, and the
                        language of a text too short to tell (default: none; such a text stays unscored,
                        docs/text_analytics.md)

EMPATHY_LAKE_AS_OF_DATE  the date "today" is for every KPI, YYYY-MM-DD (default: each domain's latest event)
EMPATHY_LAKE_AS_OF_DATE_<DOMAIN> the same for one domain: CUSTOMERS, SUPPORT, SURVEYS, BRAND or EMPLOYEES, e.g.
                        EMPATHY_LAKE_AS_OF_DATE_CUSTOMERS=2011-12-09 (dbt var as_of_date_customers)
EMPATHY_LAKE_ENGINE     the engine dbt builds the models on: duckdb (the default: embedded, one machine) or spark
                        (Apache Spark, for data one machine cannot hold; needs the optional `spark` extra and Java
                        17, docs/spark.md)
EMPATHY_LAKE_SPARK_MASTER where Spark runs when the engine is spark (default local[*]: inside the run, on every core
                        of this machine; a cluster's master URL, e.g. spark://host:7077, docs/spark.md)
EMPATHY_LAKE_SPARK_THREADS how many models and tests dbt runs at once on Spark (default 1; Spark spreads each
                        one's work over the cores as well, docs/spark.md)
EMPATHY_LAKE_SPARK_MEMORY the Spark driver's memory, a Java size such as 4g or 6144m (default 4g, or half the
                        machine's memory where that is less; in local mode every task runs in the driver)
DAGSTER_HOME            the Dagster instance runs are recorded in (default: <home>/dagster)
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
SHIPPED_MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"

# dbt-core installs its CLI beside this interpreter; use it even when the venv is not on PATH.
_VENV_DBT = Path(sys.executable).with_name("dbt")
DBT_EXECUTABLE = str(_VENV_DBT) if _VENV_DBT.exists() else "dbt"
# ... and on the spark engine, dbt with Python models run in its Spark session (dagster_project/spark/dbt_main.py).
_VENV_SPARK_DBT = Path(sys.executable).with_name("empathy-lake-dbt")
SPARK_DBT_EXECUTABLE = str(_VENV_SPARK_DBT) if _VENV_SPARK_DBT.exists() else "empathy-lake-dbt"

# The dbt process's NumPy and SciPy (OpenBLAS) run one thread. The Python models multiply small matrices many
# times (a regression per bootstrap draw, an SVD per survey problem), and for each product OpenBLAS wakes and
# spins its other threads: key_drivers' employee drivers at scale 50 took 15.5 s of CPU with two threads and 4.1 s
# with one (docs/decisions.md D123). DuckDB's own threads are not affected.
# Colours off: dbt's lines end up in the run's log file (dagster_project/run_output.py) and in dbt.log beside its
# artefacts, and escape codes in a file are noise (dbt's flags USE_COLORS, USE_COLORS_FILE).
DBT_PROCESS_ENV = {"OPENBLAS_NUM_THREADS": "1", "DBT_USE_COLORS": "false", "DBT_USE_COLORS_FILE": "false"}

DEMO_PII_KEY = "empathy-lake-demo-key-change-me"
# DuckDB's own default is 80 % of the machine's memory; 10M tickets then peaked at 6.8 GB (docs/performance.md).
# The cap is per DuckDB database (each connection of the run, dbt's included); the run's peak is the cap plus
# what Python holds beside it in the pipeline process and the dbt process (docs/decisions.md D551).
DEFAULT_MEMORY_LIMIT = "1500MB"
DEFAULT_MEMORY_LIMIT_MB = 1500
SMALL_MACHINE_SHARE = 0.4  # of a machine's memory, where that is less than the default
MEMORY_LIMIT_VARIABLES = ("EMPATHY_LAKE_MEMORY_LIMIT", "EMPATHY_LAKE_DBT_MEMORY_LIMIT")  # the name, its former name
ENGINES = ("duckdb", "spark")  # EMPATHY_LAKE_ENGINE: dbt's target of the same name in dbt_project/profiles.yml
DEFAULT_SPARK_MASTER = "local[*]"
DEFAULT_SPARK_THREADS = 1  # dbt's threads on Spark: 2 and 4 gained nothing on 2 local cores (D765); raise on a cluster
# Spark's own default driver heap, 1g, ran out at 10M tickets in local mode (D772).
DEFAULT_SPARK_MEMORY_MB = 4096
SPARK_MEMORY_SHARE = 0.5  # of a machine's memory, where that is less than the default


def java_found() -> bool:
    """Whether a Java runtime is there for Spark: JAVA_HOME set, or `java` on PATH."""
    import shutil

    return bool(os.environ.get("JAVA_HOME") or shutil.which("java"))


def check_engine(value: str) -> None:
    """Refuse an engine the project has no dbt target for, in words, before any step starts."""
    if value not in ENGINES:
        raise ValueError(f"EMPATHY_LAKE_ENGINE must be one of {', '.join(ENGINES)}, not {value!r}")


# A lake path with any of these stops the spark engine: the raw export, the source registration and the GX tables
# put the path into SQL (a quote ends the string, a backslash escapes), and Spark's and DuckDB's Parquet readers take
# the others for a file pattern (docs/spark.md, D773). DuckDB alone reads no path by pattern: the duckdb engine takes
# any folder.
SPARK_PATH_UNSAFE = "'\\[]*?{}"


def check_spark_home(home: Path) -> None:
    """Refuse, in words and before any step, a lake folder the spark engine's readers would misread."""
    if found := [c for c in SPARK_PATH_UNSAFE if c in str(home)]:
        raise ValueError(
            f"the spark engine cannot use the lake folder {home}: its path contains {' '.join(found)}, which Spark "
            f"reads as a quote or a file pattern. Move the lake to a folder whose path has none of "
            f"{' '.join(SPARK_PATH_UNSAFE)}, or use EMPATHY_LAKE_ENGINE=duckdb"
        )


def check_memory_limit(value: str) -> None:
    """Refuse a memory limit DuckDB would not accept, in words, before any step opens a connection."""
    try:
        duckdb.connect(":memory:", config={"memory_limit": value}).close()
    except (duckdb.Error, ValueError):
        raise ValueError(
            f"{MEMORY_LIMIT_VARIABLES[0]} must be an amount of memory with its unit, e.g. 1500MB or 6GB, not {value!r}"
        ) from None


def memory_shortfall(action: str) -> str:
    """What a load that ran out of memory says: the limit it ran into and how to raise it (README)."""
    limit = get_settings().memory_limit
    return (
        f"{action} needs more memory than the run may use (the memory limit is {limit}; raise the memory limit setting)"
    )


def machine_memory() -> int | None:
    """This machine's memory in bytes, where the system says (None elsewhere)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def default_memory_limit() -> str:
    """1500MB, or 40 % of the machine's memory where that is less (a fixed cap on a 2-3 GB machine would leave
    no room for the two Python processes beside DuckDB, and the run could be killed instead of spilling)."""
    if (total := machine_memory()) is None:
        return DEFAULT_MEMORY_LIMIT
    megabytes = int(total * SMALL_MACHINE_SHARE / 2**20)
    return DEFAULT_MEMORY_LIMIT if megabytes >= DEFAULT_MEMORY_LIMIT_MB else f"{megabytes}MB"


def default_spark_memory() -> str:
    """4g, or half the machine's memory where that is less (at least 1g, Spark's own default)."""
    total = machine_memory() or 2 * DEFAULT_SPARK_MEMORY_MB * 2**20
    megabytes = max(1024, min(DEFAULT_SPARK_MEMORY_MB, int(total * SPARK_MEMORY_SHARE / 2**20)))
    return f"{megabytes // 1024}g" if megabytes % 1024 == 0 else f"{megabytes}m"


def spark_memory_setting() -> str:
    """EMPATHY_LAKE_SPARK_MEMORY: a Java memory size (a whole number and k, m, g or t)."""
    text = os.environ.get("EMPATHY_LAKE_SPARK_MEMORY", "").strip().lower()
    if not text:
        return default_spark_memory()
    if not re.fullmatch(r"[1-9][0-9]*[kmgt]", text):
        raise ValueError("EMPATHY_LAKE_SPARK_MEMORY must be a Java memory size such as 4g or 6144m")
    return text


@dataclass(frozen=True)
class Settings:
    home: Path
    landing_dir: Path
    build_db: Path
    serving_db: Path
    pii_key: str
    auth_config: Path  # dashboard users, hashed passwords and roles (dagster_project/users.py writes it)
    memory_limit: str = DEFAULT_MEMORY_LIMIT  # DuckDB memory_limit of every connection of a run (profiles.yml too)
    engine: str = "duckdb"  # where dbt builds the models (ENGINES); loading and publishing are DuckDB's on both
    spark_master: str = DEFAULT_SPARK_MASTER
    spark_threads: int = DEFAULT_SPARK_THREADS
    spark_memory: str = f"{DEFAULT_SPARK_MEMORY_MB // 1024}g"  # the Spark driver's heap (spark.driver.memory)

    @property
    def spark_dir(self) -> Path:
        """The spark engine's files: the raw tables as Parquet (raw/<schema>/<table>), Spark's tables
        (warehouse/) and its catalog (metastore/) — docs/spark.md."""
        return self.home / "spark"

    @property
    def mappings_dir(self) -> Path:
        """User mappings live beside the data they describe."""
        return self.landing_dir / "_mappings"

    @property
    def uses_demo_key(self) -> bool:
        """True when EMPATHY_LAKE_PII_KEY is not set: pseudonyms are made with the public demo key."""
        return self.pii_key == DEMO_PII_KEY

    @property
    def duckdb_config(self) -> dict[str, str]:
        """The configuration of every DuckDB database a run opens (docs/decisions.md D551). What does not fit in
        `memory_limit` spills to DuckDB's default folder for a database file, `<file>.tmp` beside it (one per
        file, so two databases never share spill files); the loaders' in-memory sandboxes have their own."""
        return {"memory_limit": self.memory_limit}

    def connect(self, path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A connection to a database file of the run (the build warehouse, a new serving copy) with the cap."""
        return duckdb.connect(str(path), read_only=read_only, config=self.duckdb_config)

    @property
    def logs_dir(self) -> Path:
        """One log file per `empathy-lake run` (Dagster's events, dbt's log), dagster_project/run_output.py."""
        return self.home / "logs"

    @property
    def digests_dir(self) -> Path:
        """Weekly digests as rendered (`empathy-lake digest`), one folder per day."""
        return self.home / "digests"

    @property
    def incoming_dir(self) -> Path:
        """Held-back daily drops of the sample business (`generate --hold-back-days`), delivered by `deliver`."""
        return self.home / "incoming"


# Said once, by the run that loads data with the demo key (dagster_project/cli.py), not by every command.
DEMO_KEY_NOTICE = (
    "note: EMPATHY_LAKE_PII_KEY is not set, so personal data was pseudonymised with the public demo key. "
    "Set a secret key before loading real people's data."
)


def documented_variables() -> dict[str, str]:
    """The environment variables this module's docstring documents: name -> description (one line)."""
    variables: dict[str, str] = {}
    name = None
    for line in (__doc__ or "").splitlines():
        if line.startswith(("EMPATHY_LAKE_", "DAGSTER_HOME")):
            name, _, text = line.partition(" ")
            variables[name] = text.strip()
        elif name and line.startswith(" ") and line.strip():
            variables[name] += " " + line.strip()
        else:
            name = None
    return {k: " ".join(v.split()) for k, v in variables.items()}


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
        key = DEMO_PII_KEY
    auth = Path(os.environ.get("EMPATHY_LAKE_AUTH_CONFIG", home / "auth" / "users.yaml")).resolve()
    memory = next(
        (value for name in MEMORY_LIMIT_VARIABLES if (value := os.environ.get(name, "").strip())),
        default_memory_limit(),
    )
    check_memory_limit(memory)
    engine = os.environ.get("EMPATHY_LAKE_ENGINE", "").strip().lower() or ENGINES[0]
    check_engine(engine)
    if engine == "spark":
        check_spark_home(home)
    return Settings(
        home=home,
        landing_dir=landing,
        build_db=build,
        serving_db=serving,
        pii_key=key,
        auth_config=auth,
        memory_limit=memory,
        engine=engine,
        spark_master=os.environ.get("EMPATHY_LAKE_SPARK_MASTER", "").strip() or DEFAULT_SPARK_MASTER,
        spark_threads=spark_threads_setting(),
        spark_memory=spark_memory_setting(),
    )


def spark_threads_setting() -> int:
    """EMPATHY_LAKE_SPARK_THREADS: a whole number from 1 to 64."""
    text = os.environ.get("EMPATHY_LAKE_SPARK_THREADS", "").strip()
    if not text:
        return DEFAULT_SPARK_THREADS
    if not re.fullmatch(r"[0-9]+", text) or not 1 <= int(text) <= 64:
        raise ValueError("EMPATHY_LAKE_SPARK_THREADS must be a whole number from 1 to 64")
    return int(text)


def export_env(settings: Settings) -> dict[str, str]:
    """The environment a child process (dbt, streamlit) needs to see the same lake."""
    return {
        "EMPATHY_LAKE_HOME": str(settings.home),
        "EMPATHY_LAKE_LANDING": str(settings.landing_dir),
        "EMPATHY_LAKE_BUILD_DB": str(settings.build_db),
        "EMPATHY_LAKE_SERVING_DB": str(settings.serving_db),
        "EMPATHY_LAKE_PII_KEY": settings.pii_key,
        "EMPATHY_LAKE_AUTH_CONFIG": str(settings.auth_config),
        MEMORY_LIMIT_VARIABLES[0]: settings.memory_limit,
        # dbt's profile picks its target by the engine and reads Spark's folders and master from these.
        "EMPATHY_LAKE_ENGINE": settings.engine,
        "EMPATHY_LAKE_SPARK_MASTER": settings.spark_master,
        "EMPATHY_LAKE_SPARK_THREADS": str(settings.spark_threads),
        "EMPATHY_LAKE_SPARK_MEMORY": settings.spark_memory,
        "EMPATHY_LAKE_SPARK_DIR": str(settings.spark_dir),
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
    "EMPATHY_LAKE_MIN_ANSWERS",  # the dashboard's
    "EMPATHY_LAKE_SCHEDULE_CRON",
    "EMPATHY_LAKE_SCHEDULE_RUNNING",
    "EMPATHY_LAKE_DIGEST_CRON",
    "EMPATHY_LAKE_DIGEST_RUNNING",
    "EMPATHY_LAKE_DIGEST_RECIPIENTS",  # the digest's, which is not part of a run
    "EMPATHY_LAKE_SENSOR_RUNNING",
    "EMPATHY_LAKE_SENSOR_INTERVAL_SECONDS",
    "EMPATHY_LAKE_TIMEZONE",
    "EMPATHY_LAKE_REQUIRE_BROWSER",  # the test suite's
    "EMPATHY_LAKE_SCREENSHOT_DIR",  # the test suite's
    "EMPATHY_LAKE_SPARK_MASTER",  # where Spark runs, not what it computes (the engine itself does count)
    "EMPATHY_LAKE_SPARK_THREADS",  # how many nodes at once, not what they compute
    "EMPATHY_LAKE_SPARK_MEMORY",  # how much memory Spark may use, not what it computes
    "EMPATHY_LAKE_SPARK_DIR",  # <home>/spark, set by export_env for dbt's profile, never by a user
}


def result_settings() -> dict[str, str]:
    """The EMPATHY_LAKE_* settings that can change what a run computes or sends (alerts, freshness, and any
    variable not known to be harmless). A change to any of them makes `empathy-lake run` run again."""
    return {
        k: v for k, v in sorted(os.environ.items()) if k.startswith("EMPATHY_LAKE_") and k not in _NOT_RESULT_SETTINGS
    }


DEFAULT_DIGEST_CRON = "0 7 * * 1"
# Sunday early: the model takes a minute and must not overlap the daily run (one writer per DuckDB file).
DEFAULT_CLV_CRON = "0 5 * * 0"
DEFAULT_DAILY_CRON = "0 6 * * *"
DEFAULT_TIMEZONE = "UTC"
DEFAULT_SENSOR_INTERVAL_SECONDS = 60


def _cron(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def digest_schedule_setting() -> tuple[str, bool]:
    """The weekly digest schedule's cron (EMPATHY_LAKE_DIGEST_CRON) and whether it starts running
    (EMPATHY_LAKE_DIGEST_RUNNING; off by default, like every schedule here)."""
    return _cron("EMPATHY_LAKE_DIGEST_CRON", DEFAULT_DIGEST_CRON), env_flag("EMPATHY_LAKE_DIGEST_RUNNING")


def clv_schedule_setting() -> tuple[str, bool]:
    """The weekly predictive CLTV schedule's cron (EMPATHY_LAKE_CLV_CRON) and whether it starts running
    (EMPATHY_LAKE_CLV_RUNNING; off by default)."""
    return _cron("EMPATHY_LAKE_CLV_CRON", DEFAULT_CLV_CRON), env_flag("EMPATHY_LAKE_CLV_RUNNING")


def daily_schedule_setting() -> tuple[str, bool]:
    """The daily run's cron (EMPATHY_LAKE_SCHEDULE_CRON) and whether it starts running
    (EMPATHY_LAKE_SCHEDULE_RUNNING; off by default)."""
    return _cron("EMPATHY_LAKE_SCHEDULE_CRON", DEFAULT_DAILY_CRON), env_flag("EMPATHY_LAKE_SCHEDULE_RUNNING")


def schedule_timezone() -> str:
    """EMPATHY_LAKE_TIMEZONE, the IANA time zone every schedule's cron is read in (default UTC)."""
    return _cron("EMPATHY_LAKE_TIMEZONE", DEFAULT_TIMEZONE)


def sensor_setting() -> tuple[int, bool]:
    """The landing sensor's interval in seconds (EMPATHY_LAKE_SENSOR_INTERVAL_SECONDS, default 60) and whether it
    starts running (EMPATHY_LAKE_SENSOR_RUNNING; off by default)."""
    raw = os.environ.get("EMPATHY_LAKE_SENSOR_INTERVAL_SECONDS", "").strip()
    return int(raw) if raw else DEFAULT_SENSOR_INTERVAL_SECONDS, env_flag("EMPATHY_LAKE_SENSOR_RUNNING")


def digest_recipients_path(settings: Settings) -> Path:
    """The weekly digest's recipients file (EMPATHY_LAKE_DIGEST_RECIPIENTS, else <home>/auth/digest_recipients.csv):
    owner,url rows, each owner's digest going to their own URLs only (dagster_project/digest/deliver.py)."""
    raw = os.environ.get("EMPATHY_LAKE_DIGEST_RECIPIENTS", "").strip()
    return Path(raw).resolve() if raw else settings.home / "auth" / "digest_recipients.csv"


DEFAULT_DATE_RANGE = "1900-01-01..today+1"
_RANGE_END = re.compile(r"today(?:([+-])(\d+))?")


def _range_end(text: str, today: date) -> date:
    text = text.strip()
    relative = _RANGE_END.fullmatch(text)
    if relative:
        sign, days = relative.groups()
        return today + timedelta(days=int(days or 0) * (-1 if sign == "-" else 1))
    return date.fromisoformat(text)


def plausible_date_range(today: date | None = None) -> tuple[date, date]:
    """EMPATHY_LAKE_DATE_RANGE as (first, last) dates, both included; read at each load, so `today` moves."""
    text = os.environ.get("EMPATHY_LAKE_DATE_RANGE", "").strip() or DEFAULT_DATE_RANGE
    today = today or date.today()
    first, sep, last = text.partition("..")
    try:
        if not sep:
            raise ValueError
        bounds = _range_end(first, today), _range_end(last, today)
    except ValueError:
        raise ValueError(
            f"EMPATHY_LAKE_DATE_RANGE must be FIRST..LAST, each a date YYYY-MM-DD or today+N (e.g. "
            f"{DEFAULT_DATE_RANGE}), not {text!r}"
        ) from None
    if bounds[0] > bounds[1]:
        raise ValueError(f"EMPATHY_LAKE_DATE_RANGE starts after it ends: {text!r}")
    return bounds


def text_languages() -> tuple[str, ...]:
    """EMPATHY_LAKE_TEXT_LANGUAGES as ISO 639-1 codes, the default first; () when not set."""
    text = os.environ.get("EMPATHY_LAKE_TEXT_LANGUAGES", "")
    codes = tuple(dict.fromkeys(c.strip().lower() for c in text.split(",") if c.strip()))
    from dagster_project.text.language import known_languages

    unknown = [c for c in codes if c not in known_languages()]
    if unknown:
        raise ValueError(
            f"EMPATHY_LAKE_TEXT_LANGUAGES: {', '.join(unknown)} is not a language code the detector knows "
            "(two-letter ISO 639-1 codes, e.g. en,fr)"
        )
    return codes


def alert_channel_setting() -> tuple[tuple[str, ...], bool]:
    """The apprise URLs alerts and digests go to (EMPATHY_LAKE_ALERT_URLS, comma-separated, blanks dropped) and
    whether they are really sent (EMPATHY_LAKE_ALERT_SEND exactly "1"; anything else is a dry run)."""
    urls = tuple(u.strip() for u in os.environ.get("EMPATHY_LAKE_ALERT_URLS", "").split(",") if u.strip())
    return urls, os.environ.get("EMPATHY_LAKE_ALERT_SEND", "") == "1"


def dagster_home_setting() -> Path | None:
    """DAGSTER_HOME, the Dagster instance folder, when set (else run_history uses <home>/dagster)."""
    explicit = os.environ.get("DAGSTER_HOME", "").strip()
    return Path(explicit).resolve() if explicit else None


AS_OF_DOMAINS = ("customers", "support", "surveys", "brand", "employees")  # dbt vars as_of_date_<domain>


def as_of_date_vars() -> dict[str, str]:
    """dbt vars from EMPATHY_LAKE_AS_OF_DATE and EMPATHY_LAKE_AS_OF_DATE_<DOMAIN> (only those set), each a
    YYYY-MM-DD date; a malformed date is an error naming the variable, never a silently ignored setting."""
    found = {"as_of_date": "EMPATHY_LAKE_AS_OF_DATE"}
    found.update({f"as_of_date_{d}": f"EMPATHY_LAKE_AS_OF_DATE_{d.upper()}" for d in AS_OF_DOMAINS})
    dbt_vars = {}
    for var, name in found.items():
        value = os.environ.get(name, "").strip()
        if not value:
            continue
        try:
            dbt_vars[var] = date.fromisoformat(value).isoformat()
        except ValueError as exc:
            raise ValueError(f"{name}={value!r} is not a date written YYYY-MM-DD") from exc
    return dbt_vars
