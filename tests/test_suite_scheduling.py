"""The test suite's own machinery for two workers (tests/conftest.py, docs/decisions.md D100-D101): session
lakes built once per test run whatever the number of processes asking, and work units that name real tests."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from dagster_project.settings import REPO_ROOT
from tests.conftest import HEAVY_FIRST, OWN_UNIT_TESTS, work_unit

# Three processes ask for one lake at once; each build records itself and takes a second, so builds that
# were not serialised by the lock would overlap and record more than once.
ASK_FOR_LAKE = """
import sys, time
from pathlib import Path
from tests.lake_helpers import shared_lake

root, outcome = Path(sys.argv[1]), sys.argv[2] == "ok"

def build(settings):
    with open(root / "builds.log", "a") as log:
        log.write(f"{settings.home}\\n")
    time.sleep(1)
    (settings.landing_dir).mkdir(parents=True)
    return outcome

lake = shared_lake(root, "lake", build)
print(lake.success, lake.home == root / "lake", lake.settings.landing_dir.is_dir())
"""


def _ask_at_once(root: Path, outcome: str, processes: int = 3) -> list[str]:
    command = [sys.executable, "-c", ASK_FOR_LAKE, str(root), outcome]
    asking = [subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE) for _ in range(processes)]
    return [p.communicate(timeout=120)[0].decode().strip() for p in asking]


def test_a_shared_lake_is_built_once_for_every_process_asking(tmp_path):
    answers = _ask_at_once(tmp_path, "ok")
    assert answers == ["True True True"] * 3
    assert (tmp_path / "builds.log").read_text().splitlines() == [str(tmp_path / "lake")]


def test_a_failed_build_is_reported_failed_to_every_process(tmp_path):
    assert _ask_at_once(tmp_path, "failed") == ["False True True"] * 3
    assert len((tmp_path / "builds.log").read_text().splitlines()) == 1


def _missing(units) -> list[str]:
    """Units that name no test file, or a test function its file does not define."""
    missing = []
    for unit in units:
        module, _, test = unit.partition("::")
        path = REPO_ROOT / module
        if not path.is_file():
            missing.append(unit)
            continue
        defined = {n.name for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.FunctionDef)}
        if test and test not in defined:
            missing.append(unit)
    return missing


def test_every_scheduled_unit_names_a_real_test():
    assert _missing([*HEAVY_FIRST, *OWN_UNIT_TESTS]) == []
    assert set(u for u in HEAVY_FIRST if "::" in u) <= OWN_UNIT_TESTS, "a single test is listed but is no unit"


def test_a_misspelt_unit_is_caught():
    assert _missing(["tests/test_pipeline_e2e.py::test_no_such_test", "tests/test_no_such_module.py"]) == [
        "tests/test_pipeline_e2e.py::test_no_such_test",
        "tests/test_no_such_module.py",
    ]


def test_work_units_are_modules_except_the_listed_tests():
    listed = "tests/test_pipeline_e2e.py::test_gx_check_failure_stops_publishing"
    assert work_unit(listed) == listed
    assert work_unit("tests/test_pipeline_e2e.py::test_full_run_publishes_serving_copy") == "tests/test_pipeline_e2e.py"
    assert work_unit("tests/test_text_scoring.py::test_x[El servicio fue malo.]") == "tests/test_text_scoring.py"
