"""One sample warehouse per test run, built by the real pipeline and shared by the tests that read it.

Tests that damage data clone it first (tests/lake_helpers.clone_lake). Under pytest-xdist the session lakes
are built once per test run, not once per worker (tests/lake_helpers.shared_lake), and the work is handed
to the workers heaviest first (pytest_collection_modifyitems below; docs/performance.md "The test suite")."""

from __future__ import annotations

import functools
import os
import zlib

import pytest

from tests.lake_helpers import RUN_CONSOLE, BuiltLake, clone_lake, console_transcript, shared_lake, shared_root

# PyTensor (the CLTV model's pymc-marketing) without its C compiler in the tests: a fresh machine, as every CI run
# is, spends ~60 s compiling C before the first fit (the product keeps C: a user's later runs reuse the cache in
# ~/.pytensor, D285); NumPy's implementations give the same fit here in 24 s instead of 80 s (D769).
os.environ.setdefault("PYTENSOR_FLAGS", "cxx=")

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

    def build(settings) -> bool:
        generate(settings.landing_dir, scale=SESSION_SCALE, seed=SESSION_SEED, progress=False)
        # What the run printed, kept for the tests of a quiet run's output (tests/test_cli.py).
        with console_transcript(settings.home / RUN_CONSOLE):
            return run_pipeline()

    return shared_lake(shared_root(tmp_path_factory), "session_lake", build)


@pytest.fixture(scope="session")
def real_data_lake(tmp_path_factory, dbt_manifest) -> BuiltLake:
    """The four real public datasets through their shipped mappings and the whole pipeline, once per session."""
    from dagster_project.cli import run_pipeline
    from dagster_project.real_samples import install_real_samples

    def build(settings) -> bool:
        install_real_samples(settings.landing_dir)
        return run_pipeline()

    return shared_lake(shared_root(tmp_path_factory), "real_data_lake", build)


STALE_SECONDS = 3 * 24 * 3600  # the customers' files of the re-run lake are this old


@pytest.fixture(scope="session")
def rerun_lake(built_lake: BuiltLake, tmp_path_factory) -> BuiltLake:
    """The session lake cloned and re-run through the CLI (`empathy-lake run`) with nothing new, its
    customers' files three days old and a Dagster instance of its own (DAGSTER_HOME), notifications in dry
    run. One re-run serves the tests of freshness (a stale source warns, the run still publishes), of run
    history (the run is recorded and listed) and of alerts (a re-run raises and notifies nothing twice)."""
    import time

    from dagster_project.cli import main

    def build(settings) -> bool:
        clone_lake(built_lake, settings.home)
        for var in [v for v in os.environ if v.startswith("EMPATHY_LAKE_ALERT_")]:
            os.environ.pop(var)
        os.environ["DAGSTER_HOME"] = str(settings.home / "dagster_home")
        then = time.time() - STALE_SECONDS
        for path in (settings.landing_dir / "customers").iterdir():
            os.utime(path, (then, then))
        return main(["run"]) == 0

    return shared_lake(shared_root(tmp_path_factory), "rerun_lake", build)


@pytest.fixture(scope="session", autouse=True)
def one_component_scan_per_process():
    """Streamlit scans the metadata of every installed package for components each time a new AppTest first runs
    (about 0.25 s of CPU; a test run creates hundreds); a dashboard server scans once, when it starts. The test
    processes scan once too, and every AppTest gets that scan's result (D634). The packages installed do not
    change while the tests run."""
    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    scanned = functools.cache(scan)
    manifest_scanner.scan_component_manifests = lambda *args, **kwargs: list(scanned(*args, **kwargs))
    yield
    manifest_scanner.scan_component_manifests = scan


# --- work units for two workers (`pytest -n 2 --dist loadscope`, the Makefile; docs/performance.md) -------------
# Each module is one unit, so a module's fixtures are built on one worker only. These tests run the pipeline
# on a copy of their own and use no module fixture, so each is a unit of its own that either worker can take.
OWN_UNIT_TESTS = frozenset(
    {
        "tests/test_pipeline_e2e.py::test_rerun_adds_nothing_and_changed_file_replaces_its_rows",
        "tests/test_pipeline_e2e.py::test_broken_rows_are_quarantined_with_reasons",
        "tests/test_pipeline_e2e.py::test_missing_required_column_fails_naming_file_and_column",
        "tests/test_pipeline_e2e.py::test_dbt_test_failure_stops_publishing",
        "tests/test_pipeline_e2e.py::test_gx_check_failure_stops_publishing",
    }
)
# Units handed out first, heaviest first (pipeline runs and dbt invocations each, docs/performance.md), so the
# two workers end together instead of one finishing a long unit alone; every other unit follows in file order.
# The first two need the session lake only at their end: one worker runs the spark run, the other the three
# incremental runs, and the session lake is built by whichever test asks for it next.
HEAVY_FIRST = (
    "tests/test_engines_equal.py",  # a whole spark run of its own lake, the longest unit; the session lake at its end
    "tests/test_incremental_runs.py",  # three runs of a lake of its own
    "tests/test_pipeline_e2e.py::test_rerun_adds_nothing_and_changed_file_replaces_its_rows",  # two runs
    "tests/test_run_resilience.py",  # a killed run and its re-run, as processes
    "tests/test_anonymity_attacks.py",  # survey designs through `dbt run`, searched by an attacker
    "tests/test_alerts.py",  # the shared re-run lake, then a planted-alert run
    "tests/test_personal_data.py",  # the real-data lake, then a run with planted personal data
    "tests/test_partial_lake.py",  # one run of a lake with only customers and orders
    "tests/test_pipeline_e2e.py::test_broken_rows_are_quarantined_with_reasons",
    "tests/test_pipeline_e2e.py::test_dbt_test_failure_stops_publishing",
    "tests/test_pipeline_e2e.py::test_gx_check_failure_stops_publishing",
    "tests/test_employee_anonymity.py",
    "tests/test_dbt_unit_tests.py",  # both unit-test invocations in one dbt process
    "tests/test_pipeline_e2e.py::test_missing_required_column_fails_naming_file_and_column",
    "tests/test_impact_marts.py",  # a dbt test run on a damaged copy of the session warehouse
    "tests/test_roi_dbt_checks.py",  # the same for the ROI, driver and chain marts
    "tests/test_schedules_sensors.py",
    "tests/test_dashboard_browser.py",
)


# Long modules of many cheap, independent tests, cut into this many units that either worker can take (their
# module fixtures are cheap and built once per unit): the test run's last minutes are split between two workers
# instead of one running such a module alone (D237). A test's part follows from its node id alone.
SPLIT_MODULES = {"tests/test_gx_checks.py": 3}


def work_unit(nodeid: str) -> str:
    """The unit a test belongs to: its module, the test itself when it is in OWN_UNIT_TESTS, or a part of its
    module when the module is in SPLIT_MODULES."""
    module, _, rest = nodeid.partition("::")
    test = f"{module}::{rest.split('[')[0]}"
    if test in OWN_UNIT_TESTS:
        return test
    if module in SPLIT_MODULES:
        return f"{module}::part{zlib.crc32(nodeid.encode()) % SPLIT_MODULES[module] + 1}"
    return module


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {unit: i for i, unit in enumerate(HEAVY_FIRST)}
    items.sort(key=lambda item: rank.get(work_unit(item.nodeid), len(rank)))  # stable: file order otherwise


def work_unit_scheduler(config, log, heavy_units, unit_of):
    """xdist's `--dist loadscope` scheduler with `unit_of(nodeid)` as the unit, units handed out in collection
    order (not xdist's default of the units with most tests first, which left the long one-test units for last),
    and a light unit, not the next heavy one, queued behind a heavy unit still running (D236)."""
    from xdist.scheduler import LoadScopeScheduling

    heavy = frozenset(heavy_units)

    class WorkUnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

        def _assign_work_unit(self, node) -> None:
            # A worker needs its next test before it runs the current one, so xdist hands a worker its next
            # unit while the last tests of the current one are still to run. Behind a heavy unit that next unit
            # waits minutes: give it the last unit in the queue (a light one) so that the next heavy unit goes
            # to the other worker when it frees up.
            busy = any(unit in heavy and not all(done.values()) for unit, done in self.assigned_work[node].items())
            if busy and len(self.workqueue) > 1:
                self.workqueue.move_to_end(next(reversed(self.workqueue)), last=False)
            super()._assign_work_unit(node)

    config.option.loadscopereorder = False
    return WorkUnitScheduling(config, log)


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadscope` with the work units above (`--dist loadgroup` cannot express this here: pytest 9
    ignores the node ids xdist 3.8 rewrites for it)."""
    if config.getvalue("dist") != "loadscope":
        return None
    return work_unit_scheduler(config, log, HEAVY_FIRST, work_unit)
