"""Vendor profiles (dagster_project/mappings/vendors/): each loads its fixture, an export in the vendor's shape
(tests/fixtures/vendors/<profile>/, fictional rows written with the vendor's awkward bits), through the real
loader into a temporary DuckDB, with exact counts, and gives the KPIs it should.

No pipeline run: the KPIs are computed from the loaded raw rows with the definitions the marts use
(docs/kpi_definitions.md: AOV = revenue / orders, NPS = % promoters - % detractors, CSAT = share of
4-5, CES 2.0 mean on 1-7, review rating = mean stars, conversion = converted / leads). The expected figures
were counted by hand from the fixture files.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from dagster_project.contract import load_contract
from dagster_project.loading.loader import load_entity
from dagster_project.loading.profiles import list_profiles, use_profile
from dagster_project.loading.sandbox import keyed_hash

FIXTURES = Path(__file__).parent / "fixtures" / "vendors"
PII_KEY = "vendor-test-key"

# profile -> entity -> (rows read, loaded, quarantined, excluded); None = not asserted (line items under
# group_by: the lines a loaded order took).
COUNTS: dict[str, dict[str, tuple[int, int | None, int, int]]] = {
    "shopify_orders": {"orders": (9, None, 0, 2)},
    "shopify_customers": {"customers": (4, 4, 0, 0)},
    "woocommerce_orders": {"orders": (7, 5, 0, 2)},
    "stripe_customers": {"customers": (4, 4, 0, 0)},
    "hubspot_contacts": {"leads": (5, 5, 0, 0)},
    "hubspot_deals": {"leads": (4, 4, 0, 0)},
    "zendesk_tickets": {"tickets": (5, 5, 0, 0), "customer_responses": (5, 3, 0, 2)},
    "freshdesk_tickets": {"tickets": (4, 4, 0, 0), "customer_responses": (4, 3, 0, 1)},
    "intercom_conversations": {"tickets": (5, 5, 0, 0), "customer_responses": (5, 3, 0, 2)},
    "qualtrics_responses": {"customer_responses": (8, 5, 0, 3)},
    "surveymonkey_responses": {"customer_responses": (6, 5, 0, 1)},
    "typeform_responses": {"customer_responses": (5, 4, 0, 1)},
    "google_forms_responses": {"customer_responses": (5, 5, 0, 0)},
    # The leaver whose termination type is "Death" / "Mutual agreement" is quarantined, not guessed.
    "bamboohr_employees": {"employees": (7, 6, 1, 0)},
    "personio_employees": {"employees": (6, 5, 1, 0)},
    "trustpilot_reviews": {"reviews": (4, 4, 0, 0)},
    "google_business_reviews": {"reviews": (4, 4, 0, 0)},
}

NPS = (
    "round(100.0 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(*), 2) "
    "FROM raw_survey.customer_responses"
)
CSAT = "round(100.0 * count(*) FILTER (WHERE score >= 4) / count(*), 2) FROM raw_survey.customer_responses"
CONVERSION = "round(100.0 * count(*) FILTER (WHERE status = 'converted') / count(*), 2) FROM raw_crm.leads"
# profile -> [(SQL after SELECT, expected row)]: the KPIs the export should give.
KPIS: dict[str, list[tuple[str, tuple]]] = {
    "shopify_orders": [
        # AOV = revenue / orders over the orders not cancelled; refunds; repeat purchase rate over the file.
        (
            "count(*), sum(order_total), round(avg(order_total), 2), sum(refund_amount) FROM raw_crm.orders",
            (5, 1457.5, 291.5, 64.8),
        ),
        (
            "count(*) FILTER (WHERE n >= 2), count(*) "
            "FROM (SELECT customer_id, count(*) AS n FROM raw_crm.orders GROUP BY 1)",
            (1, 4),
        ),
        ("status, count(*) FROM raw_crm.orders GROUP BY 1 ORDER BY 1", ("completed", 4)),
    ],
    "shopify_customers": [
        ("segment, count(*) FROM raw_crm.customers GROUP BY 1 ORDER BY 1", ("one-time buyer", 2)),
        ("count(*) FROM raw_crm.customers WHERE customer_id = '7012345678904'", (1,)),
    ],
    "woocommerce_orders": [
        (
            "round(avg(order_total) FILTER (WHERE status = 'completed'), 2), sum(refund_amount), "
            "count(*) FILTER (WHERE status = 'cancelled') FROM raw_crm.orders",
            (368.5, 45.0, 1),
        ),
    ],
    "stripe_customers": [
        (
            "segment, count(*), min(signup_date)::VARCHAR FROM raw_crm.customers GROUP BY 1 ORDER BY 1",
            ("repeat payer", 2, "2024-02-03"),
        ),
    ],
    "hubspot_contacts": [(CONVERSION, (40.0,)), ("count(*) FROM raw_crm.leads WHERE status = 'lost'", (1,))],
    "hubspot_deals": [
        (CONVERSION, (25.0,)),
        ("converted_at::VARCHAR FROM raw_crm.leads WHERE status = 'converted'", ("2024-02-20 17:00:00",)),
    ],
    "zendesk_tickets": [
        (CSAT, (66.67,)),
        ("count(first_reply_at) FROM raw_crm.tickets", (4,)),
        ("date_diff('minute', opened_at, first_reply_at) FROM raw_crm.tickets WHERE ticket_id = '202'", (60,)),
    ],
    "freshdesk_tickets": [
        (CSAT, (33.33,)),
        ("first_reply_at::VARCHAR FROM raw_crm.tickets WHERE ticket_id = '3003'", ("2024-09-05 14:05:00",)),
    ],
    "intercom_conversations": [
        (CSAT, (66.67,)),
        ("count(first_reply_at), count(resolved_at) FROM raw_crm.tickets", (4, 3)),
    ],
    "qualtrics_responses": [(NPS, (40.0,))],
    "surveymonkey_responses": [
        (CSAT, (60.0,)),
        ("min(responded_at)::VARCHAR FROM raw_survey.customer_responses", ("2024-11-04 09:02:10",)),
    ],
    "typeform_responses": [
        ("avg(score), count(*) FILTER (WHERE score >= 5) FROM raw_survey.customer_responses", (5.0, 3)),
    ],
    "google_forms_responses": [
        (CSAT, (60.0,)),
        ("min(responded_at)::VARCHAR FROM raw_survey.customer_responses", ("2024-11-02 09:05:31",)),
    ],
    "bamboohr_employees": [
        (
            "count(*) FILTER (WHERE termination_type = 'voluntary'), count(*) FILTER (WHERE termination_type = "
            "'involuntary'), count(*) FILTER (WHERE termination_date IS NULL) FROM raw_hris.employees",
            (2, 1, 3),
        ),
    ],
    "personio_employees": [
        ("weekly_hours FROM raw_hris.employees WHERE employee_id = '1002'", (38.5,)),
        ("team FROM raw_hris.employees WHERE employee_id = '1004'", ("Sales",)),
        (
            "termination_type, termination_date::VARCHAR FROM raw_hris.employees WHERE employee_id = '1003'",
            ("voluntary", "2024-07-31"),
        ),
    ],
    "trustpilot_reviews": [
        ("avg(rating), 100.0 * count(*) FILTER (WHERE rating >= 4) / count(*) FROM raw_brand.reviews", (3.25, 50.0)),
    ],
    "google_business_reviews": [
        ("avg(rating), min(reviewed_at)::VARCHAR FROM raw_brand.reviews", (4.0, "2024-09-01 08:15:30")),
        ("count(*) FROM raw_brand.reviews WHERE text LIKE 'Lovely%croissants'", (1,)),
    ],
}


PROFILES = {p.name: p for p in list_profiles()}
CASES = list(PROFILES)


def _load_profile(name: str, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURES / name, landing / name)
    use_profile(name, landing / "_mappings")
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    for entity in PROFILES[name].entities:
        load_entity(con, load_contract().entity(entity), landing, "run", PII_KEY, log=lambda _: None)
    return con


def _report(con: duckdb.DuckDBPyConnection, entity: str) -> tuple[int, int, int, int, list[str]]:
    cursor = con.execute("SELECT * FROM meta.load_report WHERE entity = ?", [entity])
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    total = [sum(int(r.get(c) or 0) for r in rows) for c in ("rows_read", "rows_loaded", "rows_quarantined")]
    excluded = sum(int(r.get("rows_excluded") or 0) for r in rows)
    return (*total, excluded, [r["message"] for r in rows if r["status"] == "failed"])


def test_every_profile_has_a_fixture_counts_kpis_and_a_cited_source():
    assert set(PROFILES) == set(COUNTS) == set(KPIS) == {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    for profile in PROFILES.values():
        assert re.search(r"https://\S+", profile.raw["provenance"]), profile.name
        assert profile.raw["files"] == [f"{profile.name}/*.csv"], profile.name


@pytest.mark.parametrize("name", CASES)
def test_a_profile_loads_its_vendor_export_and_gives_its_kpis(name, tmp_path):
    con = _load_profile(name, tmp_path)
    try:
        for entity, (read, loaded, quarantined, excluded) in COUNTS[name].items():
            got_read, got_loaded, got_quarantined, got_excluded, failures = _report(con, entity)
            assert not failures, failures
            assert (got_read, got_quarantined, got_excluded) == (read, quarantined, excluded), entity
            if loaded is not None:
                assert got_loaded == loaded, entity
            assert got_read == got_loaded + got_quarantined + got_excluded, "every line read is accounted for"
        for sql, expected in KPIS[name]:
            assert con.execute(f"SELECT {sql}").fetchone() == expected, sql
    finally:
        con.close()


def test_shop_and_helpdesk_profiles_key_a_customer_the_same_way(tmp_path):
    # Orders, customers and tickets of one person join: every profile keys customers by the keyed hash of the
    # lower-cased e-mail, never by the e-mail itself.
    con = _load_profile("shopify_customers", tmp_path)
    try:
        ana = keyed_hash(PII_KEY, "ana.fictive@example.com")
        assert con.execute("SELECT count(*) FROM raw_crm.customers WHERE customer_id = ?", [ana]).fetchone() == (1,)
        stored = " ".join(str(v) for row in con.execute("SELECT * FROM raw_crm.customers").fetchall() for v in row)
        assert "@example.com" not in stored and "Fictive" not in stored
    finally:
        con.close()
    zendesk = (PROFILES["zendesk_tickets"].path.read_text(), PROFILES["shopify_orders"].path.read_text())
    assert all("keyed_hash(lower(trim(" in text for text in zendesk)


def test_using_a_profile_points_it_at_the_users_folder_and_never_overwrites_an_edit(tmp_path):
    mappings = tmp_path / "landing" / "_mappings"
    target = use_profile("trustpilot_reviews", mappings, ["brand/trustpilot/*.csv"])
    assert "brand/trustpilot/*.csv" in target.read_text()
    target.write_text(target.read_text() + "# my edit\n")
    with pytest.raises(FileExistsError):
        use_profile("trustpilot_reviews", mappings)
    assert target.read_text().endswith("# my edit\n")
    with pytest.raises(ValueError, match="outside the landing folder"):
        use_profile("stripe_customers", mappings, ["../elsewhere/*.csv"])
    assert not (mappings / "stripe_customers.yml").exists()


def test_a_survey_sent_with_an_e_mail_as_external_reference_keys_the_customer_by_its_keyed_hash(tmp_path):
    con = _load_profile("qualtrics_responses", tmp_path)
    try:
        ana = keyed_hash(PII_KEY, "ana.fictive@example.com")  # the shop and helpdesk profiles' key for her
        keys = dict(con.execute("SELECT response_id, customer_id FROM raw_survey.customer_responses").fetchall())
        assert keys["R_4dDdDdDdDdDdDd4"] == ana and keys["R_1aAaAaAaAaAaAa1"] == "C-101"
        assert not any("@" in (k or "") for k in keys.values())
    finally:
        con.close()
