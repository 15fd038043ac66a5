"""The loader under attack: whoever can drop a file into the landing folder must not read the machine, the PII
key or other files, and no field of a landing file may reach the published metadata.

Real DuckDB files and the real loader and publisher. Each attack is written as the attacker would write it;
on the code before the mapping sandbox each of these tests fails (the expression ran, the file was read, or
the value was quoted in meta.load_report / meta.quarantine). The sandbox module is imported inside the tests
that need it, so this file also runs against that older code."""

from __future__ import annotations

import hashlib
import json
import textwrap
from pathlib import Path

import duckdb
import pytest

from dagster_project.contract import load_contract
from dagster_project.loading.loader import load_entity
from dagster_project.loading.mapping import MappingError, load_mapping
from dagster_project.loading.reader import UNTERMINATED_QUOTE
from dagster_project.publishing import publish
from tests import test_mapping

CONTRACT = load_contract()
PII_KEY = "attack-test-key-5f1c"
HEADER = "customer_id,customer_name,email,segment,region,location,channel,signup_date,status,churn_date\n"
# Known field values: none of them may appear in any published meta table.
ANN = "C1,Ann Smith,ann.smith@example.com,SMB,North,Leeds,web,2024-01-05,active,\n"
BOB = "C2,Bob Jones,bob.jones@example.com,SMB,North,Leeds,web,2024-01-06,active,\n"
# The `lake` fixture of the mapping tests (an empty landing folder and a build warehouse), registered here too.
lake = test_mapping.lake
KNOWN_VALUES = ("Ann Smith", "ann.smith@example.com", "Bob Jones", "bob.jones@example.com", "Leeds")


def _load(con, landing: Path, entity: str = "customers"):
    return load_entity(con, CONTRACT.entity(entity), landing, "attack-run", PII_KEY, log=lambda _: None)


def _mapping(landing: Path, columns: str, name: str = "evil.yml", extra: str = "") -> Path:
    """A customers mapping over `export/*.csv` with the given column specs (YAML, one per line)."""
    body = textwrap.indent(textwrap.dedent(columns).strip(), " " * 8)
    text = f"name: evil\nfiles: [export/*.csv]\n{extra}outputs:\n  customers:\n    columns:\n{body}\n"
    path = landing / "_mappings" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _export(landing: Path, text: str = "Id,Seg,Since\nK1,SMB,2024-01-05\n") -> None:
    (landing / "export").mkdir(parents=True, exist_ok=True)
    (landing / "export" / "drop.csv").write_text(text, encoding="utf-8")


def _all_text(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...] | None = None) -> str:
    """Every value of every table (in `schemas`, or all) of the database, as one text."""
    tables = con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
    parts = []
    for schema, table in tables:
        if schemas is None or schema in schemas:
            for row in con.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall():
                parts.append(" | ".join(str(v) for v in row))
    return "\n".join(parts)


def _published_meta(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> str:
    """Publish the build warehouse with the real publisher and return every value of the served meta tables."""
    build_db = Path(
        con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchone()[0]
    )
    con.close()
    serving = tmp_path / "serving.duckdb"
    publish(build_db, serving, "attack-run")
    with duckdb.connect(str(serving), read_only=True) as served:
        assert served.execute("SELECT count(*) FROM meta.load_report").fetchone()[0] > 0
        return _all_text(served, ("meta",))


# ------------------------------------------------------------------------- mapping expressions


ATTACKS = [
    ("getvariable", "customer_id: {sql: \"getvariable('pii_key')\"}", "function getvariable() is not allowed"),
    ("read_text", "customer_id: {sql: \"read_text('/etc/passwd')\"}", "function read_text() is not allowed"),
    ("read_csv", "customer_id: {sql: \"read_csv('/etc/passwd')\"}", "function read_csv() is not allowed"),
    ("glob", "customer_id: {sql: \"glob('/etc/*')\"}", "function glob() is not allowed"),
    ("read_blob", "customer_id: {sql: \"read_blob('/etc/hostname')\"}", "function read_blob() is not allowed"),
    ("current_setting", "customer_id: {sql: \"current_setting('home_directory')\"}", "current_setting() is not"),
    (
        "subquery",
        "customer_id: {sql: \"(SELECT string_agg(content, ',') FROM read_text('/etc/passwd'))\"}",
        "not allowed",
    ),
    ("scalar-subquery", 'customer_id: {sql: "Id || (SELECT 1)"}', "subqueries are not allowed"),
    ("two-statements", "customer_id: {sql: \"Id; SELECT getvariable('pii_key')\"}", "several statements"),
    ("copy", "customer_id: {sql: \"COPY (SELECT 1) TO '/tmp/x.csv'\"}", "statements (COPY) are not allowed"),
    ("attach", "customer_id: {sql: \"ATTACH '/tmp/other.duckdb'\"}", "statements (ATTACH) are not allowed"),
    ("set", 'customer_id: {sql: "SET enable_external_access = true"}', "statements (SET) are not allowed"),
    ("bare-aggregate", 'customer_id: {sql: "max(Id)"}', "max() is allowed only as a window function"),
    ("parameter", 'customer_id: {sql: "$1"}', "parameters and variables are not allowed"),
]


@pytest.mark.parametrize(("spec", "refusal"), [a[1:] for a in ATTACKS], ids=[a[0] for a in ATTACKS])
def test_a_mapping_expression_outside_the_allow_list_is_refused_naming_file_column_and_construct(lake, spec, refusal):
    landing, con = lake
    _mapping(landing, f"{spec}\nsegment: Seg\nsignup_date: Since")
    _export(landing)
    with pytest.raises(MappingError) as err:
        load_mapping(landing / "_mappings" / "evil.yml")
    message = str(err.value)
    assert message.startswith("evil.yml: customers.customer_id: ") and refusal in message

    # Through the loader: the mapping is reported failed, nothing of the export is loaded, no key leaks.
    summary = _load(con, landing)
    [failed] = summary.failures
    assert failed.message == message
    assert con.execute("SELECT count(*) FROM raw_crm.customers").fetchone()[0] == 0
    assert PII_KEY not in _all_text(con)


def test_where_and_other_user_text_are_checked_too(lake):
    landing, _ = lake
    columns = "customer_id: Id\nsegment: Seg\nsignup_date: Since"
    path = _mapping(landing, columns)
    text = path.read_text().replace("  customers:\n", '  customers:\n    where: "Id IN (SELECT 1)"\n')
    path.write_text(text)
    with pytest.raises(MappingError, match=r"evil.yml: customers.where: subqueries are not allowed"):
        load_mapping(path)

    refusals = {
        "status: {from: Seg, rescale: {from: [1, \"4) + length(getvariable('pii_key')) + (1\"], to: [1, 5]}}": (
            "customers.status: rescale: must be a number"
        ),
        "churn_date: {from: Since, format: [1]}": "format must be text",
    }
    for spec, refusal in refusals.items():
        path = _mapping(landing, f"{columns}\n{spec}")
        with pytest.raises(MappingError, match=refusal.replace("(", r"\(").replace(")", r"\)")):
            load_mapping(path)
    for option, refusal in {
        "read: {quote: \"', nullstr = getvariable('pii_key'), x='\"}\n": "read.quote: must be one character",
        'read: {delimiter: "|| "}\n': "read.delimiter: must be one character",
        'read: {null_values: ["a\\nb"]}\n': "read.null_values",
        'read: {header: "yes please"}\n': "read.header must be true or false",
    }.items():
        path = _mapping(landing, columns, extra=option)
        with pytest.raises(MappingError, match=refusal):
            load_mapping(path)


def test_constants_and_codes_are_literals_not_sql(lake):
    landing, con = lake
    sneaky = "x' || getvariable('pii_key') || '"
    _mapping(
        landing,
        f"""
        customer_id: Id
        segment: {{value: "{sneaky}"}}
        signup_date: Since
        status: {{from: Seg, map: {{"SMB": "active' || getvariable('pii_key') || '"}}}}
        """,
    )
    _export(landing)
    summary = _load(con, landing)
    assert (summary.rows_read, summary.rows_loaded + summary.rows_quarantined) == (1, 1)
    assert PII_KEY not in _all_text(con)
    # The texts arrived as the texts they are (the row is quarantined: neither is an allowed code).
    record = json.loads(con.execute("SELECT record FROM meta.quarantine").fetchone()[0])
    assert (record["segment"], record["status"]) == (sneaky, "active' || getvariable('pii_key') || '")


def test_allowed_expressions_still_work_including_window_functions_and_the_keyed_hash(lake):
    from dagster_project.loading.sandbox import keyed_hash

    landing, con = lake
    _mapping(
        landing,
        """
        customer_id: {sql: "Id || '-' || row_number() OVER (PARTITION BY Seg ORDER BY Id)"}
        segment: {sql: "upper(left(trim(Seg), 3))"}
        signup_date: {sql: "CAST(DATE '2024-01-31' - to_months(TRY_CAST(Months AS INTEGER)) AS DATE)"}
        location: {sql: "'n=' || count(*) OVER (PARTITION BY Seg)"}
        region: {sql: "'r_' || keyed_hash(Id)"}
        channel: {sql: "CASE WHEN regexp_matches(Id, '^K[0-9]+$') THEN coalesce(nullif(Ch, ''), 'web') END"}
        """,
    )
    _export(landing, "Id,Seg,Months,Ch\nK1,smb,1,\nK2,smb,2,shop\n")
    summary = _load(con, landing)
    assert (summary.rows_loaded, summary.rows_quarantined) == (2, 0), summary.files
    rows = con.execute(
        "SELECT customer_id, segment, signup_date::VARCHAR, location, region, channel FROM raw_crm.customers ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("K1-1", "SMB", "2023-12-31", "n=2", "r_" + keyed_hash(PII_KEY, "K1"), "web"),
        ("K2-2", "SMB", "2023-11-30", "n=2", "r_" + keyed_hash(PII_KEY, "K2"), "shop"),
    ]


# ------------------------------------------------------------------------- the locked connection


def test_the_sandbox_connection_cannot_read_files_change_settings_or_see_the_key(tmp_path):
    from dagster_project.loading.sandbox import Sandbox

    secret_file = tmp_path / "secret.csv"
    secret_file.write_text("a\nmachine-secret\n")
    box = Sandbox(PII_KEY)
    try:
        # Before lock() the loader reads its file; afterwards nothing can, whatever SQL slipped through.
        box.con.execute("CREATE TEMP TABLE _src AS SELECT * FROM read_csv(?)", [str(secret_file)])
        box.lock()
        for attack in (
            f"SELECT * FROM read_csv('{secret_file}')",
            f"SELECT * FROM read_text('{secret_file}')",
            f"SELECT * FROM glob('{tmp_path}/*')",
            f"COPY _src TO '{tmp_path}/out.csv'",
            f"ATTACH '{tmp_path}/other.duckdb' AS other",
            "SET enable_external_access = true",
            "SET lock_configuration = false",
        ):
            with pytest.raises(duckdb.Error):
                box.con.execute(attack)
        assert not (tmp_path / "out.csv").exists() and not (tmp_path / "other.duckdb").exists()
        # The key is in no variable, setting or function definition; keyed_hash uses it without showing it.
        assert box.con.execute("SELECT getvariable('pii_key')").fetchone() == (None,)
        catalog = _all_text(box.con) + str(box.con.execute("SELECT * FROM duckdb_functions()").fetchall())
        catalog += str(box.con.execute("SELECT * FROM duckdb_settings()").fetchall())
        assert PII_KEY not in catalog
        assert box.con.execute("SELECT keyed_hash('x')").fetchone() == (
            hashlib.sha256(f"{PII_KEY}|x".encode()).hexdigest()[:32],
        )
    finally:
        box.close()


def test_an_expression_that_slipped_past_the_checker_still_cannot_read_files_or_the_key(lake, tmp_path, monkeypatch):
    """Defence in depth, through the real loader: with the allow-list switched off (a checker bug), the locked
    sandbox still stops file access, and the key is in no variable the expression could read."""
    from dagster_project.loading import mapping as mapping_module
    from dagster_project.loading.sandbox import CheckedExpression

    def no_checks(text, where, group_by=None):
        return CheckedExpression(sql=str(text), columns=frozenset())

    monkeypatch.setattr(mapping_module, "check_expression", no_checks)
    secret_file = tmp_path / "machine_secret.txt"
    secret_file.write_text("machine-secret-42")
    landing, con = lake
    _export(landing)
    for attack in (f"(SELECT content FROM read_text('{secret_file}'))", "coalesce(getvariable('pii_key'), Id)"):
        _mapping(landing, f'customer_id: {{sql: "{attack}"}}\nsegment: Seg\nsignup_date: Since')
        _load(con, landing)
    text = _all_text(con)
    assert "machine-secret-42" not in text and PII_KEY not in text
    report = con.execute("SELECT status, message FROM meta.load_report ORDER BY loaded_at").fetchall()
    assert report[0] == (
        "failed",
        "export/drop.csv: mapping 'evil', output customers, column customer_id: the expression tried to reach a "
        "file or a setting, which mapping SQL cannot",
    )
    # The variable is empty in the sandbox: the row loads with its own Id.
    assert report[1][0] == "loaded"
    assert con.execute("SELECT customer_id FROM raw_crm.customers").fetchall() == [("K1",)]


def test_the_checker_refuses_what_the_locked_connection_would_also_stop():
    from dagster_project.loading.sandbox import check_expression

    # The two walls overlap: every file-reading function the checker refuses is one the lock stops.
    for text in ("read_csv('x')", "read_parquet('x')", "parquet_scan('x')", "read_json('x')", "read_text('x')"):
        with pytest.raises(MappingError, match="is not allowed"):
            check_expression(text, "m.yml: customers.customer_id")


# ------------------------------------------------------------------------- paths


def test_a_symlink_leading_outside_the_landing_folder_is_refused_and_other_files_load(lake, tmp_path):
    landing, con = lake
    outside = tmp_path / "outside" / "stolen.csv"
    outside.parent.mkdir()
    outside.write_text(HEADER + BOB)
    (landing / "customers").mkdir()
    (landing / "customers" / "good.csv").write_text(HEADER + ANN)
    (landing / "customers" / "evil.csv").symlink_to(outside)
    summary = _load(con, landing)
    [failed] = summary.failures
    assert failed.message == (
        "customers/evil.csv: refused: the file lies outside the landing folder (a link or a '..' path); "
        "copy the file itself into the landing folder"
    )
    assert [r[0] for r in con.execute("SELECT customer_id FROM raw_crm.customers").fetchall()] == ["C1"]
    assert con.execute("SELECT count(*) FROM meta.load_report WHERE status = 'failed'").fetchone() == (1,)


def test_a_symlinked_folder_leading_outside_is_refused_too(lake, tmp_path):
    landing, con = lake
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "stolen.csv").write_text(HEADER + BOB)
    (landing / "customers").mkdir()
    (landing / "customers" / "linked").symlink_to(outside, target_is_directory=True)
    summary = _load(con, landing)
    assert [f.status for f in summary.files] in ([], ["failed"])  # not listed, or listed and refused
    assert con.execute("SELECT count(*) FROM raw_crm.customers").fetchone()[0] == 0


@pytest.mark.parametrize("glob", ["../outside/*.csv", "export/../../outside/*.csv", "/etc/*.csv"])
def test_a_mapping_glob_escaping_the_landing_folder_is_refused(lake, tmp_path, glob):
    landing, con = lake
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "stolen.csv").write_text("Id,Seg,Since\nSTOLEN,SMB,2024-01-05\n")
    path = _mapping(landing, "customer_id: Id\nsegment: Seg\nsignup_date: Since")
    path.write_text(path.read_text().replace("files: [export/*.csv]", f'files: ["{glob}"]'))
    summary = _load(con, landing)
    [failed] = summary.failures
    assert failed.message == (
        f"evil.yml: files: {glob!r} points outside the landing folder (relative globs without '..' only)"
    )
    assert con.execute("SELECT count(*) FROM raw_crm.customers").fetchone()[0] == 0


# ------------------------------------------------------------------------- no field contents in metadata


def test_a_file_without_its_header_leaves_no_field_value_in_published_metadata(lake, tmp_path):
    landing, con = lake
    (landing / "customers").mkdir()
    (landing / "customers" / "no_header.csv").write_text(ANN + BOB)
    summary = _load(con, landing)
    [failed] = summary.failures
    assert failed.message == (
        "customers/no_header.csv: missing required column(s) customer_id, segment, signup_date for customers "
        "(its first line has none of the contract's column names: is the header line missing?)"
    )
    published = _published_meta(con, tmp_path)
    assert "no_header.csv" in published
    for value in KNOWN_VALUES:
        assert value not in published


def test_swapped_columns_leave_no_field_value_in_published_metadata(lake, tmp_path):
    landing, con = lake
    (landing / "customers").mkdir()
    # The export tool wrote e-mail and sign-up date in each other's places under the right header.
    swapped = [
        line.replace(email, "<swap>").replace(f",{date},", f",{email},").replace("<swap>", date)
        for line, email, date in (
            (ANN, "ann.smith@example.com", "2024-01-05"),
            (BOB, "bob.jones@example.com", "2024-01-06"),
        )
    ]
    (landing / "customers" / "swapped.csv").write_text(HEADER + "".join(swapped))
    summary = _load(con, landing)
    assert (summary.rows_read, summary.rows_quarantined) == (2, 2)
    reasons = con.execute("SELECT source_row, column_name, reason FROM meta.quarantine ORDER BY 1").fetchall()
    assert reasons == [
        (2, "signup_date", "signup_date: not a valid date"),
        (3, "signup_date", "signup_date: not a valid date"),
    ]
    # The data steward still finds the offending value in the build warehouse's unpublished record column.
    assert (
        "ann.smith@example.com" in con.execute("SELECT record FROM meta.quarantine WHERE source_row = 2").fetchone()[0]
    )
    published = _published_meta(con, tmp_path)
    for value in KNOWN_VALUES:
        assert value not in published


def test_parser_rejects_sniff_errors_and_mapping_conversion_errors_quote_no_value(lake, tmp_path):
    landing, con = lake
    (landing / "customers").mkdir()
    # Too many fields, in a file whose header is fine.
    (landing / "customers" / "ragged.csv").write_text(HEADER + ANN + BOB.rstrip("\n") + ",Bob's secret extra\n")
    # A quote that never closes: DuckDB cannot sniff the layout; the line is set aside (quarantined without
    # its text) and the rest of the file loads.
    (landing / "customers" / "unsniffable.csv").write_text(HEADER + '"Ann Smith,C9\n' + BOB)
    # Not UTF-8: the record is rejected by the parser.
    (landing / "customers" / "latin.csv").write_bytes(
        (HEADER + ANN.replace("Ann Smith", "Ann Sm\xeft\xe9")).encode("latin-1")
    )
    # A mapping whose CAST fails on a value: DuckDB's error quotes the value.
    _mapping(landing, 'customer_id: Id\nsegment: Seg\nsignup_date: {sql: "CAST(Since AS DATE)"}')
    _export(landing, "Id,Seg,Since\nK1,SMB,Leeds-is-not-a-date\n")
    summary = _load(con, landing)
    messages = {f.source_file: f.message for f in summary.failures}
    assert messages == {
        "export/drop.csv": "export/drop.csv: mapping 'evil', output customers, column signup_date: a value could not "
        "be converted (use TRY_CAST, so such rows are quarantined)",
    }
    assert con.execute(
        "SELECT source_file, source_row, column_name, reason FROM meta.quarantine ORDER BY 1"
    ).fetchall() == [
        ("customers/latin.csv", 2, "customer_name", "not valid text in the file's encoding"),
        ("customers/ragged.csv", 3, None, "too many fields"),
        ("customers/unsniffable.csv", 2, None, UNTERMINATED_QUOTE),
    ]
    published = _published_meta(con, tmp_path)
    for value in (*KNOWN_VALUES, "Bob's secret extra", "Leeds-is-not-a-date", "Ann Sm"):
        assert value not in published


def test_the_documented_operators_are_allowed_and_functions_of_the_same_name_are_not_read_files():
    from dagster_project.loading.sandbox import check_expression

    # sqlglot models AND / OR as function nodes too: they are the operators docs/mappings.md lists.
    for text in ("a = '1' OR b = '2'", "a = '1' AND NOT b IS NULL", "(a = '1' OR b = '2') AND a LIKE 'x%'"):
        checked = check_expression(text, "m.yml: customers.customer_id")
        assert checked.columns == {"a", "b"}
    with pytest.raises(MappingError, match="is not allowed"):
        check_expression("a = '1' OR read_text('x') IS NULL", "m.yml: customers.customer_id")
