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

CSV_SUFFIXES = (".csv", ".csv.gz", ".txt", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq")


class LoadError(Exception):
    """A file-level problem (unreadable file, missing required column); the message names file and column."""


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


def _csv_options(read: ReadOptions) -> str:
    opts = [
        "all_varchar = true",
        f"header = {'true' if read.header else 'false'}",
        f"quote = '{read.quote}'",
        "nullstr = [" + ", ".join("'" + v.replace("'", "''") + "'" for v in read.null_values) + "]",
        "store_rejects = true",
        "rejects_table = '_rejects'",
        "rejects_scan = '_rejects_scan'",
    ]
    if read.delimiter:
        opts.append("delim = '" + read.delimiter.replace("'", "''") + "'")
    return ", ".join(opts)


def read_landing_file(con: duckdb.DuckDBPyConnection, path: Path, read: ReadOptions) -> ReadResult:
    """Read `path` into temp table `_src` (columns as text plus `_source_row`)."""
    if not path.is_file():
        raise LoadError(f"{path}: file not found")
    with tempfile.TemporaryDirectory(prefix="empathy-lake-read-") as tmp:
        try:
            if path.name.lower().endswith(PARQUET_SUFFIXES):
                return _read_parquet(con, path)
            source = path
            if read.encoding not in {"utf-8"}:
                source = _transcode_to_utf8(path, read.encoding, Path(tmp))
            return _read_csv(con, source, read)
        except (duckdb.Error, OSError, UnicodeError, EOFError, gzip.BadGzipFile) as exc:
            raise LoadError(f"{path}: cannot read file: {str(exc).splitlines()[0]}") from exc


def _read_parquet(con: duckdb.DuckDBPyConnection, path: Path) -> ReadResult:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _src AS SELECT * EXCLUDE (file_row_number), "
        "file_row_number + 1 AS _source_row FROM read_parquet(?, file_row_number = true)",
        [str(path)],
    )
    # Cast to text so typed Parquet and CSV take the same validation path.
    cols = [r[0] for r in con.execute("DESCRIBE _src").fetchall() if r[0] != "_source_row"]
    casts = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in cols)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _src AS SELECT _source_row, {casts} FROM _src")
    count = con.execute("SELECT count(*) FROM _src").fetchone()[0]
    return ReadResult(table="_src", header=cols, parsed_rows=count, rejected=[])


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, read: ReadOptions) -> ReadResult:
    # A previous file's rejects must not leak into this one.
    con.execute("DROP TABLE IF EXISTS _rejects")
    con.execute("DROP TABLE IF EXISTS _rejects_scan")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _parsed AS SELECT * FROM read_csv(?, {_csv_options(read)})",
        [str(path)],
    )
    header = [r[0] for r in con.execute("DESCRIBE _parsed").fetchall()]
    # DuckDB writes one reject row per missing column; a record is quarantined once, with its first error.
    rejected = [
        RejectedRecord(line=int(line), column=column, reason=f"{etype}: {message}")
        for line, column, etype, message in con.execute(
            "SELECT line, arg_min(column_name, column_idx), arg_min(CAST(error_type AS VARCHAR), column_idx), "
            "arg_min(error_message, column_idx) FROM _rejects GROUP BY line ORDER BY line"
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
