"""The dbt unit tests (fixed input rows -> expected KPI rows) run here, in CI, not in pipeline runs
(dagster_project/assets/dbt.py): they test the SQL, which only changes with the code.

Both invocations (the shipped cut-offs, then a contradicting one) run in ONE dbt process on the manifest the test
run already parsed (the `dbt_manifest` fixture): no parse of their own (docs/decisions.md D141)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from dagster_project.settings import DBT_PROJECT_DIR
from tests.lake_helpers import BuiltLake

# Promoters from 8 instead of 9: the NPS unit tests' expected bands no longer hold.
CONTRADICTING_VARS = '{"nps_promoter_min": 8}'

# argv: the warehouse, the output file, then one JSON list of extra dbt arguments per invocation. Each invocation
# gets the parsed manifest (dbtRunner(manifest=...)), so dbt parses nothing; it prints its exit status and its
# results by status.
RUN_UNIT_TESTS = """
import json, os, sys
from pathlib import Path
from dbt.artifacts.schemas.manifest import WritableManifest
from dbt.cli.main import dbtRunner
from dbt.contracts.graph.manifest import Manifest

db, out, project = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
os.environ["EMPATHY_LAKE_BUILD_DB"] = str(db)
parsed = WritableManifest.read_and_check_versions(str(project / "target" / "manifest.json"))
manifest = Manifest.from_writable_manifest(parsed)
answers = []
for i, extra in enumerate(sys.argv[4:]):
    result = dbtRunner(manifest=manifest).invoke(
        ["test", "--select", "test_type:unit", "--quiet", "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(db.parent / f"target{i}"), *json.loads(extra)]
    )
    statuses = {}
    for node in result.result.results if result.result is not None else []:
        statuses[str(node.status)] = statuses.get(str(node.status), 0) + 1
    answers.append({"success": result.success, "error": repr(result.exception), "statuses": statuses})
out.write_text(json.dumps(answers))
"""


@pytest.fixture(scope="module")
def unit_test_runs(built_lake: BuiltLake, dbt_manifest, tmp_path_factory) -> list[dict]:
    """`dbt test --select test_type:unit` with the shipped vars, then with CONTRADICTING_VARS, on a copy of the
    session warehouse (unit tests read the upstream tables' column types)."""
    tmp = tmp_path_factory.mktemp("dbt_unit_tests")
    db = tmp / "build.duckdb"
    shutil.copyfile(built_lake.settings.build_db, db)
    out = tmp / "results.json"
    invocations = [json.dumps([]), json.dumps(["--vars", CONTRADICTING_VARS])]
    done = subprocess.run(
        [sys.executable, "-c", RUN_UNIT_TESTS, str(db), str(out), str(DBT_PROJECT_DIR), *invocations],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and out.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(out.read_text())


def test_every_dbt_unit_test_passes(unit_test_runs):
    shipped = unit_test_runs[0]
    assert shipped["success"] and set(shipped["statuses"]) == {"pass"}, shipped
    assert shipped["statuses"]["pass"] >= 50


def test_a_kpi_cut_off_that_contradicts_the_unit_tests_fails_them(unit_test_runs):
    contradicted = unit_test_runs[1]
    assert not contradicted["success"] and contradicted["statuses"].get("fail", 0) >= 1, contradicted
