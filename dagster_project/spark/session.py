"""A Spark session in the pipeline's own process (the Great Expectations suites of the marts on the spark engine),
configured as dbt's: the `spark` output of dbt_project/profiles.yml is the one definition of Spark's settings."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import yaml

from dagster_project.settings import DBT_PROJECT_DIR, Settings, export_env

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Hive's catalog is dbt's (a Derby database one process may open at a time); this process reads files by path.
NOT_HERE = {"spark.hadoop.javax.jdo.option.ConnectionURL", "spark.driver.extraJavaOptions"}


def spark_conf(settings: Settings) -> dict[str, str]:
    """The spark output's server_side_parameters from profiles.yml, rendered for this lake."""
    env = {**os.environ, **export_env(settings)}

    def env_var(name: str, default: Any = None) -> str:
        return env.get(name, default)

    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())
    parameters = profile["empathy_lake"]["outputs"]["spark"]["server_side_parameters"]
    render = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string
    return {key: str(render(str(value)).render(env_var=env_var)) for key, value in parameters.items()}


def use_this_python() -> None:
    """Spark's Python workers (mapInArrow, applyInArrow) run this interpreter, with the project's packages, not
    whichever `python3` is first on PATH. pyspark hands the driver's PYSPARK_PYTHON to the executors too, so on a
    cluster set it to an interpreter at the same path on every executor, with the project installed (docs/spark.md).
    Spark's own log: errors only (conf/log4j2.properties), unless SPARK_CONF_DIR names another configuration."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_CONF_DIR", str(Path(__file__).with_name("conf")))


_SESSIONS: dict[tuple[tuple[str, str], ...], SparkSession] = {}


def spark_session(settings: Settings) -> SparkSession:
    """One session per process and configuration (starting one costs a JVM, 10-60 s)."""
    conf = tuple(sorted(spark_conf(settings).items()))
    if conf not in _SESSIONS:
        from pyspark.sql import SparkSession

        use_this_python()
        here = {key: value for key, value in conf if key not in NOT_HERE}
        _SESSIONS[conf] = SparkSession.builder.config(map=here).getOrCreate()
    return _SESSIONS[conf]


def forget_sessions() -> None:
    """After stopping the session: the next spark_session() starts a new one."""
    _SESSIONS.clear()


def stop_sessions() -> None:
    """Stop the sessions this process started (a run's text scoring and checks), so a process that goes on after
    its run (`empathy-lake demo` serving the dashboard) does not keep a JVM of several hundred MB."""
    for session in _SESSIONS.values():
        session.stop()
    forget_sessions()


def catalog_session(settings: Settings) -> SparkSession:
    """A session on the lake's own Spark catalog (dbt's Hive metastore: its views and tables by name), for reading
    what a spark run built. The catalog is a Derby database one process opens at a time: not during a run. A
    catalog made in another folder would show another lake's tables (D773): refused until a spark build here."""
    from pyspark.sql import SparkSession

    from dagster_project.spark.raw_export import catalog_made_elsewhere

    if reason := catalog_made_elsewhere(settings):
        raise RuntimeError(f"{reason}: run the pipeline on the spark engine in this lake before reading its catalog")

    return SparkSession.builder.config(map=spark_conf(settings)).enableHiveSupport().getOrCreate()
