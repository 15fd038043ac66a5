"""One test layer per rule (docs/decisions.md D505, D655): a rule the warehouse itself enforces is not tested again by
dbt, and a rule dbt tests on a mart is not tested again by its GX suite.

`text.text_redactions.content_hash` is the table's PRIMARY KEY (dagster_project/text/redaction_store.py), so DuckDB
refuses a duplicate or a NULL on every write; dbt's `unique` and `not_null` on it repeated that.
"""

from __future__ import annotations

import copy
import json

import duckdb
import pytest

from dagster_project.quality.gx_suites import load_suites, parse_suite
from dagster_project.settings import DBT_PROJECT_DIR
from dagster_project.text.redaction_store import DDL, TABLE
from tests.dbt_held_cases import DBT_HELD_CASES
from tests.lake_helpers import dbt_on_parsed_manifest
from tests.test_gx_checks import write_good_warehouse


@pytest.fixture
def redactions():
    con = duckdb.connect()
    for statement in DDL:
        con.execute(statement)
    columns = [row[0] for row in con.execute(f"DESCRIBE {TABLE}").fetchall()]
    insert = f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"

    def write(content_hash):
        con.execute(insert, [content_hash, "a text", *([0] * (len(columns) - 3)), "v1"])

    write("h1")
    yield write
    con.close()


def test_a_duplicate_content_hash_is_refused_by_the_table(redactions):
    with pytest.raises(duckdb.ConstraintException):
        redactions("h1")


def test_a_missing_content_hash_is_refused_by_the_table(redactions):
    with pytest.raises(duckdb.ConstraintException):
        redactions(None)


def test_dbt_does_not_test_the_primary_key_again(dbt_manifest):
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    repeated = [
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node["depends_on"]["nodes"] == ["source.empathy_lake.text.text_redactions"]
        and (node.get("test_metadata") or {}).get("kwargs", {}).get("column_name") == "content_hash"
    ]
    assert repeated == []


# ---------------------------------------------------------------- the marts' GX suites repeat no dbt test (D655)

# A GX expectation and the dbt test that states the same rule on one column.
SAME_RULE = {
    "expect_column_values_to_not_be_null": "not_null",
    "expect_column_values_to_be_unique": "unique",
    "expect_column_values_to_be_in_set": "accepted_values",
}


def dbt_column_tests(manifest: dict) -> dict[tuple[str, str, str], dict]:
    """The manifest's not_null / unique / accepted_values tests by (schema.table, column, test)."""
    tests = {}
    for node in manifest["nodes"].values():
        kind = (node.get("test_metadata") or {}).get("name")
        attached = manifest["nodes"].get(node.get("attached_node") or "")
        if node["resource_type"] == "test" and kind in SAME_RULE.values() and attached:
            tests[(f"{attached['schema']}.{attached['alias']}", node["column_name"], kind)] = node
    return tests


@pytest.fixture(scope="module")
def column_tests(dbt_manifest) -> dict[tuple[str, str, str], dict]:
    return dbt_column_tests(json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text()))


def repeated_rules(specs, column_tests) -> list[tuple[str, str, str]]:
    """The mart suites' expectations that state a rule a dbt test states on the same column."""
    return [
        (spec.name, expectation["type"], expectation["kwargs"]["column"])
        for spec in specs
        if spec.table.startswith("marts.")
        for expectation in spec.config["expectations"]
        if (spec.table, expectation["kwargs"].get("column"), SAME_RULE.get(expectation["type"])) in column_tests
    ]


def test_no_mart_suite_repeats_a_dbt_test(column_tests):
    """A rule on a mart column is tested once: dbt, in the build right after the model, stops what reads the mart
    and fails the run before the suites run. The raw tables' suites are not covered here (D656)."""
    assert repeated_rules(load_suites(), column_tests) == []


def test_a_repeated_rule_is_seen(column_tests):
    """The check above is not vacuous: a suite given back one of the removed expectations is caught, and every rule
    the cases below hold is a dbt test under the names the suites use."""
    nps = next(spec for spec in load_suites() if spec.name == "marts_customer_nps_monthly")
    config = copy.deepcopy(nps.config)
    config["expectations"].append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "month"}})
    assert repeated_rules([parse_suite(config)], column_tests) == [
        ("marts_customer_nps_monthly", "expect_column_values_to_not_be_null", "month")
    ]
    assert {(table, column, kind) for table, kind, column, _ in DBT_HELD_CASES} <= set(column_tests)


def test_every_rule_dbt_holds_alone_fails_on_bad_data(column_tests, tmp_path):
    """The failing cases that moved with the rules from the suites: all damages on one copy of the GX tests' good
    warehouse, then one `dbt test` of exactly these tests; each must fail."""
    db = write_good_warehouse(tmp_path / "build.duckdb")  # the database name the parsed manifest uses
    with duckdb.connect(str(db)) as con:
        for _, _, _, damage in DBT_HELD_CASES:
            con.execute(damage)
    held = {(table, column, kind): column_tests[(table, column, kind)] for table, kind, column, _ in DBT_HELD_CASES}
    assert len(held) == len(DBT_HELD_CASES) == 56
    target = tmp_path / "target"
    done, _ = dbt_on_parsed_manifest(
        db, ["test", "--select", *(node["name"] for node in held.values()), "--quiet", "--target-path", str(target)]
    )
    assert done.returncode == 1, done.stdout[-3000:]
    results = {r["unique_id"]: r for r in json.loads((target / "run_results.json").read_text())["results"]}
    results = {uid: r for uid, r in results.items() if not uid.startswith("operation.")}  # the on-run-start hook
    assert set(results) == {node["unique_id"] for node in held.values()}
    passing = sorted(rule for rule, node in held.items() if results[node["unique_id"]]["status"] != "fail")
    assert not passing, passing
