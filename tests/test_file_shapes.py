"""The file shapes the loader reads: workbooks, archives, whitespace and fixed-width text, files DuckDB cannot
sniff, and the kinds it does not read. Each file is written here as the exporting tool would write it (a
workbook with openpyxl, an archive with zipfile), loaded through the real loader into a temp DuckDB, and the
counts and row numbers are asserted. Failing shapes are seen failing with their messages."""

from __future__ import annotations

import datetime as dt
import gzip
import textwrap
import zipfile
from pathlib import Path

import openpyxl
import pytest

from dagster_project.contract import load_contract
from dagster_project.loading import reader
from dagster_project.loading.loader import load_entity
from dagster_project.loading.mapping import MappingError, load_mapping
from dagster_project.loading.workbook import cell_text as _cell_text
from tests import test_mapping

CUSTOMERS = load_contract().entity("customers")
# The `lake` fixture of the mapping tests (an empty landing folder and a build warehouse), registered here too.
lake = test_mapping.lake
# One mapping for every shape: the test changes its files: glob and read: options.
MAPPING = """
    name: shop_export
    files: [{glob}]
    read: {read}
    outputs:
      customers:
        columns:
          customer_id: Id
          segment: Segment
          signup_date: Joined
"""


def _map(landing: Path, glob: str, read: str = "{}") -> None:
    text = textwrap.dedent(MAPPING).format(glob=glob, read=read)
    (landing / "_mappings").mkdir(exist_ok=True)
    (landing / "_mappings" / "shop_export.yml").write_text(text, encoding="utf-8")


def _load(con, landing: Path):
    lines: list[str] = []
    summary = load_entity(con, CUSTOMERS, landing, "run", "key", log=lines.append)
    return summary, lines


def _counts(summary) -> tuple[int, int, int]:
    return summary.rows_read, summary.rows_loaded, summary.rows_quarantined


def _loaded(con) -> dict[str, tuple[int, str]]:
    rows = con.execute("SELECT customer_id, _source_row, CAST(signup_date AS VARCHAR) FROM raw_crm.customers")
    return {cid: (row, day) for cid, row, day in rows.fetchall()}


def _quarantined(con) -> list[tuple[int, str]]:
    return con.execute("SELECT source_row, reason FROM meta.quarantine ORDER BY source_row").fetchall()


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


# ------------------------------------------------------------------------------------------ workbooks


def _workbook(path: Path) -> Path:
    """A call-centre style workbook: a summary sheet first, then the data sheet with a title row above the
    header; typed cells (numbers, dates, timestamps) as Excel stores them."""
    book = openpyxl.Workbook()
    book.active.title = "Summary"
    book.active.append(["Exported by the shop", 3])
    sheet = book.create_sheet("Customers")
    sheet.append(["Customer list, January"])
    sheet.append([])
    sheet.append(["Id", "Segment", "Joined", "Spend"])
    sheet.append([101, "SMB", dt.date(2024, 1, 5), 12.0])
    sheet.append(["C102", "Enterprise", dt.datetime(2024, 1, 6, 0, 0), 0.1 + 0.2])
    sheet.append(["C103", "SMB", "not a date", 1 / 3])
    sheet.append([None, "SMB", dt.date(2024, 1, 7), 5])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def test_a_workbook_sheet_loads_by_name_below_its_title_rows_with_spreadsheet_row_numbers(lake):
    landing, con = lake
    _workbook(landing / "shop" / "customers.xlsx")
    _map(landing, "shop/*.xlsx", '{sheet: "Customers", skip_rows: 2}')
    summary, _ = _load(con, landing)
    assert _counts(summary) == (4, 2, 2)
    # Integers without ".0", dates as ISO text; row numbers are the sheet's (header on row 3).
    assert _loaded(con) == {"101": (4, "2024-01-05"), "C102": (5, "2024-01-06")}
    assert [row for row, _ in _quarantined(con)] == [6, 7]


def test_cells_become_text_as_excel_shows_them():
    assert [_cell_text(v) for v in (12.0, 0.1 + 0.2, 1 / 3, 1e20, -3.0, True)] == [
        "12",
        "0.3",
        "0.333333333333333",
        "1e+20",
        "-3",
        "true",
    ]
    assert _cell_text(dt.datetime(2024, 1, 5, 13, 45)) == "2024-01-05 13:45:00"
    assert _cell_text(dt.timedelta(hours=26, minutes=3)) == "26:03:00"
    assert _cell_text("") == ""


def test_a_sheet_the_workbook_lacks_fails_the_file_naming_its_sheets(lake):
    landing, con = lake
    _workbook(landing / "shop" / "customers.xlsx")
    _map(landing, "shop/*.xlsx", '{sheet: "Calls"}')
    summary, _ = _load(con, landing)
    (failed,) = summary.failures
    assert failed.message == (
        "shop/customers.xlsx: the workbook has no sheet named 'Calls' (its sheets: Summary, Customers)"
    )


def test_the_first_sheet_is_read_by_default_and_a_broken_workbook_fails_in_words(lake):
    landing, con = lake
    _workbook(landing / "shop" / "customers.xlsx")
    _write(landing / "shop" / "broken.xlsx", b"PK\x03\x04 not really a workbook")
    _map(landing, "shop/*.xlsx")
    summary, _ = _load(con, landing)
    messages = sorted(f.message for f in summary.failures)
    # The first sheet ("Summary") has no Id column: the mapping's columns are missing, the file fails.
    assert messages == [
        "shop/broken.xlsx: cannot read file: not a readable .xlsx workbook",
        "shop/customers.xlsx: column(s) Id, Joined, Segment used by mapping 'shop_export' for customers not in "
        "the file",
    ]


ODS_CELL = {
    str: '<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>',
    int: '<table:table-cell office:value-type="float" office:value="{}"/>',
    dt.date: '<table:table-cell office:value-type="date" office:date-value="{}"/>',
}


def _ods(path: Path, name: str, rows: list[list[object]]) -> Path:
    """The smallest OpenDocument spreadsheet LibreOffice writes: mimetype, manifest, content.xml."""
    ns = " ".join(
        f'xmlns:{p}="urn:oasis:names:tc:opendocument:xmlns:{p}:1.0"' for p in ("office", "table", "text", "manifest")
    )
    body = "".join(
        "<table:table-row>" + "".join(ODS_CELL[type(v)].format(v) for v in row) + "</table:table-row>" for row in rows
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="{name}">{body}</table:table></office:spreadsheet>'
        "</office:body></office:document-content>"
    )
    manifest = (
        f'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest {ns} manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
        'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return path


def test_an_opendocument_spreadsheet_loads_like_a_workbook(lake):
    landing, con = lake
    rows = [["Id", "Segment", "Joined"], [7, "SMB", dt.date(2024, 1, 5)], ["O8", "SMB", "soon"]]
    _ods(landing / "shop" / "roster.ods", "Roster", rows)
    _map(landing, "shop/*.ods")
    summary, _ = _load(con, landing)
    assert _counts(summary) == (2, 1, 1)
    assert _loaded(con) == {"7": (2, "2024-01-05")}


def test_title_lines_above_a_csv_header_are_skipped_and_row_numbers_stay_the_files(lake):
    landing, con = lake
    text = "Sales report\n\nId,Segment,Joined\nT1,SMB,2024-01-05\nT2,SMB\nT3,SMB,2024-01-07\n"
    _write(landing / "shop" / "report.csv", text)
    _map(landing, "shop/*.csv", "{skip_rows: 2}")
    summary, _ = _load(con, landing)
    assert _counts(summary) == (3, 2, 1)
    assert {k: v[0] for k, v in _loaded(con).items()} == {"T1": 4, "T3": 6}
    assert _quarantined(con) == [(5, "too few fields")]


# ------------------------------------------------------------------------------------------- archives

CSV_BODY = "Id;Segment;Joined\nA1;SMB;2024-01-05\nA2;SMB;2024-01-06\nA3;SMB;2024-13-01\n"


def _zip(path: Path, members: dict[str, str | bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_zipped_semicolon_file_loads_from_the_member_the_mapping_globs(lake):
    landing, con = lake
    _zip(
        landing / "hr" / "absence.zip",
        {"absence/2024-01.csv": CSV_BODY, "readme.pdf": b"%PDF-1.4", "__MACOSX/._absence.csv": b"junk"},
    )
    _map(landing, "hr/*.zip", '{member: "absence/*.csv", delimiter: ";"}')
    summary, _ = _load(con, landing)
    assert _counts(summary) == (3, 2, 1)
    assert set(_loaded(con)) == {"A1", "A2"} and _quarantined(con)[0][0] == 4
    assert con.execute("SELECT DISTINCT _source_file FROM raw_crm.customers").fetchall() == [("hr/absence.zip",)]


def test_an_archive_of_one_file_needs_no_member_and_gzip_text_loads(lake):
    landing, con = lake
    _zip(landing / "hr" / "one.zip", {"export.csv": CSV_BODY})
    with gzip.open(landing / "hr" / "two.tsv.gz", "wt") as fh:
        fh.write(CSV_BODY.replace(";", "\t").replace("A", "B"))
    _map(landing, "hr/*")
    summary, _ = _load(con, landing)
    assert [f.status for f in summary.files] == ["loaded", "loaded"]
    assert _counts(summary) == (6, 4, 2)


@pytest.mark.parametrize(
    ("members", "read", "message"),
    [
        (
            {"a.csv": CSV_BODY, "b.csv": CSV_BODY},
            "{}",
            "the archive holds 2 files that could be meant; name one with read.member in the import mapping",
        ),
        (
            {"a.csv": CSV_BODY},
            '{member: "absence/*.csv"}',
            "the archive holds no file that matches read.member 'absence/*.csv' (it holds 1 file(s))",
        ),
        (
            {"../../etc/cron.d/x.csv": CSV_BODY},
            "{}",
            "refused: the archive holds a file whose name leads outside the archive ('..' or an absolute path); "
            "nothing was unpacked",
        ),
        (
            {"/tmp/x.csv": CSV_BODY},
            "{}",
            "refused: the archive holds a file whose name leads outside the archive ('..' or an absolute path); "
            "nothing was unpacked",
        ),
        (
            {"inner.zip": b"PK"},
            "{}",
            "cannot read file: an archive inside an archive is not read; unpack the inner one",
        ),
    ],
)
def test_archive_members_that_cannot_be_chosen_or_lead_outside_fail_the_file(lake, members, read, message):
    landing, con = lake
    _zip(landing / "hr" / "x.zip", members)
    _map(landing, "hr/*.zip", read)
    summary, _ = _load(con, landing)
    (failed,) = summary.failures
    assert failed.message == f"hr/x.zip: {message}"
    assert not list((landing / "hr").glob("**/*.csv")) and not Path("/tmp/x.csv").exists()


def test_a_zip_bomb_is_refused_before_it_fills_the_disk(lake, monkeypatch):
    landing, con = lake
    # 8 MB of one repeated line pack to a few kB (ratio ~1000:1); the limits are lowered so the test stays small.
    monkeypatch.setattr(reader, "RATIO_FLOOR_BYTES", 1 << 20)
    bomb = "Id;Segment;Joined\n" + "A;SMB;2024-01-05\n" * 500_000
    _zip(landing / "hr" / "bomb.zip", {"bomb.csv": bomb})
    # A workbook is a zip too: a sheet that unpacks like a bomb is refused before the workbook is parsed.
    _zip(landing / "hr" / "bomb.xlsx", {"xl/worksheets/sheet1.xml": bomb})
    _map(landing, "hr/bomb.*")
    summary, _ = _load(con, landing)
    assert [f.message.split(" or more")[0] for f in summary.failures] == [
        f"hr/bomb.{kind}: refused: a file packed in it unpacks to 8 MB" for kind in ("xlsx", "zip")
    ]
    # Above the absolute limit a member is refused whatever its ratio.
    monkeypatch.setattr(reader, "RATIO_FLOOR_BYTES", 64 << 20)
    monkeypatch.setattr(reader, "MAX_MEMBER_BYTES", 4 << 20)
    summary, _ = _load(con, landing)
    assert [f.message.split(" or more")[0] for f in summary.failures] == [
        f"hr/bomb.{kind}: refused: a file packed in it unpacks to 8 MB" for kind in ("xlsx", "zip")
    ]
    assert list(landing.rglob("*.csv")) == []


# ------------------------------------------------------------------------------ whitespace, fixed width


def test_a_whitespace_separated_log_loads_runs_of_spaces_and_tabs_as_one_separator(lake):
    landing, con = lake
    _write(
        landing / "shop" / "purchases.txt",
        "Id    Segment\tJoined\n  W1  SMB      2024-01-05\nW2\t\tSMB 2024-01-06  \nW3 SMB 2024-01-07 extra\n\nW4 SMB\n",
    )
    _map(landing, "shop/*.txt", "{delimiter: whitespace}")
    summary, _ = _load(con, landing)
    assert _counts(summary) == (4, 2, 2)
    assert _loaded(con) == {"W1": (2, "2024-01-05"), "W2": (3, "2024-01-06")}
    assert _quarantined(con) == [(4, "too many fields"), (6, "too few fields")]


FIXED = (
    "Id    Segment   Joined\n"  # widths 6, 10, 10
    "F1    SMB       2024-01-05\n"
    "F2    Enterprise2024-01-06\n"
    "F3    SMB       2024-01-07   trailing text\n"
    "F4    SMB\n"
)


def test_fixed_width_text_loads_by_widths_with_the_header_names(lake):
    landing, con = lake
    _write(landing / "shop" / "legacy.txt", FIXED)
    _map(landing, "shop/*.txt", "{widths: [6, 10, 10]}")
    summary, _ = _load(con, landing)
    assert _counts(summary) == (4, 2, 2)
    assert _loaded(con) == {"F1": (2, "2024-01-05"), "F2": (3, "2024-01-06")}
    # Text past the last field is never dropped: that record has too many fields. A short line's missing
    # fields are empty, so a required one is missing.
    assert [r for r, _ in _quarantined(con)] == [4, 5]
    assert _quarantined(con)[0][1] == "too many fields"


def test_fixed_width_text_loads_by_named_positions_without_a_header(lake):
    landing, con = lake
    _write(landing / "shop" / "legacy.txt", FIXED.split("\n", 1)[1])
    columns = "[{name: Id, start: 1, end: 6}, {name: Segment, start: 7, end: 16}, {name: Joined, start: 17, end: 26}]"
    _map(landing, "shop/*.txt", f"{{header: false, columns: {columns}}}")
    summary, _ = _load(con, landing)
    assert _counts(summary) == (4, 2, 2)
    assert _loaded(con) == {"F1": (1, "2024-01-05"), "F2": (2, "2024-01-06")}


@pytest.mark.parametrize(
    ("read", "message"),
    [
        ("{widths: [6, 0]}", "read.widths: must be a whole number from 1 to 10000"),
        ("{widths: [6], delimiter: ;}", "read.delimiter and fixed-width fields (widths / columns) exclude"),
        ("{columns: [{name: a, start: 5, end: 2}]}", "read.columns end (at least its start)"),
        ("{delimiter: spaces}", "read.delimiter: must be one character out of ',', ';', '\\t', '|', ':', or the word"),
        ("{skip_rows: -1}", "read.skip_rows: must be a whole number from 0 to 1000"),
        ('{member: "../x.csv"}', "read.member: a member name inside the archive, relative and without '..'"),
    ],
)
def test_bad_read_options_are_mapping_errors_naming_the_option(lake, read, message):
    landing, _ = lake
    _map(landing, "shop/*", read)
    with pytest.raises(MappingError, match="shop_export.yml") as caught:
        load_mapping(landing / "_mappings" / "shop_export.yml")
    assert message in str(caught.value)


# --------------------------------------------------------------------------- files DuckDB cannot sniff

HEADER = "customer_id,segment,signup_date\n"


def test_mixed_line_endings_and_a_utf16_export_load(lake):
    landing, con = lake
    mixed = HEADER.replace("\n", "\r\n") + "M1,SMB,2024-01-05\nM2,SMB,2024-01-06\r\n"
    _write(landing / "customers" / "mixed.csv", mixed)
    utf16 = HEADER + "U1,SMB,2024-01-05\nU2,Café,2024-01-06\n"
    _write(landing / "customers" / "unicode.csv", utf16.encode("utf-16"))
    summary, _ = _load(con, landing)
    assert [f.status for f in summary.files] == ["loaded", "loaded"]
    assert _counts(summary) == (4, 4, 0)
    assert con.execute("SELECT segment FROM raw_crm.customers WHERE customer_id = 'U2'").fetchone() == ("Café",)


def test_an_unterminated_quote_quarantines_its_line_and_the_rest_loads(lake):
    landing, con = lake
    _write(
        landing / "customers" / "quote.csv",
        HEADER + 'Q1,SMB,2024-01-05\nQ2,"SMB,2024-01-06\nQ3,SMB,2024-01-07\nQ4,"Mid, market",2024-01-08\n'
        'Q5,"two\nlines",2024-01-09\nQ6,SMB\nQ7,SMB,2024-01-10\n'
        # A quoted value longer than Python's default csv field limit is not a broken quote.
        'Q8,"' + "x" * 200_000 + '",2024-01-11\n',
    )
    summary, _ = _load(con, landing)
    assert _counts(summary) == (8, 6, 2)
    assert {k: v[0] for k, v in _loaded(con).items()} == {"Q1": 2, "Q3": 4, "Q4": 5, "Q5": 6, "Q7": 8, "Q8": 9}
    assert _quarantined(con) == [(3, reader.UNTERMINATED_QUOTE), (7, "too few fields")]


# -------------------------------------------------------------------------- kinds and globs never silent


def test_a_file_of_a_kind_the_loader_does_not_read_fails_naming_the_kind(lake):
    landing, con = lake
    _write(landing / "shop" / "customers.csv", "Id,Segment,Joined\nK1,SMB,2024-01-05\n")
    _write(landing / "shop" / "manual.pdf", b"%PDF-1.4")
    _write(landing / "customers" / "notes.docx", b"PK")
    _map(landing, "shop/*")
    summary, _ = _load(con, landing)
    assert summary.rows_loaded == 1
    messages = sorted(f.message for f in summary.failures)
    assert [m.split(": cannot read file: ")[0] for m in messages] == ["customers/notes.docx", "shop/manual.pdf"]
    assert messages[1].endswith(
        ".pdf is not a kind of file the loader reads (.csv, .tsv, .txt, .parquet, .pq, .xlsx, .xlsm, .xls, .ods, "
        ".zip, and .gz text files)"
    )


def test_a_mapping_whose_globs_match_nothing_is_a_warning_in_the_report_and_the_run_output(lake):
    landing, con = lake
    _map(landing, "shop/*.xlsx")
    _write(landing / "shop" / "customers.xls_", b"")
    summary, lines = _load(con, landing)
    message = (
        "warning: import mapping 'shop_export' found no file: its files: 'shop/*.xlsx' match nothing in the "
        "landing folder (check the folder and the file names)"
    )
    assert lines == [f"[customers] {message}"]
    assert summary.failures == []
    report = con.execute("SELECT source_file, mapping, status, rows_read, message FROM meta.load_report").fetchall()
    assert report == [("shop/*.xlsx", "shop_export", "unmatched", 0, message)]
