"""Nothing personal in what is published (docs/privacy.md): a scan of every published table of the session
lake, of a clone seeded with e-mails, phones, card numbers, links and the business's own names typed into
customer comments, and of the real-data lake; and the scan itself caught planting a raw id and an e-mail."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from tests.lake_helpers import BuiltLake, clone_lake, lake_env, run_lake
from tests.pii_scan import landing_names, published_tables, raw_ids, scan_published

SEEDED_EMAILS = ("zelda.quartermaine@example.org", "j.o'neil+orders@mail.example.co.uk")
SEEDED_PHONES = ("+44 20 7946 0958", "(555) 010-4477", "+33 6 12 34 56 78")
SEEDED_CARDS = ("4111 1111 1111 1111", "5500-0000-0000-0004")
SEEDED_LINK = "https://shop.example.com/account/reset?token=9f8e7d6c5b4a"
DIGIT_NEEDLES = {"".join(ch for ch in v if ch.isdigit()) for v in SEEDED_PHONES + SEEDED_CARDS}


def _first_value(path: Path, column: str) -> str:
    with path.open(newline="", encoding="utf-8") as fh:
        return next(csv.DictReader(fh))[column]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def seed_personal_data(landing: Path) -> tuple[str, str]:
    """Detractor comments, reviews and a ticket whose text carries personal data, including the name of an
    existing customer and of an existing employee (read from the landing files). Returns the two names."""
    customer = _first_value(landing / "customers" / "customers.csv", "customer_name")
    employee = _first_value(landing / "employees" / "employees.csv", "employee_name")
    customer_id = _first_value(landing / "customers" / "customers.csv", "customer_id")
    comments = [
        f"Terrible. Write to {SEEDED_EMAILS[0]}. Or call {SEEDED_PHONES[0]} — {customer}",
        f"They charged card {SEEDED_CARDS[0]} twice; {employee} was rude. {SEEDED_EMAILS[1]}",
        f"Reset link {SEEDED_LINK} never worked, phone me on {SEEDED_PHONES[1]}",
    ]
    _write(
        landing / "customer_responses" / "customer_responses_pii_seed.csv",
        ["response_id", "customer_id", "survey_type", "score", "comment", "touchpoint", "responded_at"],
        [[f"RPII{i}", customer_id, "NPS", "1", c, "web", "2025-12-20 10:00:00"] for i, c in enumerate(comments)],
    )
    reviews = [
        f"Ask for {employee} at the till. Card {SEEDED_CARDS[1]} declined; ring {SEEDED_PHONES[2]}.",
        f"I am {customer}, mail me at {SEEDED_EMAILS[0]}",
    ]
    _write(
        landing / "reviews" / "reviews_pii_seed.csv",
        ["review_id", "platform", "rating", "title", "text", "location", "reviewed_at"],
        [[f"RVPII{i}", "Google", "1", "Awful", t, "Leeds", "2025-12-21 09:00:00"] for i, t in enumerate(reviews)],
    )
    _write(
        landing / "tickets" / "tickets_pii_seed.csv",
        ["ticket_id", "customer_id", "channel", "opened_at", "text"],
        [["TPII0", customer_id, "email", "2025-12-22 08:00:00", f"From {customer} <{SEEDED_EMAILS[0]}>"]],
    )
    return customer, employee


def _scan(lake: BuiltLake, digit_needles=frozenset()) -> list[str]:
    ids = raw_ids(lake.settings.build_db)
    names = landing_names(lake.settings.landing_dir)
    assert ids, "the lake has raw ids to look for"
    return [str(f) for f in scan_published(lake.settings.serving_db, ids, names, set(digit_needles))]


def test_session_lake_publishes_no_personal_data(built_lake: BuiltLake):
    assert built_lake.success
    assert published_tables(built_lake.settings.serving_db) > 40
    assert _scan(built_lake) == []


def test_real_data_lake_publishes_no_personal_data(real_data_lake: BuiltLake):
    assert real_data_lake.success
    assert _scan(real_data_lake) == []


@pytest.fixture(scope="module")
def seeded_lake(built_lake: BuiltLake, tmp_path_factory) -> tuple[BuiltLake, tuple[str, str]]:
    home = clone_lake(built_lake, tmp_path_factory.mktemp("pii_seeded_lake"))
    with lake_env(home) as settings:
        names = seed_personal_data(settings.landing_dir)
    # The seeded names are existing customers' and employees': already in the lake's keyed name list.
    success = run_lake(home)
    lake = BuiltLake(home=home, settings=settings, success=success)
    return lake, names


def test_seeded_personal_data_is_redacted_everywhere(seeded_lake):
    lake, (customer, employee) = seeded_lake
    assert lake.success
    assert _scan(lake, DIGIT_NEEDLES) == []
    with duckdb.connect(str(lake.settings.serving_db), read_only=True) as con:
        comments = [
            r[0]
            for r in con.execute(
                "SELECT comment FROM marts.customer_nps_detractor_comments WHERE response_id LIKE 'RPII%' ORDER BY 1"
            ).fetchall()
        ]
        reviews = [
            r[0]
            for r in con.execute(
                "SELECT review_text FROM marts.brand_review_examples WHERE review_id LIKE 'RVPII%' ORDER BY 1"
            ).fetchall()
        ]
        counts = dict(con.execute("SELECT mart, redactions FROM marts.published_text_redactions").fetchall())
    assert len(comments) == 3 and len(reviews) == 2, "the seeded texts are published (redacted)"
    published = "\n".join(comments + reviews)
    for marker in ("[e-mail removed]", "[phone removed]", "[card number removed]", "[link removed]", "[name removed]"):
        assert marker in published
    assert counts["customer_nps_detractor_comments"] >= 9
    assert counts["brand_review_examples"] >= 5
    assert customer.split()[0] not in published and employee.split()[-1] not in published


def test_scan_catches_a_raw_id_and_an_email(built_lake: BuiltLake, tmp_path):
    """The scan is seen to fail: a raw CRM id and an e-mail planted in a copy of the serving copy are found."""
    serving = tmp_path / "serving.duckdb"
    serving.write_bytes(built_lake.settings.serving_db.read_bytes())
    some_id = sorted(raw_ids(built_lake.settings.build_db))[0]
    with duckdb.connect(str(serving)) as con:
        con.execute("CREATE TABLE marts.leak AS SELECT ? AS who, 'write to a.b@example.com' AS note", [some_id])
    findings = [str(f) for f in scan_published(serving, raw_ids(built_lake.settings.build_db))]
    assert findings == ["marts.leak.note: e-mail", "marts.leak.who: raw id"]


def test_failed_checks_on_raw_tables_publish_no_sample_values(built_lake: BuiltLake, tmp_path):
    """A failed run's GX results stay in meta.check_results and the next good run publishes them: the
    sample of rejected raw values (an id, a ticket's text) is dropped on the way, the rest is kept."""
    from dagster_project.publishing import publish

    build = tmp_path / "build.duckdb"
    build.write_bytes(built_lake.settings.build_db.read_bytes())
    some_id = sorted(raw_ids(built_lake.settings.build_db))[0]
    with duckdb.connect(str(build)) as con:
        con.execute(
            "INSERT INTO meta.check_results (run_id, check_kind, suite, table_name, expectation, column_name, "
            "success, errored, observed, details) VALUES ('failed-run', 'great_expectations', 'raw_crm_customers', "
            "'raw_crm.customers', 'expect_column_values_to_be_unique', 'customer_id', false, false, "
            "'2 of 400 rows unexpected', ?)",
            [f'{{"kwargs": {{"column": "customer_id"}}, "unexpected_sample": ["{some_id}", "x@example.com"]}}'],
        )
    serving = tmp_path / "serving.duckdb"
    publish(build, serving, "test-run")
    assert scan_published(serving, raw_ids(build)) == []
    with duckdb.connect(str(serving), read_only=True) as con:
        details = con.execute("SELECT details FROM meta.check_results WHERE run_id = 'failed-run'").fetchone()[0]
    assert details == '{"kwargs":{"column":"customer_id"}}'
