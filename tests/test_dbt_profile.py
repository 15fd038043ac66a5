"""The dbt profile: DuckDB's memory cap reaches the dbt build (docs/decisions.md D120).

dbt's own profile renderer and dbt-duckdb's credentials read dbt_project/profiles.yml with the environment
the pipeline gives the dbt process (settings.export_env); no dbt process and no warehouse are needed.
"""

from __future__ import annotations

import os
from argparse import Namespace

import duckdb
import pytest

from dagster_project.settings import DBT_PROJECT_DIR, DEFAULT_DBT_MEMORY_LIMIT, export_env, get_settings


def _credentials(monkeypatch, env: dict[str, str]):
    from dbt.adapters.factory import load_plugin
    from dbt.config.profile import Profile, read_profile
    from dbt.config.renderer import ProfileRenderer
    from dbt.flags import set_from_args
    from dbt_common.context import set_invocation_context

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    set_invocation_context(dict(os.environ))  # what `dbt` does at start: env_var() reads this copy
    set_from_args(Namespace(), {})  # dbt's global flags, at their defaults
    load_plugin("duckdb")  # registers dbt-duckdb's credentials class
    raw = read_profile(str(DBT_PROJECT_DIR))
    return Profile.from_raw_profiles(raw, "empathy_lake", ProfileRenderer({})).credentials


@pytest.fixture
def lake_env(monkeypatch, tmp_path):
    monkeypatch.setenv("EMPATHY_LAKE_HOME", str(tmp_path))
    monkeypatch.delenv("EMPATHY_LAKE_BUILD_DB", raising=False)
    monkeypatch.delenv("EMPATHY_LAKE_DBT_MEMORY_LIMIT", raising=False)
    return monkeypatch


def test_default_memory_cap_reaches_duckdb(lake_env):
    settings = get_settings()
    assert settings.dbt_memory_limit == DEFAULT_DBT_MEMORY_LIMIT
    credentials = _credentials(lake_env, export_env(settings))
    assert credentials.settings["memory_limit"] == DEFAULT_DBT_MEMORY_LIMIT
    assert credentials.path == str(settings.build_db)
    # DuckDB takes the value as its memory_limit (3GB = 2.7 GiB in DuckDB's units).
    con = duckdb.connect(config={"memory_limit": credentials.settings["memory_limit"]})
    assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "2.7 GiB"


def test_memory_cap_is_a_setting(lake_env):
    lake_env.setenv("EMPATHY_LAKE_DBT_MEMORY_LIMIT", "750MB")
    credentials = _credentials(lake_env, export_env(get_settings()))
    assert credentials.settings["memory_limit"] == "750MB"
    con = duckdb.connect(config={"memory_limit": credentials.settings["memory_limit"]})
    assert con.execute("select current_setting('memory_limit')").fetchone()[0] == "715.2 MiB"


def test_the_memory_cap_never_exceeds_what_a_small_machine_has(monkeypatch):
    from dagster_project import settings as settings_module

    sizes = {"SC_PAGE_SIZE": 4096}
    monkeypatch.setattr(settings_module.os, "sysconf", lambda name: sizes.get(name, 0))
    sizes["SC_PHYS_PAGES"] = 2 * 2**30 // 4096  # 2 GiB of memory
    assert settings_module.default_dbt_memory_limit() == "1638MB"  # DuckDB's own 80 %
    sizes["SC_PHYS_PAGES"] = 16 * 2**30 // 4096
    assert settings_module.default_dbt_memory_limit() == DEFAULT_DBT_MEMORY_LIMIT


def test_seeds_are_always_rebuilt_so_a_changed_seed_loads():
    """dbt-duckdb loads a seed into the existing table's columns unless it is fully refreshed: a lake built before
    a seed gained columns (alert_rules' window_months and max_p_value) then failed every build with "Error when
    sniffing file". Seeds are small: dbt_project.yml always full-refreshes them (docs/decisions.md D270)."""
    import yaml

    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    assert project["seeds"]["empathy_lake"].get("+full_refresh") is True
