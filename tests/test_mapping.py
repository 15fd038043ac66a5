"""Import mappings on their own: parsing errors, compilation against a file, and loading through them.

Real DuckDB files in tmp_path and the real loader; the mapped exports are written here as a user's tool
would write them (semicolons, Windows-1252, Yes/No codes, a 1-4 scale, day-first dates)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import duckdb
import pytest

from dagster_project.contract import load_contract
from dagster_project.loading.ledger import ensure_meta_tables, ensure_raw_table
from dagster_project.loading.loader import load_entity, load_file
from dagster_project.loading.mapping import MappingError, load_mapping
from dagster_project.loading.reader import LoadError
from dagster_project.loading.validate import pseudonym

CONTRACT = load_contract()
PII_KEY = "test-key"

# A CRM export from a French-speaking tool: one row per customer with a satisfaction answer on 1-4.
CRM_MAPPING = """
    name: crm_export
    description: test export
    provenance: written by the test
    files: [crm/*.csv]
    read: {delimiter: ";", encoding: cp1252, null_values: ["", "n/a"]}
    outputs:
      customers:
        columns:
          customer_id: No client
          customer_name: Nom
          segment: Segment
          signup_date: {from: Depuis, format: "%d/%m/%Y"}
          status: {from: Résilié, map: {"Yes": churned, "No": active}}
      customer_responses:
        columns:
          response_id: {sql: "'csat-' || \\"No client\\""}
          customer_id: No client
          survey_type: {value: CSAT}
          score: {from: Satisfaction, rescale: {from: [1, 4], to: [1, 5]}}
          comment: Commentaire
          responded_at: {from: Depuis, format: "%d/%m/%Y"}
"""
CRM_HEADER = "No client;Nom;Segment;Depuis;Résilié;Satisfaction;Commentaire\r\n"


def _write_mapping(landing: Path, text: str, name: str = "crm_export.yml") -> Path:
    path = landing / "_mappings" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _write_cp1252(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("cp1252"))
    return path


def _load(con, landing: Path, entity: str, load_id: str = "run"):
    return load_entity(con, CONTRACT.entity(entity), landing, load_id, PII_KEY, log=lambda _: None)


@pytest.fixture
def lake(tmp_path: Path):
    landing = tmp_path / "landing"
    landing.mkdir()
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    yield landing, con
    con.close()


# ------------------------------------------------------------------------------------------ parsing


def test_a_valid_mapping_parses_with_every_field(lake):
    landing, _ = lake
    mapping = load_mapping(_write_mapping(landing, CRM_MAPPING))
    assert mapping.name == "crm_export"
    assert mapping.files == ("crm/*.csv",)
    assert (mapping.read.delimiter, mapping.read.encoding, mapping.read.null_values) == (";", "cp1252", ("", "n/a"))
    assert set(mapping.outputs) == {"customers", "customer_responses"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("customer_id: No client", "customer_id: No client\n          loyalty_tier: Tier"), "loyalty_tier"),
        (("          segment: Segment\n", ""), "required customers column(s) not mapped: ['segment']"),
        (("encoding: cp1252", "encoding: ebcdic"), "encoding 'ebcdic' not supported"),
        (("read: {", "read: {tab: 2, "), "unknown read option(s) ['tab']"),
        (("survey_type: {value: CSAT}", "survey_type: {constant: CSAT}"), "needs one of from / sql / value"),
        (("rescale: {from: [1, 4]", "rescale: {from: [4, 4]"), "rescale.from needs two different values"),
        (("    files: [crm/*.csv]\n", ""), "missing required key 'files'"),
    ],
    ids=[
        "unknown-column",
        "unmapped-required",
        "bad-encoding",
        "unknown-read-option",
        "bad-spec",
        "flat-rescale",
        "no-files",
    ],
)
def test_mapping_errors_name_the_file_and_the_field(lake, change, message):
    landing, _ = lake
    old, new = change
    assert old in CRM_MAPPING
    path = _write_mapping(landing, CRM_MAPPING.replace(old, new), "broken_export.yml")
    with pytest.raises(MappingError) as err:
        load_mapping(path)
    assert "broken_export.yml" in str(err.value)
    assert message in str(err.value)


def test_an_unknown_entity_is_rejected_naming_it(lake):
    # The contract raises KeyError listing its entities; it does not name the mapping file yet (see docs).
    landing, _ = lake
    path = _write_mapping(landing, CRM_MAPPING.replace("customer_responses:", "nps_answers:"), "broken_export.yml")
    with pytest.raises((MappingError, KeyError)) as err:
        load_mapping(path)
    assert "nps_answers" in str(err.value)


# ------------------------------------------------------------------------------------------ loading


def test_semicolon_cp1252_export_with_codes_and_a_rescaled_scale_loads(lake):
    landing, con = lake
    _write_mapping(landing, CRM_MAPPING)
    _write_cp1252(
        landing / "crm" / "export.csv",
        CRM_HEADER
        + "K1;Zoë Müller;SMB;05/01/2024;No;1;Très bien, 10 € de remise\r\n"
        + "K2;Jean Dupré;Enterprise;31/12/2023;Yes;2;Délai trop long\r\n"
        + "K3;n/a;SMB;01/02/2024;No;3;\r\n"
        + "K4;Ève;SMB;15/03/2024;No;4;n/a\r\n",
    )
    customers = _load(con, landing, "customers")
    responses = _load(con, landing, "customer_responses")
    assert (customers.rows_read, customers.rows_loaded, customers.rows_quarantined) == (4, 4, 0)
    assert (responses.rows_read, responses.rows_loaded, responses.rows_quarantined) == (4, 4, 0)

    rows = con.execute(
        "SELECT customer_id, segment, signup_date::VARCHAR, status FROM raw_crm.customers ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("K1", "SMB", "2024-01-05", "active"),
        ("K2", "Enterprise", "2023-12-31", "churned"),
        ("K3", "SMB", "2024-02-01", "active"),
        ("K4", "SMB", "2024-03-15", "active"),
    ]
    # Names are pseudonymised from the correctly decoded text: "Zoë Müller", not a mojibake of it.
    expected = pseudonym("zoë müller", PII_KEY)
    names = dict(con.execute("SELECT customer_id, customer_name FROM raw_crm.customers").fetchall())
    assert names["K1"] == expected and names["K3"] is None

    answers = con.execute(
        "SELECT response_id, survey_type, round(score, 4), comment, responded_at::VARCHAR "
        "FROM raw_survey.customer_responses ORDER BY 1"
    ).fetchall()
    assert answers == [
        ("csat-K1", "CSAT", 1.0, "Très bien, 10 € de remise", "2024-01-05 00:00:00"),
        ("csat-K2", "CSAT", 2.3333, "Délai trop long", "2023-12-31 00:00:00"),
        ("csat-K3", "CSAT", 3.6667, None, "2024-02-01 00:00:00"),
        ("csat-K4", "CSAT", 5.0, None, "2024-03-15 00:00:00"),
    ]


def test_broken_rows_are_quarantined_with_row_and_column_while_good_rows_load(lake):
    landing, con = lake
    _write_mapping(landing, CRM_MAPPING)
    _write_cp1252(
        landing / "crm" / "export.csv",
        CRM_HEADER
        + "K1;Zoë;SMB;05/01/2024;No;4;ok\r\n"  # row 2: good
        + "K2;Jean;SMB;le 3 mars;No;3;\r\n"  # row 3: not a date in the mapped format
        + ";Anon;SMB;05/01/2024;No;3;\r\n"  # row 4: no key
        + "K4;Ève;SMB;05/01/2024;No;3;trop;de;champs\r\n"  # row 5: too many fields
        + "K5;Luc;;05/01/2024;Maybe;2;\r\n"  # row 6: no segment; Maybe -> NULL status is allowed
        + "K6;Léa;SMB;06/01/2024;Yes;1;fin\r\n",  # row 7: good
    )
    summary = _load(con, landing, "customers")
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (6, 2, 4)
    assert [r[0] for r in con.execute("SELECT customer_id FROM raw_crm.customers ORDER BY 1").fetchall()] == [
        "K1",
        "K6",
    ]
    rows = con.execute(
        "SELECT source_row, column_name, reason FROM meta.quarantine WHERE entity = 'customers' ORDER BY 1"
    ).fetchall()
    assert [(r, c) for r, c, _ in rows] == [(3, "signup_date"), (4, "customer_id"), (5, None), (6, "segment")]
    reasons = [reason for _, _, reason in rows]
    assert reasons[0] == "signup_date: missing required value"  # the format spec yields NULL for "le 3 mars"
    assert reasons[1] == "customer_id: missing required value"
    assert reasons[2] == "too many fields"
    assert reasons[3] == "segment: missing required value"


NPS_MAPPING = """
    name: nps_export
    files: [nps/*.csv]
    read: {delimiter: ";"}
    outputs:
      customer_responses:
        columns:
          response_id: Id
          survey_type: {value: NPS}
          score: Note
          comment: Pourquoi
          responded_at: Date
"""


def test_wrong_types_missing_values_and_broken_records_in_a_mapped_file(lake):
    landing, con = lake
    _write_mapping(landing, NPS_MAPPING, "nps_export.yml")
    (landing / "nps").mkdir()
    (landing / "nps" / "wave.csv").write_text(
        "Id;Note;Pourquoi;Date\n"
        "R1;9;super;2024-05-01 10:00:00\n"  # row 2: good
        "R2;dix;;2024-05-01\n"  # row 3: wrong type
        ";7;;2024-05-02\n"  # row 4: no key
        "R4;8;a;b;c;2024-05-03\n"  # row 5: too many fields
        "R5;11;;2024-05-03\n"  # row 6: outside the NPS scale (contract rule)
        "R6;3;;hier\n"  # row 7: not a timestamp
        'R7;10;"deux\nlignes";2024-05-04\n'  # row 8: good, one record over two lines
        "R8;6;;2024-05-04\n"  # row 9: good
        "R1;5;;2024-05-05\n"  # row 10: the key again
    )
    summary = _load(con, landing, "customer_responses")
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (9, 3, 6)
    loaded = con.execute("SELECT response_id, _source_row FROM raw_survey.customer_responses ORDER BY 2").fetchall()
    assert loaded == [("R1", 2), ("R7", 8), ("R8", 9)]
    rows = con.execute("SELECT source_row, column_name, reason FROM meta.quarantine ORDER BY 1").fetchall()
    assert [(r, c) for r, c, _ in rows] == [
        (3, "score"),
        (4, "response_id"),
        (5, None),  # the parser cannot tell which field is extra
        (6, "score"),
        (7, "responded_at"),
        (10, "response_id"),
    ]
    reasons = [reason for _, _, reason in rows]
    assert reasons[0] == "score: not a valid double"
    assert reasons[1] == "response_id: missing required value"
    assert reasons[2] == "too many fields"
    assert reasons[3] == "score: an NPS score must be a whole number 0..10"
    assert reasons[4] == "responded_at: not a valid timestamp"
    assert reasons[5].startswith("response_id: duplicate response_id")


def test_a_scale_value_outside_the_rescaled_range_is_caught_by_the_contract(lake):
    landing, con = lake
    _write_mapping(landing, CRM_MAPPING)
    _write_cp1252(
        landing / "crm" / "export.csv",
        CRM_HEADER
        + "K1;Zoë;SMB;05/01/2024;No;quatre;x\r\nK2;Léa;SMB;05/01/2024;No;5;y\r\nK3;Max;SMB;05/01/2024;No;2;z\r\n",
    )
    summary = _load(con, landing, "customer_responses")
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (3, 1, 2)
    rows = con.execute("SELECT source_row, column_name, reason FROM meta.quarantine ORDER BY 1").fetchall()
    # "quatre" does not rescale (NULL -> missing); 5 on a 1-4 scale rescales to 6.33, outside CSAT 1-5.
    assert rows == [
        (2, "score", "score: missing required value"),
        (3, "score", "score: a CSAT score must be 1..5"),
    ]


def test_a_column_the_mapping_needs_but_the_file_lacks_fails_that_file_naming_both(lake):
    landing, con = lake
    _write_mapping(landing, CRM_MAPPING)
    path = _write_cp1252(
        landing / "crm" / "export.csv",
        "No client;Nom;Segment;Depuis;Satisfaction;Commentaire\r\nK1;Zoë;SMB;05/01/2024;4;ok\r\n",
    )
    summary = _load(con, landing, "customers")
    [failed] = summary.failures
    assert "crm/export.csv" in failed.message and "Résilié" in failed.message
    assert con.execute("SELECT count(*) FROM raw_crm.customers").fetchone()[0] == 0
    report = con.execute("SELECT status, message FROM meta.load_report").fetchall()
    assert report == [("failed", failed.message)]

    # The same failure, raised by the single-file loader.
    entity = CONTRACT.entity("customers")
    ensure_meta_tables(con)
    ensure_raw_table(con, entity)
    with pytest.raises(LoadError, match="Résilié"):
        load_file(con, entity, path, load_mapping(landing / "_mappings" / "crm_export.yml"), landing, "run2", PII_KEY)


def test_a_sql_spec_reading_a_missing_column_fails_the_file_naming_the_column(lake):
    landing, con = lake
    _write_mapping(landing, CRM_MAPPING.replace("'csat-' || \\\"No client\\\"", "'csat-' || ticket_no"))
    _write_cp1252(landing / "crm" / "export.csv", CRM_HEADER + "K1;Zoë;SMB;05/01/2024;No;4;ok\r\n")
    summary = _load(con, landing, "customer_responses")
    [failed] = summary.failures
    assert "crm/export.csv" in failed.message and "ticket_no" in failed.message
    assert con.execute("SELECT count(*) FROM raw_survey.customer_responses").fetchone()[0] == 0


def test_unpivot_and_where_turn_wide_answers_into_item_rows(lake):
    landing, con = lake
    _write_mapping(
        landing,
        """
        name: pulse
        files: [pulse/*.csv]
        outputs:
          employee_responses:
            where: "Team <> 'TEST'"
            unpivot: {columns: [Q1, Q2], name: item, value: answer}
            columns:
              response_id: {sql: "Resp || '-' || item"}
              respondent_id: Resp
              team: Team
              question_id: item
              score: answer
              responded_at: {value: "2025-03-31"}
        """,
        "pulse.yml",
    )
    (landing / "pulse").mkdir()
    (landing / "pulse" / "wave1.csv").write_text("Resp,Team,Q1,Q2\nR1,Ops,4,5\nR2,TEST,1,1\nR3,Ops,3,\n")
    summary = _load(con, landing, "employee_responses")
    # R2's two items are not selected by `where` (counted as excluded); R3's empty Q2 is not an answer
    # (UNPIVOT drops NULLs). Counts are item rows: 5 = 3 loaded + 2 excluded.
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (5, 3, 0)
    assert summary.rows_excluded == 2
    rows = con.execute(
        "SELECT question_id, score, _source_row FROM raw_survey.employee_responses ORDER BY _source_row, 1"
    ).fetchall()
    assert rows == [("Q1", 4.0, 2), ("Q2", 5.0, 2), ("Q1", 3.0, 4)]


def test_rows_a_where_does_not_select_are_counted_as_excluded(lake):
    landing, con = lake
    _write_mapping(
        landing,
        """
        name: shop_reviews
        files: [shop/*.csv]
        outputs:
          reviews:
            where: "Source <> 'internal'"
            columns:
              review_id: Id
              platform: Source
              rating: Stars
              reviewed_at: {value: "2024-01-01"}
        """,
        "shop_reviews.yml",
    )
    (landing / "shop").mkdir()
    (landing / "shop" / "reviews.csv").write_text("Id,Source,Stars\n1,web,5\n2,internal,4\n3,web,9\n")
    summary = _load(con, landing, "reviews")
    # 3 read = 1 loaded + 1 quarantined (the 9 stars is out of range) + 1 excluded (the internal review)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined, summary.rows_excluded) == (3, 1, 1, 1)
    assert con.execute("SELECT source_file, reason, rows FROM meta.load_exclusions").fetchall() == [
        ("shop/reviews.csv", "not selected by the mapping's where:", 1)
    ]
