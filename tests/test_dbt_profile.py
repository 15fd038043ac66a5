"""The dbt profile: DuckDB's memory cap reaches the dbt build (docs/decisions.md D120).

dbt's own profile renderer and dbt-duckdb's credentials read dbt_project/profiles.yml with the environment
the pipeline gives the dbt process (settings.export_env); no dbt process and no warehouse are needed.
"""

from __future__ import annotations

import os
from argparse import Namespace
from pathlib import Path

import duckdb
import pytest

from dagster_project.settings import (
    DBT_PROJECT_DIR,
    DEFAULT_MEMORY_LIMIT,
    MEMORY_LIMIT_VARIABLES,
    export_env,
    get_settings,
)


def _credentials(monkeypatch, env: dict[str, str]):
    return _profile(monkeypatch, env).credentials


def _profile(monkeypatch, env: dict[str, str], adapter: str = "duckdb"):
    from dbt.adapters.factory import load_plugin
    from dbt.config.profile import Profile, read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt.flags import set_from_args
    from dbt_common.context import set_invocation_context

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    set_invocation_context(dict(os.environ))  # what `dbt` does at start: env_var() reads this copy
    set_from_args(Namespace(), {})  # dbt's global flags, at their defaults
    load_plugin(adapter)  # registers the adapter's credentials class
    raw = read_profile(str(DBT_PROJECT_DIR))
    return Profile.from_raw_profiles(raw, "empathy_lake", ProfileRenderer({}))


@pytest.fixture
def lake_env(monkeypatch, tmp_path):
    monkeypatch.setenv("EMPATHY_LAKE_HOME", str(tmp_path))
    monkeypatch.delenv("EMPATHY_LAKE_BUILD_DB", raising=False)
    for name in MEMORY_LIMIT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _duckdb_reads(limit: str) -> str:
    """`limit` as DuckDB reports it back (in its own units)."""
    with duckdb.connect(config={"memory_limit": limit}) as con:
        return con.execute("select current_setting('memory_limit')").fetchone()[0]


def test_default_memory_cap_reaches_duckdb(lake_env):
    settings = get_settings()
    assert settings.memory_limit == DEFAULT_MEMORY_LIMIT
    credentials = _credentials(lake_env, export_env(settings))
    assert credentials.settings["memory_limit"] == DEFAULT_MEMORY_LIMIT
    assert credentials.path == str(settings.build_db)
    # DuckDB takes the value as its memory_limit (1500MB = 1.3 GiB in DuckDB's units).
    assert _duckdb_reads(credentials.settings["memory_limit"]) == "1.3 GiB"


def test_memory_cap_is_a_setting_and_its_former_name_is_still_read(lake_env):
    lake_env.setenv("EMPATHY_LAKE_MEMORY_LIMIT", "750MB")
    credentials = _credentials(lake_env, export_env(get_settings()))
    assert credentials.settings["memory_limit"] == "750MB"
    assert _duckdb_reads(credentials.settings["memory_limit"]) == "715.2 MiB"
    lake_env.delenv("EMPATHY_LAKE_MEMORY_LIMIT")
    lake_env.setenv("EMPATHY_LAKE_DBT_MEMORY_LIMIT", "600MB")
    assert _credentials(lake_env, export_env(get_settings())).settings["memory_limit"] == "600MB"


def test_every_connection_of_a_run_has_the_cap(lake_env):
    """Not only dbt's: the loaders, text scoring, alerts and checks connect through the lake resource, the GX
    checks and publishing through Settings.connect; each DuckDB database gets the cap (DuckDB's own default is
    80 % of the machine; 10M tickets peaked at 6.8 GB with it, docs/performance.md "10M tickets (s14)")."""
    from dagster_project.publishing import publish
    from dagster_project.resources import LakeResource

    lake_env.setenv("EMPATHY_LAKE_MEMORY_LIMIT", "750MB")
    expected = _duckdb_reads("750MB")
    assert expected != _duckdb_reads("80%")
    with LakeResource().connect() as con:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == expected
        for schema in ("marts", "meta"):
            con.execute(f"CREATE SCHEMA {schema}")
            con.execute(f"CREATE TABLE {schema}.example AS SELECT 1 AS x")
    settings = get_settings()
    with settings.connect(settings.build_db, read_only=True) as con:
        assert con.execute("select current_setting('memory_limit')").fetchone()[0] == expected
    assert publish(settings.build_db, settings.serving_db, "run").total_rows == 2  # its staging copy: same route


def test_the_run_opens_its_databases_only_through_the_capped_route():
    """A new `duckdb.connect` in the modules a run executes would open a database without the cap: the GX
    checks, publishing and the lake resource use Settings.connect; the rest are named here with the reason."""
    import dagster_project

    package = Path(dagster_project.__file__).parent
    elsewhere = {
        "settings.py": "the capped route itself",
        "loading/sandbox.py": "one landing file in memory, capped with its own spill folder",
        "loading/assistant.py": "the mapping assistant's command, not a run",
        "cli.py": "status commands reading the build warehouse's bookkeeping, read-only",
        "run_inputs.py": "the run's inputs, a few bookkeeping rows, read-only",
        "users.py": "the users command, the serving copy read-only",
        "digest/build.py": "the weekly digest, the serving copy read-only",
        "clv/run.py": "the weekly predictive CLTV job, not the run",
        "sample_data/daily_drops.py": "generating sample files, not a run",
    }
    found = {str(path.relative_to(package)) for path in package.rglob("*.py") if "duckdb.connect(" in path.read_text()}
    assert found <= set(elsewhere), f"connects without the memory cap: {sorted(found - set(elsewhere))}"


def test_the_memory_cap_never_exceeds_what_a_small_machine_has(monkeypatch):
    from dagster_project import settings as settings_module

    sizes = {"SC_PAGE_SIZE": 4096}
    monkeypatch.setattr(settings_module.os, "sysconf", lambda name: sizes.get(name, 0))
    sizes["SC_PHYS_PAGES"] = 2 * 2**30 // 4096  # 2 GiB of memory
    assert settings_module.default_memory_limit() == "819MB"  # 40 %: room for the run's two Python processes
    sizes["SC_PHYS_PAGES"] = 16 * 2**30 // 4096
    assert settings_module.default_memory_limit() == DEFAULT_MEMORY_LIMIT


def test_seeds_are_always_rebuilt_so_a_changed_seed_loads():
    """dbt-duckdb loads a seed into the existing table's columns unless it is fully refreshed: a lake built before
    a seed gained columns (alert_rules' window_months and max_p_value) then failed every build with "Error when
    sniffing file". Seeds are small: dbt_project.yml always full-refreshes them (docs/decisions.md D270)."""
    import yaml

    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    assert project["seeds"]["empathy_lake"].get("+full_refresh") is True


@pytest.mark.parametrize("value", ["1500", "abc", "6 parsecs"])
def test_a_memory_limit_duckdb_would_refuse_is_refused_in_words(lake_env, value):
    lake_env.setenv("EMPATHY_LAKE_MEMORY_LIMIT", value)
    with pytest.raises(ValueError, match="EMPATHY_LAKE_MEMORY_LIMIT must be an amount of memory with its unit"):
        get_settings()


def test_a_file_that_runs_out_of_memory_names_the_limit_it_ran_into(lake_env):
    from dagster_project.loading.loader import unexpected_reason

    lake_env.setenv("EMPATHY_LAKE_MEMORY_LIMIT", "700MB")
    reason = unexpected_reason(duckdb.OutOfMemoryException("Out of Memory Error: could not allocate"))
    assert reason == (
        "cannot load file: loading it needs more memory than the run may use (the memory limit is 700MB; "
        "raise the memory limit setting)"
    )


# ------------------------------------------------------------------------------------------- the engine (s15)


def test_the_engine_picks_the_dbt_target_and_an_unknown_engine_is_refused_in_words(lake_env):
    import yaml

    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text())["empathy_lake"]
    assert "EMPATHY_LAKE_ENGINE" in profile["target"] and set(profile["outputs"]) == {"duckdb", "spark"}
    lake_env.delenv("EMPATHY_LAKE_ENGINE", raising=False)
    assert get_settings().engine == "duckdb"
    lake_env.setenv("EMPATHY_LAKE_ENGINE", " Spark ")
    settings = get_settings()
    assert settings.engine == "spark" and settings.spark_master == "local[*]"
    assert settings.spark_dir == settings.home / "spark"
    from dagster_project.settings import export_env

    assert export_env(settings)["EMPATHY_LAKE_ENGINE"] == "spark"
    lake_env.setenv("EMPATHY_LAKE_ENGINE", "postgres")
    with pytest.raises(ValueError, match="EMPATHY_LAKE_ENGINE must be one of duckdb, spark, not 'postgres'"):
        get_settings()


@pytest.mark.parametrize("folder", ["it's", "lake[1]", "lake*", "what?", "lake{a,b}", "back\\slash"])
def test_the_spark_engine_refuses_a_lake_path_its_readers_misread(lake_env, tmp_path, folder, capsys):
    """Spark's and DuckDB's Parquet readers take these characters for SQL quotes or file patterns (docs/spark.md):
    the run is refused in words before any step, not stopped by a syntax error or an empty read deep inside."""
    from dagster_project.cli import main

    lake_env.setenv("EMPATHY_LAKE_HOME", str(tmp_path / folder / "lake"))
    lake_env.setenv("EMPATHY_LAKE_ENGINE", "duckdb")
    assert get_settings().home == tmp_path / folder / "lake"  # DuckDB alone reads nothing by pattern
    lake_env.setenv("EMPATHY_LAKE_ENGINE", "spark")
    with pytest.raises(ValueError, match="the spark engine cannot use the lake folder .*: its path contains"):
        get_settings()
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "Move the lake to a folder whose path has none of" in err and "Traceback" not in err


def test_the_spark_engine_without_its_packages_or_java_says_what_to_install(lake_env, capsys):
    import dagster_project.spark as spark_module
    from dagster_project.cli import main

    lake_env.setenv("EMPATHY_LAKE_ENGINE", "spark")
    assert spark_module.spark_missing() is None  # `make test` installs the extra and Java
    real_find_spec = spark_module.importlib.util.find_spec
    lake_env.setattr(
        spark_module.importlib.util, "find_spec", lambda name: None if name == "pyspark" else real_find_spec(name)
    )
    assert main(["run"]) == 2
    assert "needs the optional spark packages" in capsys.readouterr().err
    lake_env.setattr(spark_module.importlib.util, "find_spec", real_find_spec)
    lake_env.delenv("JAVA_HOME", raising=False)
    lake_env.setattr(spark_module, "java_found", lambda: False)
    assert main(["run"]) == 2
    assert "needs Java 17" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("value", "threads"), [(None, 1), ("3", 3), (" 1 ", 1), ("0", None), ("two", None), ("65", None)]
)
def test_sparks_threads_reach_dbt_and_a_bad_value_is_refused_in_words(lake_env, value, threads):
    pytest.importorskip("dbt.adapters.spark")
    lake_env.setenv("EMPATHY_LAKE_ENGINE", "spark")
    lake_env.delenv("EMPATHY_LAKE_SPARK_THREADS", raising=False)
    if value is not None:
        lake_env.setenv("EMPATHY_LAKE_SPARK_THREADS", value)
    if threads is None:
        with pytest.raises(ValueError, match="EMPATHY_LAKE_SPARK_THREADS must be a whole number from 1 to 64"):
            get_settings()
        return
    profile = _profile(lake_env, export_env(get_settings()), adapter="spark")
    assert (profile.target_name, profile.threads) == ("spark", threads)


@pytest.mark.parametrize(
    ("value", "memory"), [("6G", "6g"), (" 6144m ", "6144m"), ("0g", None), ("4 GB", None), ("lots", None)]
)
def test_sparks_memory_reaches_its_driver_and_a_bad_value_is_refused_in_words(lake_env, value, memory):
    pytest.importorskip("dbt.adapters.spark")
    from dagster_project.spark.session import spark_conf

    lake_env.setenv("EMPATHY_LAKE_ENGINE", "spark")
    lake_env.setenv("EMPATHY_LAKE_SPARK_MEMORY", value)
    if memory is None:
        with pytest.raises(ValueError, match="EMPATHY_LAKE_SPARK_MEMORY must be a Java memory size such as 4g"):
            get_settings()
        return
    settings = get_settings()
    profile = _profile(lake_env, export_env(settings), adapter="spark")
    assert profile.credentials.server_side_parameters["spark.driver.memory"] == memory  # dbt's Spark
    assert spark_conf(settings)["spark.driver.memory"] == memory  # the run's own Spark (checks, text scoring)


def test_sparks_default_memory_is_4g_or_half_a_small_machine(lake_env, monkeypatch):
    from dagster_project import settings as settings_module

    lake_env.delenv("EMPATHY_LAKE_SPARK_MEMORY", raising=False)
    page = 4096
    for machine_gb, expected in [(24, "4g"), (8, "4g"), (6, "3g"), (3, "1536m"), (1, "1g")]:
        pages = {"SC_PAGE_SIZE": page, "SC_PHYS_PAGES": machine_gb * 2**30 // page}
        monkeypatch.setattr(settings_module.os, "sysconf", pages.__getitem__)
        assert get_settings().spark_memory == expected, machine_gb
