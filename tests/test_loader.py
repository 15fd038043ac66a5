"""The loader on its own: reading, row numbers, quarantine, ledger, PII, formats. Real DuckDB files."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dagster_project.contract import load_contract
from dagster_project.loading.loader import load_entity
from dagster_project.loading.validate import pseudonym

CUSTOMERS = load_contract().entity("customers")
HEADER = "customer_id,customer_name,email,segment,region,location,channel,signup_date,status,churn_date\n"
GOOD = "C{n},Name {n},c{n}@example.com,SMB,North,Leeds,web,2024-01-05,active,\n"


@pytest.fixture
def lake(tmp_path: Path):
    landing = tmp_path / "landing"
    (landing / "customers").mkdir(parents=True)
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    yield landing, con
    con.close()


def _load(con, landing, load_id="run"):
    return load_entity(con, CUSTOMERS, landing, load_id, "key", log=lambda _: None)


def test_row_numbers_survive_multiline_values_and_parser_rejects(lake):
    landing, con = lake
    (landing / "customers" / "drop.csv").write_text(
        HEADER
        + GOOD.format(n=1)
        + 'C2,"Multi\nLine",c2@example.com,SMB,North,Leeds,web,2024-01-05,active,\n'
        + "C3,only,three\n"
        + GOOD.format(n=4)
        + "C5,x,y,SMB,North,Leeds,web,2024-01-05,active,,EXTRA\n"
        + GOOD.format(n=6)
    )
    summary = _load(con, landing)
    rows = dict(con.execute("SELECT customer_id, _source_row FROM raw_crm.customers").fetchall())
    quarantine = con.execute("SELECT source_row, reason FROM meta.quarantine ORDER BY 1").fetchall()
    assert rows == {"C1": 2, "C2": 3, "C4": 5, "C6": 7}
    assert [r for r, _ in quarantine] == [4, 6]
    assert quarantine[0][1] == "too few fields" and quarantine[1][1] == "too many fields"
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (6, 4, 2)


def test_unchanged_file_is_skipped_and_changed_file_replaces_its_rows(lake):
    landing, con = lake
    path = landing / "customers" / "drop.csv"
    path.write_text(HEADER + GOOD.format(n=1) + GOOD.format(n=2) + "C3,,,,,,,bad-date,,\n")
    _load(con, landing, "run1")
    second = _load(con, landing, "run2")
    assert [f.status for f in second.files] == ["skipped_unchanged"]
    assert con.execute("SELECT count(*) FROM raw_crm.customers").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM meta.quarantine").fetchone()[0] == 1

    path.write_text(HEADER + GOOD.format(n=1) + GOOD.format(n=3))
    third = _load(con, landing, "run3")
    assert [f.status for f in third.files] == ["loaded"]
    ids = sorted(r[0] for r in con.execute("SELECT customer_id FROM raw_crm.customers").fetchall())
    assert ids == ["C1", "C3"]
    assert con.execute("SELECT count(*) FROM meta.quarantine").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM meta.ingestion_ledger").fetchone()[0] == 1


def test_pii_is_hashed_with_the_key_and_never_stored_plain(lake):
    landing, con = lake
    (landing / "customers" / "drop.csv").write_text(HEADER + GOOD.format(n=1) + "C2,,BAD@X.COM,,,,,,,\n")
    _load(con, landing)
    name, email = con.execute("SELECT customer_name, email FROM raw_crm.customers").fetchone()
    expected = pseudonym("c1@example.com", "key")
    assert email == expected and email.startswith("pid_") and "example" not in email
    assert "Name" not in name
    record = con.execute("SELECT record FROM meta.quarantine").fetchone()[0]
    assert "BAD@X.COM" not in record and "bad@x.com" not in record


def test_gzip_and_parquet_files_load_like_csv(lake):
    landing, con = lake
    with gzip.open(landing / "customers" / "a.csv.gz", "wt") as fh:
        fh.write(HEADER + GOOD.format(n=1))
    table = pa.table({"customer_id": ["P1", "P2"], "segment": ["SMB", None], "signup_date": ["2024-02-01"] * 2})
    pq.write_table(table, landing / "customers" / "b.parquet")
    summary = _load(con, landing)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (3, 2, 1)
    assert con.execute("SELECT source_row, column_name FROM meta.quarantine").fetchone() == (2, "segment")


def test_unreadable_file_is_reported_with_its_name_and_others_still_load(lake):
    landing, con = lake
    (landing / "customers" / "ok.csv").write_text(HEADER + GOOD.format(n=1))
    (landing / "customers" / "broken.csv.gz").write_bytes(b"not gzip at all")
    summary = _load(con, landing)
    failed = summary.failures
    assert len(failed) == 1 and "broken.csv.gz" in failed[0].message
    assert con.execute("SELECT count(*) FROM raw_crm.customers").fetchone()[0] == 1
