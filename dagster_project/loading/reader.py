"""Read one landing file into a DuckDB temp table, every column as text, each record with its row number.

Everything is read as text on purpose: type errors then become per-row quarantine entries naming the
column, instead of a failed file. Records the CSV parser cannot split (too many or too few fields) are
collected from DuckDB's rejects table, so they are quarantined too and rows read stays exact.

File kinds (docs/loading.md "File shapes"): delimited text (.csv .tsv .txt, each also gzipped), Parquet,
workbooks (.xlsx .xlsm .xls .ods, one sheet), zip archives (one member, of any of the other kinds).
Workbooks, whitespace-separated and fixed-width text are first written as a plain UTF-8 CSV in a private
temp folder, so every text shape then takes the one CSV path: the same rejects, row numbers and null texts.
Anything else is a LoadError naming the kind, never a silently skipped file.

Files of one entity that share a header line and need no conversion are read together, in one `read_csv` over
the list (`read_landing_files`); `_file_index` then tells each record's file (its position in the list; 0 for a
file read alone), and rejects, row numbers and counts stay per file.

`_source_row` is the record's row number as DuckDB's CSV reader reports it for rejected records: the header
is row 1 and the first data record row 2, so for files without multi-line quoted values it equals the line
number an editor shows (and a workbook row's number in the spreadsheet). For Parquet it is the 1-based row
number.
"""

from __future__ import annotations

import codecs
import csv
import fnmatch
import gzip
import io
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import IO

import duckdb

from dagster_project.loading import workbook
from dagster_project.loading.mapping import WHITESPACE, FixedColumn, ReadOptions
from dagster_project.loading.sandbox import ALLOWED_DELIMITERS, FILE_INDEX, quote_ident
from dagster_project.settings import memory_shortfall

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
CSV_SUFFIXES = TEXT_SUFFIXES + tuple(s + ".gz" for s in TEXT_SUFFIXES)
PARQUET_SUFFIXES = (".parquet", ".pq")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ARCHIVE_SUFFIXES = (".zip",)
KINDS = {"text": CSV_SUFFIXES, "parquet": PARQUET_SUFFIXES, "workbook": WORKBOOK_SUFFIXES, "archive": ARCHIVE_SUFFIXES}

# Archive limits: a member is unpacked into a private temp folder, never beside the archive. A member larger
# than MAX_MEMBER_BYTES, or larger than RATIO_FLOOR_BYTES and more than MAX_RATIO times its packed size
# (real exports pack 5-50:1; a zip bomb ~1000:1), is refused before and while it is unpacked.
MAX_MEMBER_BYTES = 8 << 30
RATIO_FLOOR_BYTES = 64 << 20
MAX_RATIO = 200
# A workbook sheet is converted in a child process with at most this much memory and time (workbook.py).
WORKBOOK_MEMORY_BYTES = 4 << 30
WORKBOOK_SECONDS = 900
# Files an operating system or an office program leaves beside exports: ignored with a counted note, not read.
JUNK_NAMES = frozenset({"thumbs.db", "ehthumbs.db", "desktop.ini"})
JUNK_PREFIXES = ("~$",)  # Excel's and Word's lock file while the document is open
JUNK_SUFFIXES = (".tmp", ".crdownload", ".part", "~")
# A quoted value may span at most this many lines; a quote still open after them (or at the end of the file)
# is an unterminated quote: that line is quarantined and reading goes on at the next line.
MAX_QUOTED_LINES = 100
MAX_FIELD_CHARS = 1 << 26  # Python's csv stops at 128 kB a field by default


class LoadError(Exception):
    """A file-level problem (unreadable file, missing required column). The message is the reason; the loader
    prefixes the file's name in the landing folder. It never quotes the file's content."""


@dataclass(frozen=True)
class RejectedRecord:
    line: int
    column: str | None
    reason: str


@dataclass(frozen=True)
class ReadResult:
    """One file as read: its records are the rows of `table` whose FILE_INDEX is `file_index`."""

    table: str  # temp table holding the parsed records (of every file read together)
    header: list[str]
    parsed_rows: int
    rejected: list[RejectedRecord]
    file_index: int = 0

    @property
    def rows_read(self) -> int:
        return self.parsed_rows + len(self.rejected)


def file_kind(name: str) -> str | None:
    """text | parquet | workbook | archive, from the file name; None for a kind the loader does not read."""
    lower = name.lower()
    return next((kind for kind, suffixes in KINDS.items() if lower.endswith(suffixes)), None)


def is_landing_file(path: Path) -> bool:
    """A name the loader does not ignore (not starting with `.` or `_`). Discovery hands such files to the
    reader whatever their kind: one it does not read is reported as failed, not skipped."""
    return not path.name.startswith((".", "_"))


def is_junk_file(path: Path) -> bool:
    """A system, lock or temporary file (Thumbs.db, desktop.ini, ~$book.xlsx, *.tmp): never an export."""
    name = path.name.lower()
    return name in JUNK_NAMES or name.startswith(JUNK_PREFIXES) or name.endswith(JUNK_SUFFIXES)


def _unknown_kind(name: str) -> LoadError:
    suffix = "".join(PurePosixPath(name.lower()).suffixes[-2:]) or "a name without an extension"
    known = ", ".join(s for suffixes in KINDS.values() for s in suffixes if not s.endswith(".gz"))
    return LoadError(f"cannot read file: {suffix} is not a kind of file the loader reads ({known}, and .gz text files)")


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    # Five bytes are undefined in Windows-1252; real "cp1252" exports carry them as Latin-1 (U+0081 ...).
    byte = error.object[error.start]
    return chr(byte), error.start + 1


codecs.register_error("cp1252_latin1_fallback", _cp1252_fallback)


def _open_bytes(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def _text_codec(path: Path, read: ReadOptions) -> str:
    """The Python codec a text file is decoded with: the mapping's encoding, or UTF-16 when the file starts
    with a UTF-16 byte-order mark (Excel's "Unicode text" export), whatever the mapping says."""
    with _open_bytes(path) as fh:
        start = fh.read(2)
    if start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    if read.encoding in {"cp1252", "windows-1252"}:
        return "cp1252"
    return "latin-1" if read.encoding in {"latin-1", "iso-8859-1"} else "utf-8-sig"


def _open_text(path: Path, codec: str) -> IO[str]:
    """The file as text, line endings kept as they are (newline="": iteration splits on LF, CRLF and CR)."""
    errors = "cp1252_latin1_fallback" if codec == "cp1252" else "strict"
    return io.TextIOWrapper(_open_bytes(path), encoding=codec, errors=errors, newline="")


def _transcode_to_utf8(path: Path, codec: str, workdir: Path) -> Path:
    """DuckDB reads UTF-8 only (its encodings extension needs a download), so other text is converted,
    chunk by chunk, so memory stays flat for large files."""
    target = workdir / "transcoded.csv"
    with _open_text(path, codec) as src, open(target, "w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(1 << 22):
            dst.write(chunk)
    return target


# DuckDB's reject types in plain words. DuckDB's own error text is never kept: it can quote the record.
REJECT_REASONS = {
    "MISSING COLUMNS": "too few fields",
    "TOO MANY COLUMNS": "too many fields",
    "UNQUOTED VALUE": "a quote character in an unquoted field",
    "LINE SIZE OVER MAXIMUM": "the line is too long",
    "INVALID UNICODE": "not valid text in the file's encoding",
    "INVALID ENCODING": "not valid text in the file's encoding",
}


def _csv_options(read: ReadOptions, names: list[str] | None) -> tuple[str, list[object]]:
    """read_csv's named options and their bound values: mapping text is never pasted into the SQL."""
    opts = ["all_varchar = true", "header = ?", "quote = ?", "nullstr = ?"]
    values: list[object] = [read.header, read.quote, list(read.null_values)]
    if read.delimiter:
        opts.append("delim = ?")
        values.append(read.delimiter)
    if read.skip_rows:
        opts.append("skip = ?")
        values.append(read.skip_rows)
    if names:
        opts.append("names = ?")
        values.append(names)
    opts += ["store_rejects = true", "rejects_table = '_rejects'", "rejects_scan = '_rejects_scan'"]
    return ", ".join(opts), values


def read_error_reason(exc: BaseException, read: ReadOptions) -> str:
    """Why a file could not be read, in plain words. DuckDB's and Python's texts can quote the file's
    content (a sniffed line, a value that did not convert), so they are classified, never copied."""
    text = str(exc).lower()
    if isinstance(exc, zipfile.BadZipFile):
        return "cannot read file: a damaged zip archive"
    if isinstance(exc, NotImplementedError):  # zipfile: Deflate64, PPMd and other methods Python cannot unpack
        return (
            "cannot read file: the archive is packed with a compression method the loader cannot unpack "
            "(pack it again as an ordinary zip)"
        )
    if isinstance(exc, MemoryError) or "out of memory" in text:
        return memory_shortfall("cannot read file: reading it")
    if isinstance(exc, gzip.BadGzipFile | EOFError) or "gzip" in text:
        return "cannot read file: not a complete gzip file"
    if "error when sniffing" in text:
        return "cannot read file: the CSV layout (delimiter, quoting, header) could not be detected"
    if isinstance(exc, UnicodeError) or "unicode" in text or "utf-8" in text or "encoding" in text:
        return f"cannot read file: not valid {read.encoding} text (set read.encoding in an import mapping)"
    if "parquet" in text:
        return "cannot read file: not a readable Parquet file"
    if isinstance(exc, OSError):
        return f"cannot read file: {exc.strerror or type(exc).__name__}"
    return f"cannot read file: not a readable CSV file ({type(exc).__name__})"


# What reading a file can raise for a reason in the file (not a bug): each becomes a LoadError in plain words.
READ_ERRORS = (
    duckdb.Error,
    OSError,
    UnicodeError,
    EOFError,
    gzip.BadGzipFile,
    zipfile.BadZipFile,
    NotImplementedError,
    RuntimeError,
    MemoryError,
)


# Files read together hold at most this many bytes (a batch's records and validated rows are in memory at once;
# a larger file is read alone).
BATCH_BYTES = 32 << 20
_HEADER_BYTES = 1 << 16


def batch_key(path: Path, read: ReadOptions) -> bytes | None:
    """What files read together must share: plain UTF-8 delimited text (no gzip, workbook, archive, fixed-width
    or whitespace layout, no other encoding) whose header line, byte for byte, is this one. None: the file is
    read alone. Equal header lines matter: read together, a file lacking a column of the first would be read
    without it instead of failing with its own message."""
    if file_kind(path.name) != "text" or path.name.lower().endswith(".gz") or read.fixed:
        return None
    if read.delimiter == WHITESPACE or _text_codec(path, read) != "utf-8-sig" or path.stat().st_size > BATCH_BYTES:
        return None
    with open(path, "rb") as fh:
        for _ in range(read.skip_rows):
            fh.readline(_HEADER_BYTES)
        line = fh.readline(_HEADER_BYTES)
    line = line.removeprefix(codecs.BOM_UTF8).rstrip(b"\r\n")
    return line if line and len(line) < _HEADER_BYTES - 2 else None


def read_landing_files(con: duckdb.DuckDBPyConnection, paths: list[Path], read: ReadOptions) -> list[ReadResult]:
    """Read files sharing a `batch_key` into temp table `_src` in one pass: one ReadResult per file, in order.
    Raises LoadError when the files cannot be read together (the caller then reads each alone, so a file's
    failure and its message stay its own)."""
    try:
        results = _read_csv_once(con, paths, read, None, set_aside=[], blank=[])
    except READ_ERRORS as exc:
        raise LoadError(read_error_reason(exc, read)) from exc
    if _misread_as_one_column(results[0], read):
        raise LoadError("cannot read file: the CSV layout needs the file to be read alone")
    return results


def read_landing_file(con: duckdb.DuckDBPyConnection, path: Path, read: ReadOptions) -> ReadResult:
    """Read `path` into temp table `_src` (columns as text plus `_source_row` and `_file_index` 0)."""
    if not path.is_file():
        raise LoadError("file not found")
    kind = file_kind(path.name)
    if kind is None:
        raise _unknown_kind(path.name)
    with tempfile.TemporaryDirectory(prefix="empathy-lake-read-") as tmp:
        workdir = Path(tmp)
        try:
            if kind == "archive":
                path, kind = _unpack_member(path, read, workdir)
            if kind == "text" and path.name.lower().endswith(".gz"):
                path = _gunzip(path, workdir)
            if kind == "parquet":
                return _read_parquet(con, path)
            if kind == "workbook":
                sheet, blank = _workbook_to_csv(path, read, workdir)
                return _read_csv(con, sheet, _converted(read), workdir, blank=blank)
            codec = _text_codec(path, read)
            if read.fixed or read.delimiter == WHITESPACE:
                converted = _fields_to_csv(path, codec, read, workdir)
                names = [f.name for f in read.fixed] if read.fixed and read.fixed[0].name else None
                return _read_csv(con, converted, _converted(read), workdir, names)
            source = path if codec == "utf-8-sig" else _transcode_to_utf8(path, codec, workdir)
            return _read_csv(con, source, read, workdir)
        except READ_ERRORS as exc:
            raise LoadError(read_error_reason(exc, read)) from exc


def _converted(read: ReadOptions) -> ReadOptions:
    """How the reader's own CSV (written by csv.writer from a workbook or a fixed-width / whitespace file) is
    read: comma, double quote, UTF-8; header, skipped rows and null texts stay the mapping's."""
    return replace(read, delimiter=",", quote='"', encoding="utf-8", fixed=())


# ------------------------------------------------------------------------------------------ archives


def _unsafe_member(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return name.startswith(("/", "\\")) or bool(re.match(r"^[A-Za-z]:", name)) or ".." in parts


def _unpack_member(path: Path, read: ReadOptions, workdir: Path) -> tuple[Path, str]:
    """The archive member the mapping names (`read.member`, a name or glob; default the only member),
    unpacked into `workdir` under a name of the reader's choosing. An archive holding a member whose name
    leads outside it ('..', an absolute path) is refused whole; so is a member that unpacks too large."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise LoadError("cannot read file: not a readable zip archive") from exc
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if any(_unsafe_member(info.filename) for info in members):
            raise LoadError(
                "refused: the archive holds a file whose name leads outside the archive ('..' or an absolute "
                "path); nothing was unpacked"
            )
        visible = [i for i in members if not any(p.startswith((".", "_")) for p in PurePosixPath(i.filename).parts)]
        chosen = [i for i in visible if read.member is None or _member_matches(i.filename, read.member)]
        # Member names are the archive's content: counted, never quoted (they reach the Data quality page).
        if not chosen:
            wanted = f"that matches read.member {read.member!r}" if read.member else "to read"
            raise LoadError(f"the archive holds no file {wanted} (it holds {len(visible)} file(s))")
        if len(chosen) > 1:
            raise LoadError(
                f"the archive holds {len(chosen)} files that could be meant; name one with read.member in the "
                "import mapping"
            )
        info = chosen[0]
        kind = file_kind(info.filename)
        if kind is None:
            raise _unknown_kind(info.filename)
        if kind == "archive":
            raise LoadError("cannot read file: an archive inside an archive is not read; unpack the inner one")
        if info.flag_bits & 0x1:
            raise LoadError("cannot read file: the archive is password-protected")
        limit = _member_limit(info)
        suffix = next(s for s in KINDS[kind] if info.filename.lower().endswith(s))
        target = workdir / f"member{suffix}"
        with archive.open(info) as src:
            _unpack_limited(src, target, info.compress_size, limit)
    return target, kind


def _gunzip(path: Path, workdir: Path) -> Path:
    """A gzipped text file unpacked into `workdir` within the archive limits (gzip declares no reliable size,
    so the limits are checked while unpacking); every later step then reads plain text."""
    target = workdir / ("unpacked" + "".join(PurePosixPath(path.name.lower()).suffixes[-2:-1]))
    with gzip.open(path, "rb") as src:
        _unpack_limited(src, target, path.stat().st_size, MAX_MEMBER_BYTES)
    return target


def _unpack_limited(src: IO[bytes], target: Path, packed: int, limit: int) -> None:
    """Copy the unpacked bytes to `target`, refusing once they pass `limit` or, above RATIO_FLOOR_BYTES, more
    than MAX_RATIO times the `packed` size."""
    written = 0
    with open(target, "wb") as dst:
        while chunk := src.read(1 << 20):
            written += len(chunk)
            if written > limit or (written > RATIO_FLOOR_BYTES and written > MAX_RATIO * max(packed, 1)):
                raise LoadError(_too_large(written))
            dst.write(chunk)


def _member_matches(name: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(name, pattern) or fnmatch.fnmatchcase(PurePosixPath(name).name, pattern)


def _member_limit(info: zipfile.ZipInfo) -> int:
    """Bytes the member may unpack to: its declared size within the limits (a header that lies about the
    size is caught while unpacking, since no more than the declared size is accepted)."""
    size = info.file_size
    if size > MAX_MEMBER_BYTES or (size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(info.compress_size, 1)):
        raise LoadError(_too_large(size))
    return size


def _too_large(size: int) -> str:
    return (
        f"refused: a file packed in it unpacks to {size / (1 << 20):,.0f} MB or more, beyond the loader's limit for "
        f"packed files ({MAX_MEMBER_BYTES >> 30} GB, and no more than {MAX_RATIO} times its packed size above "
        f"{RATIO_FLOOR_BYTES >> 20} MB); land the file unpacked (a workbook saved as CSV)"
    )


# ------------------------------------------------------------------------------------------ workbooks


def _workbook_to_csv(path: Path, read: ReadOptions, workdir: Path) -> tuple[Path, list[int]]:
    """The mapping's sheet (default the first) as CSV; row n of the CSV is row n of the sheet (rows above
    the data are kept, so row numbers are the spreadsheet's). Converted in a child process with capped memory
    and time (workbook.py): a sheet that declares a huge range fails this file, not the load. Also returns
    the numbers of the sheet's empty rows (written as empty lines, which the CSV reader skips)."""
    if zipfile.is_zipfile(path):  # .xlsx and .ods are zip containers: the same unpacking limits apply
        with zipfile.ZipFile(path) as container:
            for info in container.infolist():
                _member_limit(info)
    target = workdir / "sheet.csv"
    spec = {"path": str(path), "sheet": read.sheet, "target": str(target), "memory": WORKBOOK_MEMORY_BYTES}
    try:
        child = subprocess.run(
            [sys.executable, workbook.__file__, json.dumps(spec)],
            capture_output=True,
            text=True,
            timeout=WORKBOOK_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise LoadError(
            f"cannot read file: reading the sheet took longer than the loader allows ({WORKBOOK_SECONDS // 60} "
            "minutes); save the sheet as CSV"
        ) from exc
    if child.returncode == workbook.REFUSED_EXIT:
        raise LoadError(json.loads(child.stdout)["error"])
    if child.returncode != 0:
        # A memory cap hit ends the child by an abort (Rust) or MemoryError (Python); anything else is unknown.
        raise LoadError(
            f"cannot read file: the sheet needs more memory than the loader allows ({WORKBOOK_MEMORY_BYTES >> 30} "
            "GB), or the workbook is damaged; check its used range (a stray cell far below or right of the "
            "data makes it huge) or save the sheet as CSV"
        )
    return target, json.loads(child.stdout)["blank"]


# ------------------------------------------------------------------------------ whitespace, fixed width


def _split_fixed(line: str, fields: tuple[FixedColumn, ...]) -> list[str]:
    values = [line[f.start - 1 : f.end].strip() for f in fields]
    rest = line[max(f.end for f in fields) :]
    # Text past the last field is not dropped: an extra field makes the record "too many fields".
    return values + [rest.strip()] if rest.strip() else values


def _fields_to_csv(path: Path, codec: str, read: ReadOptions, workdir: Path) -> Path:
    """Whitespace-separated (runs of spaces / tabs; fields hold no spaces) or fixed-width text as CSV, line
    for line (a blank line stays blank), so row numbers are the file's."""
    target = workdir / "fields.csv"
    with _open_text(path, codec) as src, open(target, "w", encoding="utf-8", newline="") as dst:
        writer = csv.writer(dst, lineterminator="\n")
        for raw in src:
            line = raw.rstrip("\r\n")
            if not line.strip():
                dst.write("\n")
            elif read.fixed:
                writer.writerow(_split_fixed(line, read.fixed))
            else:
                writer.writerow(line.split())
    return target


# ------------------------------------------------------------------------------------- delimited text


def _read_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    read: ReadOptions,
    workdir: Path,
    names: list[str] | None = None,
    blank: list[int] | None = None,
) -> ReadResult:
    """read_csv with the mapping's options. A file DuckDB cannot sniff (mixed line endings, an unterminated
    quote) is read again from a repaired copy: line endings made uniform and each line that opens a quote
    never closed set aside as a quarantined record. `blank`: the numbers of empty lines (DuckDB skips them),
    known for a converted workbook, so later rows keep their numbers."""
    blank = blank or []
    try:
        [result] = _read_csv_once(con, [path], read, names, set_aside=[], blank=blank)
        if not _misread_as_one_column(result, read):
            return result
    except duckdb.InvalidInputException as exc:
        if "sniffing" not in str(exc).lower():
            raise
    repaired, explicit, set_aside = _repaired_copy(path, read, workdir)
    return _read_csv_once(con, [repaired], explicit, names, set_aside, blank)[0]


def _misread_as_one_column(result: ReadResult, read: ReadOptions) -> bool:
    """DuckDB's sniffer gives up on a delimiter when quotes are unbalanced and reads each line as one
    column: a single column whose name holds a delimiter means the file needs the repaired read."""
    return read.delimiter is None and len(result.header) == 1 and any(d in result.header[0] for d in ALLOWED_DELIMITERS)


_GLOB = re.compile(r"[*?\[\]{}]")


@contextmanager
def _plain_names(paths: list[Path]) -> Iterator[list[str]]:
    """The paths as read_csv may be given them. DuckDB expands glob characters in every path it reads, so a file
    named export_[1].csv would be read as export_1.csv (another file's rows, or none); such a file is read through
    a link with a plain name, kept for the read only. The order, and so each file's index, is unchanged."""
    if not any(_GLOB.search(str(p)) for p in paths):
        yield [str(p) for p in paths]
        return
    with tempfile.TemporaryDirectory(prefix="empathy-lake-read-") as folder:
        names = []
        for index, path in enumerate(paths):
            if _GLOB.search(str(path)):
                suffixes = "".join(s for s in path.suffixes if not _GLOB.search(s))
                link = Path(folder) / f"file{index}{suffixes}"
                link.symlink_to(path.resolve())
                path = link
            names.append(str(path))
        yield names


def _read_csv_once(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    read: ReadOptions,
    names: list[str] | None,
    set_aside: list[int],
    blank: list[int],
) -> list[ReadResult]:
    """One read_csv over `paths` (one file, or files sharing a header line); `set_aside` and `blank` are the
    first file's (they are given for a file read alone)."""
    # A previous read's rejects must not leak into this one.
    con.execute("DROP TABLE IF EXISTS _rejects")
    con.execute("DROP TABLE IF EXISTS _rejects_scan")
    options, values = _csv_options(read, names)
    with _plain_names(paths) as files:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _parsed AS SELECT * FROM read_csv(?, {options}, filename = '{_PATH}')",
            [files, *values],
        )
    header = [r[0] for r in con.execute("DESCRIBE _parsed").fetchall() if r[0] != _PATH]
    # DuckDB writes one reject row per missing column; a record is quarantined once, with its first error.
    rows = con.execute(
        "SELECT s.file_path, r.line, arg_min(r.column_name, r.column_idx), "
        "arg_min(CAST(r.error_type AS VARCHAR), r.column_idx) FROM _rejects r "
        "JOIN _rejects_scan s USING (scan_id, file_id) GROUP BY s.file_path, r.line ORDER BY r.line"
    ).fetchall()
    first_row = read.skip_rows + (2 if read.header else 1)
    rejected: list[list[RejectedRecord]] = []
    for index, file in enumerate(files):
        mine = [r for r in rows if r[0] == file]
        lines = _original_lines([int(r[1]) for r in mine], set_aside if index == 0 else [])
        found = [
            RejectedRecord(line=line, column=column, reason=REJECT_REASONS.get(etype, "the record could not be read"))
            for line, (_, _, column, etype) in zip(lines, mine, strict=True)
        ]
        if index == 0:
            found += [RejectedRecord(line=line, column=None, reason=UNTERMINATED_QUOTE) for line in set_aside]
        rejected.append(sorted(found, key=lambda r: r.line))
    missing = [
        (index, line)
        for index, found in enumerate(rejected)
        for line in sorted([r.line for r in found] + ([n for n in blank if n >= first_row] if index == 0 else []))
    ]
    _number_rows(con, files, missing, first_row)
    counts = dict(con.execute(f"SELECT {FILE_INDEX}, count(*) FROM _src GROUP BY 1").fetchall())
    return [ReadResult("_src", header, int(counts.get(index, 0)), found, index) for index, found in enumerate(rejected)]


_PATH = "_landing_path"  # read_csv's file name column, replaced by FILE_INDEX


UNTERMINATED_QUOTE = "an unterminated or misplaced quote (this line was set aside; the lines after it were read)"


def _original_lines(lines: list[int], removed: list[int]) -> list[int]:
    """Row numbers in the repaired copy -> row numbers in the file, given the rows (sorted, in the file's
    numbering) the repair removed: each removed row shifts every later row by one."""
    shifted, k = [], 0
    for line in lines:
        while k < len(removed) and removed[k] <= line + k:
            k += 1
        shifted.append(line + k)
    return shifted


def _records(lines: Iterator[str], delimiter: str, quote: str) -> Iterator[str | None]:
    """Each record's text, as a strict CSV parser delimits it (a quoted value may span lines); None for a
    line starting a record that does not parse: a quote never closed within MAX_QUOTED_LINES lines or by the
    end of the file, or closed with text straight after it. Reading then goes on at the next line."""
    buffer: deque[str] = deque()
    while True:
        while len(buffer) < MAX_QUOTED_LINES and (line := next(lines, None)) is not None:
            buffer.append(line)
        if not buffer:
            return
        consumed = 0

        def feed() -> Iterator[str]:
            nonlocal consumed
            while consumed < len(buffer):
                consumed += 1
                yield buffer[consumed - 1]

        try:
            next(csv.reader(feed(), delimiter=delimiter, quotechar=quote, strict=True))
        except (csv.Error, StopIteration):
            buffer.popleft()
            yield None
            continue
        yield "".join(buffer.popleft() for _ in range(consumed))


def _guess_delimiter(path: Path, read: ReadOptions) -> str:
    """The mapping's delimiter, else the allowed delimiter the header line holds most often (default ",")."""
    if read.delimiter:
        return read.delimiter
    with open(path, encoding="utf-8-sig", newline=None) as src:
        header = next((line for i, line in enumerate(src) if i == read.skip_rows), "")
    counts = {d: header.count(d) for d in ALLOWED_DELIMITERS}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _repaired_copy(path: Path, read: ReadOptions, workdir: Path) -> tuple[Path, ReadOptions, list[int]]:
    """A copy with LF line endings and without the records that do not parse (see _records); returns it,
    the read options naming the delimiter, and the set-aside records' row numbers (a multi-line quoted
    record counts as one row, as DuckDB counts)."""
    target = workdir / "repaired.csv"
    delimiter = _guess_delimiter(path, read)
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))  # long comments are not broken quotes
    set_aside: list[int] = []
    with open(path, encoding="utf-8-sig", newline=None) as src, open(target, "w", encoding="utf-8", newline="") as dst:
        for row, text in enumerate(_records(iter(src), delimiter, read.quote), start=1):
            if text is None:
                set_aside.append(row)
            else:
                dst.write(text)
    return target, replace(read, delimiter=delimiter), set_aside


def _read_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> ReadResult:
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _src AS SELECT * EXCLUDE (file_row_number), 0 AS {FILE_INDEX}, "
        "file_row_number + 1 AS _source_row FROM read_parquet(?, file_row_number = true)",
        [str(path)],
    )
    # Cast to text so typed Parquet and CSV take the same validation path.
    cols = [r[0] for r in con.execute("DESCRIBE _src").fetchall() if r[0] not in ("_source_row", FILE_INDEX)]
    casts = ", ".join(f"CAST({quote_ident(c)} AS VARCHAR) AS {quote_ident(c)}" for c in cols)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _src AS SELECT {FILE_INDEX}, _source_row, {casts} FROM _src")
    count = con.execute("SELECT count(*) FROM _src").fetchone()[0]
    return ReadResult(table="_src", header=cols, parsed_rows=count, rejected=[])


def _number_rows(
    con: duckdb.DuckDBPyConnection, files: list[str], missing: list[tuple[int, int]], first_row: int
) -> None:
    """Give each parsed record its file's index and its row number in that file, counting the records the
    parser rejected (`missing`: (file index, row number) of each).

    rowid follows the order of the files and of the records in each (insertion order is preserved). Rejected
    records are missing from `_parsed`, so each one shifts the records after it in its file: the k-th rejected
    row (0-based) of a file shifts every record of it whose unshifted number reaches row - k.
    """
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _files AS SELECT unnest(?::VARCHAR[]) AS path, "
        f"unnest(range(?::BIGINT)) AS {FILE_INDEX}",
        [files, len(files)],
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _src AS SELECT f.{FILE_INDEX}, {first_row} - 1 + row_number() OVER "
        f"(PARTITION BY f.{FILE_INDEX} ORDER BY p.rowid) AS _source_row, p.* EXCLUDE ({_PATH}) "
        f"FROM _parsed p JOIN _files f ON p.{_PATH} = f.path ORDER BY p.rowid"
    )
    if missing:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _rej AS SELECT unnest(?::BIGINT[]) AS {FILE_INDEX}, "
            "unnest(?::BIGINT[]) AS line",
            [[f for f, _ in missing], [line for _, line in missing]],
        )
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _shift AS
            SELECT {FILE_INDEX}, line - (row_number() OVER (PARTITION BY {FILE_INDEX} ORDER BY line) - 1) AS threshold
            FROM _rej
            """
        )
        con.execute(
            f"""
            UPDATE _src SET _source_row = _source_row + (
                SELECT count(*) FROM _shift
                WHERE _shift.{FILE_INDEX} = _src.{FILE_INDEX} AND _shift.threshold <= _src._source_row)
            """
        )
    con.execute("DROP TABLE IF EXISTS _parsed")


def copy_into(path: Path, target: Path) -> None:
    """Copy a file into a landing folder (used by the CLI and tests)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
