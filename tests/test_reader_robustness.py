"""Files that must fail alone, or load, instead of crashing or failing the whole load (review s13 findings 2-7).

Each case is a real file read by the real reader and loader into a temp DuckDB; limits are lowered where a
realistic bomb would be large, so the tests stay small.
"""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import openpyxl

from dagster_project.loading import reader
from tests import test_mapping
from tests.test_file_shapes import _counts, _load, _map, _quarantined, _write

lake = test_mapping.lake
ROWS = "Id,Segment,Joined\nC1,consumer,2023-01-01\nC2,corp,2023-01-02\n"


def _sheet(path: Path, cells: dict[str, object]) -> Path:
    """A one-sheet workbook: a header, customer C1, then `cells` by address (A6, XFD1048576)."""
    book = openpyxl.Workbook()
    book.active.append(["Id", "Segment", "Joined"])
    book.active.append(["C1", "consumer", "2023-01-01"])
    for address, value in cells.items():
        book.active[address] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _zip_with_method(path: Path, method: int) -> Path:
    """A one-member zip whose headers name compression `method` (9 = Deflate64, which Python cannot unpack)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("c.csv", ROWS)
    data = bytearray(path.read_bytes())
    data[8:10] = method.to_bytes(2, "little")
    central = data.find(b"PK\x01\x02")
    data[central + 10 : central + 12] = method.to_bytes(2, "little")
    path.write_bytes(bytes(data))
    return path


# -------------------------------------------------------------------------- 3: one bad file fails alone


def test_an_archive_packed_with_an_unknown_method_fails_alone_and_later_files_load(lake):
    landing, con = lake
    _zip_with_method(landing / "shop" / "a.zip", 9)
    _write(landing / "shop" / "b.csv", ROWS)
    _map(landing, "shop/*")
    summary, _ = _load(con, landing)
    assert [f.status for f in summary.files] == ["failed", "loaded"]
    assert summary.failures[0].message == (
        "shop/a.zip: cannot read file: the archive is packed with a compression method the loader cannot unpack "
        "(pack it again as an ordinary zip)"
    )
    report = con.execute("SELECT source_file, status FROM meta.load_report ORDER BY source_file").fetchall()
    assert report == [("shop/a.zip", "failed"), ("shop/b.csv", "loaded")]


# ------------------------------------------------------------- 4: member names are not quoted in messages


def test_archive_messages_count_members_and_do_not_quote_their_names(lake):
    landing, con = lake
    link = "[Your data is at risk - sign in again](https://evil.example/login).csv"
    path = landing / "shop" / "x.zip"
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(link, ROWS)
        archive.writestr("b.csv", ROWS)
    _map(landing, "shop/*.zip")
    summary, _ = _load(con, landing)
    (failed,) = summary.failures
    assert failed.message == (
        "shop/x.zip: the archive holds 2 files that could be meant; name one with read.member in the import mapping"
    )


# ------------------------------------------------------------------------ 5: gzip limits and repairs


def test_a_gzip_bomb_is_refused_like_a_zip_bomb(lake, monkeypatch):
    landing, con = lake
    monkeypatch.setattr(reader, "RATIO_FLOOR_BYTES", 1 << 20)
    _write(
        landing / "shop" / "bomb.csv.gz", gzip.compress(b"Id,Segment,Joined\n" + b"C1,consumer,2023-01-01\n" * 400_000)
    )
    _map(landing, "shop/*")
    summary, _ = _load(con, landing)
    (failed,) = summary.failures
    assert failed.message.startswith("shop/bomb.csv.gz: refused: a file packed in it unpacks to ")
    assert "beyond the loader's limit for packed files" in failed.message
    assert summary.rows_read == 0


def test_a_gzipped_file_with_mixed_line_endings_and_a_broken_quote_is_repaired_like_plain_text(lake):
    landing, con = lake
    body = b"Id,Segment,Joined\r\nC1,consumer,2023-01-01\nC2,corp,2023-01-02\r\n"
    body += b'C3,"unterminated,2023-01-03\nC4,corp,2023-01-04\n'
    _write(landing / "shop" / "x.csv.gz", gzip.compress(body))
    _map(landing, "shop/*")
    summary, _ = _load(con, landing)
    assert summary.failures == []
    assert _counts(summary) == (4, 3, 1)
    assert [row for row, _ in _quarantined(con)] == [4]


# ------------------------------------------------------------------- 6: stray files are ignored, counted


def test_stray_system_and_lock_files_are_ignored_with_a_counted_note_and_unknown_kinds_still_fail(lake):
    landing, con = lake
    folder = landing / "customers"
    _write(folder / "customers.csv", "customer_id,segment,signup_date\nC1,consumer,2023-01-01\n")
    _write(folder / "~$customers.xlsx", b"\x05Anna Berg" + b"\x00" * 150)
    _write(folder / "Thumbs.db", b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    _write(folder / "desktop.ini", b"[.ShellClassInfo]\n")
    _write(folder / "export.tmp", b"half written")
    _write(folder / "manual.pdf", b"%PDF-1.4")
    summary, lines = _load(con, landing)
    assert [f.source_file for f in summary.failures] == ["customers/manual.pdf"]
    assert summary.rows_loaded == 1
    ignored = [f for f in summary.files if f.status == "ignored"]
    assert len(ignored) == 1
    assert ignored[0].message == (
        "note: 4 file(s) ignored as system, lock or temporary files (not exports): Thumbs.db, desktop.ini, "
        "export.tmp, ~$customers.xlsx"
    )
    assert f"[customers] {ignored[0].message}" in lines
    report = con.execute("SELECT status, rows_read FROM meta.load_report WHERE status = 'ignored'").fetchall()
    assert report == [("ignored", 0)]


# --------------------------------------------------------------------- 7: blank workbook rows are skipped


def test_blank_workbook_rows_are_skipped_like_blank_lines_and_a_stray_note_is_quarantined(lake):
    landing, con = lake
    _sheet(landing / "shop" / "x.xlsx", {"A6": "C2", "B6": "corp", "C6": "2023-01-02", "E10": "checked by Anna"})
    _map(landing, "shop/*.xlsx")
    summary, _ = _load(con, landing)
    assert _counts(summary) == (3, 2, 1)
    rows = con.execute("SELECT customer_id, _source_row FROM raw_crm.customers ORDER BY 1").fetchall()
    assert rows == [("C1", 2), ("C2", 6)]
    assert [row for row, _ in _quarantined(con)] == [10]


# --------------------------------------------------------- 2: a sheet too large to hold fails the file alone


def test_a_tiny_workbook_declaring_a_huge_sheet_fails_alone_and_the_process_survives(lake):
    landing, con = lake
    _sheet(landing / "shop" / "a.xlsx", {"XFD1048576": 1})  # the last cell of a sheet: a grid of 17 billion cells
    _write(landing / "shop" / "b.csv", ROWS)
    _map(landing, "shop/*")
    summary, _ = _load(con, landing)
    assert [f.status for f in summary.files] == ["failed", "loaded"]
    assert summary.failures[0].message.startswith(
        "shop/a.xlsx: cannot read file: the sheet needs more memory than the loader allows"
    )
