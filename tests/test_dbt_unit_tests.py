"""The dbt unit tests (fixed input rows -> expected KPI rows) run here, in CI, not in pipeline runs
(dagster_project/assets/dbt.py): they test the SQL, which only changes with the code.

Both invocations (the shipped cut-offs, then a contradicting one) run in ONE dbt process on the manifest the test
run already parsed (the `dbt_manifest` fixture): no parse of their own (docs/decisions.md D141)."""

from __future__ import annotations

import shutil

import pytest

from tests.lake_helpers import BuiltLake, dbt_on_parsed_manifest

# Promoters from 8 instead of 9: the NPS unit tests' expected bands no longer hold.
CONTRADICTING_VARS = '{"nps_promoter_min": 8}'


@pytest.fixture(scope="module")
def unit_test_runs(built_lake: BuiltLake, dbt_manifest, tmp_path_factory) -> list[dict]:
    """`dbt test --select test_type:unit` with the shipped vars, then with CONTRADICTING_VARS, on a copy of the
    session warehouse (unit tests read the upstream tables' column types)."""
    tmp = tmp_path_factory.mktemp("dbt_unit_tests")
    db = tmp / "build.duckdb"
    shutil.copyfile(built_lake.settings.build_db, db)
    unit_tests = ["test", "--select", "test_type:unit", "--quiet"]
    _, answers = dbt_on_parsed_manifest(
        db,
        [*unit_tests, "--target-path", str(tmp / "target0")],
        [*unit_tests, "--target-path", str(tmp / "target1"), "--vars", CONTRADICTING_VARS],
    )
    return answers


def test_every_dbt_unit_test_passes(unit_test_runs):
    shipped = unit_test_runs[0]
    assert shipped["success"] and set(shipped["statuses"]) == {"pass"}, shipped
    assert shipped["statuses"]["pass"] >= 50


def test_a_kpi_cut_off_that_contradicts_the_unit_tests_fails_them(unit_test_runs):
    contradicted = unit_test_runs[1]
    assert not contradicted["success"] and contradicted["statuses"].get("fail", 0) >= 1, contradicted
