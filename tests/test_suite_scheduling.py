"""The test suite's own machinery for two workers (tests/conftest.py, docs/decisions.md D100-D101): session
lakes built once per test run whatever the number of processes asking, and work units that name real tests."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from dagster_project.settings import REPO_ROOT
from tests.conftest import HEAVY_FIRST, OWN_UNIT_TESTS, SPLIT_MODULES, work_unit, work_unit_scheduler

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
    assert _missing([*HEAVY_FIRST, *OWN_UNIT_TESTS, *SPLIT_MODULES]) == []
    assert not {u.partition("::")[0] for u in [*HEAVY_FIRST, *OWN_UNIT_TESTS]} & set(SPLIT_MODULES)
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


def test_a_split_module_is_cut_into_its_parts_by_node_id():
    for module, parts in SPLIT_MODULES.items():
        units = {work_unit(f"{module}::test_case[{i}]") for i in range(20 * parts)}
        assert units == {f"{module}::part{k}" for k in range(1, parts + 1)}
        assert work_unit(f"{module}::test_x[a]") == work_unit(f"{module}::test_x[a]")  # the same on every worker


class _Worker:
    """What the scheduler sees of an xdist worker: the tests it was sent, in order."""

    def __init__(self, name: str) -> None:
        self.gateway = SimpleNamespace(id=name)
        self.shutting_down = False
        self.sent: list[int] = []

    def send_runtest_some(self, indices) -> None:
        self.sent.extend(indices)

    def shutdown(self) -> None:
        self.shutting_down = True


# Two heavy one-test units, a heavy two-test module, then light modules, in collection order.
COLLECTION = ["h1.py::t", "h2.py::t", "h3.py::a", "h3.py::b"] + [f"l{i}.py::t{j}" for i in range(1, 5) for j in (1, 2)]


def _scheduled(heavy_units) -> tuple[list[str], list[str], list[str]]:
    """The units each of two workers holds after the start, and what the first worker to finish its first
    test gets next."""
    config = SimpleNamespace(getvalue={"tx": ["2*popen"]}.get, option=SimpleNamespace(loadscopereorder=True))
    scheduler = work_unit_scheduler(config, None, heavy_units, lambda nodeid: nodeid.partition("::")[0])
    first, second = _Worker("gw0"), _Worker("gw1")
    for worker in (first, second):
        scheduler.add_node(worker)
        scheduler.add_node_collection(worker, COLLECTION)
    scheduler.schedule()
    held = [sorted({COLLECTION[i].partition("::")[0] for i in w.sent}) for w in (first, second)]
    before = len(second.sent)
    scheduler.mark_test_complete(second, COLLECTION.index("h2.py::t"))
    return *held, sorted({COLLECTION[i].partition("::")[0] for i in second.sent[before:]})


def test_a_heavy_unit_is_never_queued_behind_another():
    first, second, next_for_second = _scheduled(["h1.py", "h2.py", "h3.py"])
    # Each worker starts a heavy unit with a light one queued behind it (xdist sends the next unit at once).
    assert first == ["h1.py", "l4.py"] and second == ["h2.py", "l3.py"]
    # The third heavy unit waits for the first worker to be free, whichever it is.
    assert next_for_second == ["h3.py"]


def test_without_heavy_units_the_queue_is_handed_out_in_order():
    # The same scheduler told of no heavy unit queues the heavy three-test module behind the first one-test
    # unit: the case the rule above prevents.
    first, second, _ = _scheduled([])
    assert first == ["h1.py", "h3.py"] and second == ["h2.py", "l1.py"]
