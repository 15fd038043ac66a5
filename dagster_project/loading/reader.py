"""Read one landing file into a DuckDB temp table, every column as text, each record with its row number.

Everything is read as text on purpose: type errors then become per-row quarantine entries naming the
column, instead of a failed file. Records the CSV parser cannot split (too many or too few fields) are
collected from DuckDB's rejects table, so they are quarantined too and rows read stays exact.

`_source_row` is the record's row number as DuckDB's CSV reader reports it for rejected records: the header
is row 1 and the first data record row 2, so for files without multi-line quoted values it equals the line
number an editor shows. For Parquet it is the 1-based row number.
"""

from __future__ import annotations

import codecs
import gzip
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.loading.mapping import ReadOptions
from dagster_project.loading.sandbox import quote_ident

CSV_SUFFIXES = (".csv", ".csv.gz", ".txt", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq")


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
    table: str  # temp table holding the parsed records
    header: list[str]
    parsed_rows: int
    rejected: list[RejectedRecord]

    @property
    def rows_read(self) -> int:
        return self.parsed_rows + len(self.rejected)


def is_landing_file(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(CSV_SUFFIXES + PARQUET_SUFFIXES) and not name.startswith((".", "_"))


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    # Five bytes are undefined in Windows-1252; real "cp1252" exports carry them as Latin-1 (U+0081 ...).
    byte = error.object[error.start]
    return chr(byte), error.start + 1


codecs.register_error("cp1252_latin1_fallback", _cp1252_fallback)


def _transcode_to_utf8(path: Path, encoding: str, workdir: Path) -> Path:
    """DuckDB reads UTF-8 only (its encodings extension needs a download), so legacy text is converted.

    Single-byte encodings decode chunk by chunk safely, so memory stays flat for large files.
    """
    codec = "cp1252" if encoding in {"cp1252", "windows-1252"} else "latin-1"
    target = workdir / (path.name.removesuffix(".gz") + ".utf8.csv")
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as src, open(target, "w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(1 << 22):
            dst.write(chunk.decode(codec, errors="cp1252_latin1_fallback"))
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


def _csv_options(read: ReadOptions) -> tuple[str, list[object]]:
    """read_csv's named options and their bound values: mapping text is never pasted into the SQL."""
    opts = ["all_varchar = true", "header = ?", "quote = ?", "nullstr = ?"]
    values: list[object] = [read.header, read.quote, list(read.null_values)]
    if read.delimiter:
        opts.append("delim = ?")
        values.append(read.delimiter)
    opts += ["store_rejects = true", "rejects_table = '_rejects'", "rejects_scan = '_rejects_scan'"]
    return ", ".join(opts), values


def read_error_reason(exc: BaseException, read: ReadOptions) -> str:
    """Why a file could not be read, in plain words. DuckDB's and Python's texts can quote the file's
    content (a sniffed line, a value that did not convert), so they are classified, never copied."""
    text = str(exc).lower()
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


def read_landing_file(con: duckdb.DuckDBPyConnection, path: Path, read: ReadOptions) -> ReadResult:
    """Read `path` into temp table `_src` (columns as text plus `_source_row`)."""
    if not path.is_file():
        raise LoadError("file not found")
    with tempfile.TemporaryDirectory(prefix="empathy-lake-read-") as tmp:
        try:
            if path.name.lower().endswith(PARQUET_SUFFIXES):
                return _read_parquet(con, path)
            source = path
            if read.encoding not in {"utf-8"}:
                source = _transcode_to_utf8(path, read.encoding, Path(tmp))
            return _read_csv(con, source, read)
        except (duckdb.Error, OSError, UnicodeError, EOFError, gzip.BadGzipFile) as exc:
            raise LoadError(read_error_reason(exc, read)) from exc


def _read_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> ReadResult:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _src AS SELECT * EXCLUDE (file_row_number), "
        "file_row_number + 1 AS _source_row FROM read_parquet(?, file_row_number = true)",
        [str(path)],
    )
    # Cast to text so typed Parquet and CSV take the same validation path.
    cols = [r[0] for r in con.execute("DESCRIBE _src").fetchall() if r[0] != "_source_row"]
    casts = ", ".join(f"CAST({quote_ident(c)} AS VARCHAR) AS {quote_ident(c)}" for c in cols)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _src AS SELECT _source_row, {casts} FROM _src")
    count = con.execute("SELECT count(*) FROM _src").fetchone()[0]
    return ReadResult(table="_src", header=cols, parsed_rows=count, rejected=[])


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, read: ReadOptions) -> ReadResult:
    # A previous file's rejects must not leak into this one.
    con.execute("DROP TABLE IF EXISTS _rejects")
    con.execute("DROP TABLE IF EXISTS _rejects_scan")
    options, values = _csv_options(read)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _parsed AS SELECT * FROM read_csv(?, {options})", [str(path), *values])
    header = [r[0] for r in con.execute("DESCRIBE _parsed").fetchall()]
    # DuckDB writes one reject row per missing column; a record is quarantined once, with its first error.
    rejected = [
        RejectedRecord(line=int(line), column=column, reason=REJECT_REASONS.get(etype, "the record could not be read"))
        for line, column, etype in con.execute(
            "SELECT line, arg_min(column_name, column_idx), arg_min(CAST(error_type AS VARCHAR), column_idx) "
            "FROM _rejects GROUP BY line ORDER BY line"
        ).fetchall()
    ]
    _number_rows(con, [r.line for r in rejected], read.header)
    count = con.execute("SELECT count(*) FROM _src").fetchone()[0]
    return ReadResult(table="_src", header=header, parsed_rows=count, rejected=rejected)


def _number_rows(con: duckdb.DuckDBPyConnection, rejected_lines: list[int], has_header: bool) -> None:
    """Give each parsed record its row number in the file, counting the records the parser rejected.

    rowid follows file order (insertion order is preserved). Rejected records are missing from
    `_parsed`, so each one shifts the records after it: the k-th rejected row (0-based) shifts every record
    whose unshifted number reaches row - k.
    """
    first_row = 2 if has_header else 1
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _src AS SELECT {first_row} + rowid AS _source_row, * FROM _parsed ORDER BY rowid"
    )
    if rejected_lines:
        con.execute("CREATE OR REPLACE TEMP TABLE _rej AS SELECT unnest(?::BIGINT[]) AS line", [rejected_lines])
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _shift AS
            SELECT line - (row_number() OVER (ORDER BY line) - 1) AS threshold FROM _rej
            """
        )
        con.execute(
            """
            UPDATE _src SET _source_row = _source_row + (
                SELECT count(*) FROM _shift WHERE _shift.threshold <= _src._source_row)
            """
        )
    con.execute("DROP TABLE IF EXISTS _parsed")


def copy_into(path: Path, target: Path) -> None:
    """Copy a file into a landing folder (used by the CLI and tests)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
