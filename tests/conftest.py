"""One sample warehouse per test session, built by the real pipeline and shared by the tests that read it.

Tests that damage data clone it first (tests/lake_helpers.clone_lake)."""

from __future__ import annotations

import os

import pytest

from tests.lake_helpers import BuiltLake, clone_lake, lake_env

SESSION_SCALE = 0.1  # 2,000 tickets: every entity present, fast enough to build once per session
SESSION_SEED = 7


@pytest.fixture(scope="session")
def dbt_manifest(tmp_path_factory) -> None:
    """dagster-dbt builds its assets from the manifest; parse once per test run, whatever the checkout left
    in target/. Under pytest-xdist the workers share one parse: the first parses, the others wait for it
    (a second parse would rewrite the manifest under a running pipeline)."""
    from dagster_project.cli import exclusive_lock, prepare_dbt_manifest

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        prepare_dbt_manifest(force=True)
        return
    done = tmp_path_factory.getbasetemp().parent / "dbt_manifest_parsed"  # shared by this run's workers
    with exclusive_lock(done.with_suffix(".lock")):
        if not done.exists():
            prepare_dbt_manifest(force=True)
            done.touch()


@pytest.fixture(scope="session")
def built_lake(tmp_path_factory, dbt_manifest) -> BuiltLake:
    from dagster_project.cli import run_pipeline
    from dagster_project.sample_data import generate

    home = tmp_path_factory.mktemp("session_lake")
    with lake_env(home) as settings:
        generate(settings.landing_dir, scale=SESSION_SCALE, seed=SESSION_SEED, progress=False)
        success = run_pipeline()
    return BuiltLake(home=home, settings=settings, success=success)


@pytest.fixture(scope="session")
def real_data_lake(tmp_path_factory, dbt_manifest) -> BuiltLake:
    """The four real public datasets through their shipped mappings and the whole pipeline, once per session."""
    from dagster_project.cli import run_pipeline
    from dagster_project.real_samples import install_real_samples

    home = tmp_path_factory.mktemp("real_data_lake")
    with lake_env(home) as settings:
        install_real_samples(settings.landing_dir)
        success = run_pipeline()
    return BuiltLake(home=home, settings=settings, success=success)


STALE_SECONDS = 3 * 24 * 3600  # the customers' files of the re-run lake are this old


@pytest.fixture(scope="session")
def rerun_lake(built_lake: BuiltLake, tmp_path_factory) -> BuiltLake:
    """The session lake cloned and re-run through the CLI (`empathy-lake run`) with nothing new, its
    customers' files three days old and a Dagster instance of its own (DAGSTER_HOME), notifications in dry
    run. One re-run serves the tests of freshness (a stale source warns, the run still publishes), of run
    history (the run is recorded and listed) and of alerts (a re-run raises and notifies nothing twice)."""
    import os
    import time

    from dagster_project.cli import main

    home = clone_lake(built_lake, tmp_path_factory.mktemp("rerun_lake"))
    with lake_env(home) as settings:
        for var in [v for v in os.environ if v.startswith("EMPATHY_LAKE_ALERT_")]:
            os.environ.pop(var)
        os.environ["DAGSTER_HOME"] = str(home / "dagster_home")
        then = time.time() - STALE_SECONDS
        for path in (settings.landing_dir / "customers").iterdir():
            os.utime(path, (then, then))
        success = main(["run"]) == 0
    return BuiltLake(home=home, settings=settings, success=success)
