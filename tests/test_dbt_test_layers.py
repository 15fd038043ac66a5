"""One test layer per rule (docs/decisions.md D505): a rule the warehouse itself enforces is not tested again by dbt.

`text.text_redactions.content_hash` is the table's PRIMARY KEY (dagster_project/text/redaction_store.py), so DuckDB
refuses a duplicate or a NULL on every write; dbt's `unique` and `not_null` on it repeated that.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from dagster_project.settings import DBT_PROJECT_DIR
from dagster_project.text.redaction_store import DDL, TABLE


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
