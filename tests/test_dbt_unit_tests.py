"""The dbt unit tests (fixed input rows -> expected KPI rows) run here, in CI, not in pipeline runs
(dagster_project/assets/dbt.py): they test the SQL, which only changes with the code."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from dagster_project.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR
from tests.lake_helpers import BuiltLake


def _dbt_unit_tests(built_lake: BuiltLake, tmp_path, *extra: str) -> tuple[int, dict[str, int]]:
    """`dbt test --select test_type:unit` on a copy of the session warehouse (unit tests read the upstream
    tables' column types); returns the exit code and the results by status."""
    db = tmp_path / "build.duckdb"
    shutil.copyfile(built_lake.settings.build_db, db)
    target = tmp_path / "target"
    env = {**os.environ, "EMPATHY_LAKE_BUILD_DB": str(db)}
    done = subprocess.run(
        [
            DBT_EXECUTABLE,
            "test",
            "--select",
            "test_type:unit",
            "--quiet",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(target),
            *extra,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    results = json.loads((target / "run_results.json").read_text())["results"]
    statuses: dict[str, int] = {}
    for result in results:
        statuses[result["status"]] = statuses.get(result["status"], 0) + 1
    return done.returncode, statuses


def test_every_dbt_unit_test_passes(built_lake: BuiltLake, tmp_path):
    code, statuses = _dbt_unit_tests(built_lake, tmp_path)
    assert code == 0 and set(statuses) == {"pass"}, statuses
    assert statuses["pass"] >= 50


def test_a_kpi_cut_off_that_contradicts_the_unit_tests_fails_them(built_lake: BuiltLake, tmp_path):
    # Promoters from 8 instead of 9: the NPS unit tests' expected bands no longer hold.
    code, statuses = _dbt_unit_tests(built_lake, tmp_path, "--vars", '{"nps_promoter_min": 8}')
    assert code != 0 and statuses.get("fail", 0) >= 1, statuses
