"""No workforce mart publishes a group under the minimum headcount (dbt var workforce_min_headcount,
docs/privacy.md), by itself or by subtracting visible cells from a total; managers appear by role and team."""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from dagster_project.settings import DBT_PROJECT_DIR
from tests.lake_helpers import BuiltLake

# mart -> the column (or expression) counting the units of a cell
GROUP_SIZES = {
    "employee_absence_monthly": "employees",
    "employee_headcount_monthly": "employees",
    "employee_recognition_monthly": "employees",
    "employee_turnover_summary": "employees",
    "employee_internal_responsiveness_monthly": "requests",
    # 0 in a month with EAP uses and no published workforce: no one is counted there, so no group to check.
    "employee_eap_monthly": "nullif(employees, 0)",
}
CELL = ["month", "department", "team", "location", "manager_id", "tenure_band"]


def min_headcount() -> int:
    """The one definition: the dbt var."""
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())
    return int(project["vars"]["workforce_min_headcount"])


def small_cells(serving_db: Path, minimum: int) -> list[str]:
    """Marts with a published cell under `minimum` units (mart names only)."""
    with duckdb.connect(str(serving_db), read_only=True) as con:
        return [
            mart
            for mart, size in GROUP_SIZES.items()
            if con.execute(f"SELECT count(*) FROM marts.{mart} WHERE {size} < ?", [minimum]).fetchone()[0]
        ]


def test_default_minimum_is_five_and_never_below_three():
    assert min_headcount() == 5


def test_no_published_workforce_cell_is_under_the_minimum(built_lake: BuiltLake):
    assert built_lake.success
    assert small_cells(built_lake.settings.serving_db, min_headcount()) == []
    rolled_up = built_lake.query(
        "SELECT count(*) FROM marts.employee_absence_monthly WHERE rollup_reason IS NOT NULL", serving=True
    )[0][0]
    assert rolled_up > 0, "the sample business has small groups, so some cells are combined"


def test_no_cell_of_the_real_hr_export_is_under_the_minimum(real_data_lake: BuiltLake):
    """The IBM HR export's history starts with one employee (hired in 1977): its first years are not published,
    by the EAP mart either (seen failing: it published "0 users of 1 employee", D777)."""
    assert real_data_lake.success
    assert small_cells(real_data_lake.settings.serving_db, min_headcount()) == []


def test_cells_add_up_to_the_organisation_and_agree_across_marts(built_lake: BuiltLake):
    """Rows are relabelled, never dropped: per month the cells sum to the organisation's headcount (so a
    total minus the visible cells leaves nothing), and absence, headcount and recognition publish the same
    cells (so no difference between two marts isolates anyone)."""
    cells = ", ".join(CELL)
    mismatched = built_lake.query(
        f"""
        WITH a AS (SELECT {cells}, employees FROM marts.employee_absence_monthly),
             h AS (SELECT {cells}, employees FROM marts.employee_headcount_monthly),
             r AS (SELECT {cells}, employees FROM marts.employee_recognition_monthly)
        SELECT count(*) FROM ((FROM a EXCEPT FROM h) UNION ALL (FROM h EXCEPT FROM a)
                              UNION ALL (FROM a EXCEPT FROM r) UNION ALL (FROM r EXCEPT FROM a))
        """,
        serving=True,
    )[0][0]
    assert mismatched == 0
    totals = built_lake.query(
        """
        SELECT count(*) FROM (
            SELECT month, sum(employees) AS employees FROM marts.employee_absence_monthly GROUP BY month
        ) AS a JOIN marts.employee_eap_monthly AS e USING (month)
        WHERE a.employees <> e.employees
        """,
        serving=True,
    )[0][0]
    assert totals == 0


def test_the_check_catches_a_small_cell(built_lake: BuiltLake, tmp_path):
    """Seen to fail: a cell of one employee planted in a copy of the serving copy is found."""
    serving = tmp_path / "serving.duckdb"
    serving.write_bytes(built_lake.settings.serving_db.read_bytes())
    with duckdb.connect(str(serving)) as con:
        con.execute("UPDATE marts.employee_absence_monthly SET employees = 1 WHERE rowid = 0")
    assert small_cells(serving, min_headcount()) == ["employee_absence_monthly"]


def test_managers_appear_by_role_and_team(built_lake: BuiltLake):
    labels = {
        r[0]
        for r in built_lake.query(
            "SELECT DISTINCT manager_id FROM marts.employee_headcount_monthly "
            "UNION SELECT group_value FROM marts.employee_enps_wave WHERE breakdown = 'manager'",
            serving=True,
        )
    }
    people = labels - {"Unknown", "All", "Other (small groups)"}
    assert people
    assert all(label.startswith("Manager") and ", " in label for label in people), sorted(people)[:3]
