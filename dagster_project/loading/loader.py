"""Load an entity's landing files into its raw table: read, map, validate, quarantine, record.

An entity's new files are loaded set-wise, in batches (docs/decisions.md D605-D609): consecutive
contract-shaped files of the entity that share a header line (reader.batch_key, up to reader.BATCH_BYTES) are
read in one pass into one sandbox, mapped and validated in one statement (each record keeps its file's index,
so duplicates are "within the file" and counts stay per file), and stored in one transaction. A file read
alone is a batch of one: mapped exports (their SQL, windows included, is written for one file), workbooks,
archives, gzipped, fixed-width or re-encoded text, and any file whose header differs from its neighbours'.
A batch that fails as a whole is loaded again file by file, so a failure and its message stay one file's.

Each batch is one transaction: its files' valid rows, quarantined rows, ledger entries and report rows commit
together, so a run killed half-way leaves every file either fully loaded or not at all, and the re-run picks
up exactly what is missing. Conservation holds per file by construction and is re-checked from the stored
rows by the `conservation` asset check.

Mapping and validation SQL never run on the build warehouse: a batch's files are read into a private sandbox
(sandbox.py) that is locked before the mapping's SQL runs, and only the validated rows come back. Messages
written to meta.load_report / meta.quarantine name file, row, column and reason, never a field's value.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pyarrow as pa

from dagster_project.contract import Entity
from dagster_project.loading.ledger import (
    LINEAGE_NAMES,
    LedgerEntry,
    ensure_meta_tables,
    ensure_raw_table,
    file_checksum,
    forget_file,
    insert_row,
    ledger_entry,
    superseded_table,
)
from dagster_project.loading.mapping import (
    EXCLUDED,
    Mapping,
    compile_parts,
    identity_mapping,
    load_mappings,
)
from dagster_project.loading.name_list import name_token_hashes, store_name_tokens
from dagster_project.loading.reader import (
    BATCH_BYTES,
    LoadError,
    ReadResult,
    RejectedRecord,
    batch_key,
    is_junk_file,
    read_landing_file,
    read_landing_files,
)
from dagster_project.loading.sandbox import FILE_INDEX, Sandbox, quote_ident, sandbox
from dagster_project.loading.validate import ReferenceRows, reference_rows, references_fingerprint, validation_sql
from dagster_project.settings import memory_shortfall
from dagster_project.transactions import transaction


@dataclass(frozen=True)
class FileOutcome:
    source_file: str
    mapping: str
    # loaded | skipped_unchanged | failed | unmatched (a mapping whose globs match no file) | ignored (system,
    # lock and temporary files, counted in one row per entity)
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    message: str = ""
    rows_excluded: int = 0
    rows_superseded: int = 0  # rows of earlier files whose key this file brought again (they are replaced)
    records_loaded: int = 0  # rows written to the raw table (fewer than rows_loaded with group_by)
    exclusions: tuple[tuple[str, int], ...] = ()  # (reason, rows)


@dataclass
class EntityLoadSummary:
    entity: str
    files: list[FileOutcome] = field(default_factory=list)

    def _total(self, attr: str) -> int:
        return sum(getattr(f, attr) for f in self.files)

    @property
    def rows_read(self) -> int:
        return self._total("rows_read")

    @property
    def rows_loaded(self) -> int:
        return self._total("rows_loaded")

    @property
    def rows_quarantined(self) -> int:
        return self._total("rows_quarantined")

    @property
    def rows_excluded(self) -> int:
        return self._total("rows_excluded")

    @property
    def rows_superseded(self) -> int:
        return self._total("rows_superseded")

    @property
    def failures(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "failed"]


def _hidden(landing: Path, path: Path) -> bool:
    """A path with a part starting with `_` or `.` (the _mappings and _truth folders, partial uploads)."""
    return any(part.startswith(("_", ".")) for part in path.relative_to(landing).parts)


def _mapped_files(landing: Path, mapping: Mapping) -> list[Path]:
    """Every file the mapping's globs match, whatever its kind: one the reader cannot read is reported as
    failed, never skipped."""
    found = {p for pattern in mapping.files for p in landing.glob(pattern)}
    return sorted(p for p in found if p.is_file() and not _hidden(landing, p))


def unmatched_mappings(landing: Path, entity: Entity, mappings: list[Mapping]) -> list[Mapping]:
    """The mappings feeding `entity` whose `files:` globs match no file at all (a typo in a glob, an export
    saved elsewhere): reported as a warning, since no file is not the same as an empty file."""
    return [m for m in mappings if entity.name in m.outputs and not _mapped_files(landing, m)]


def unmatched_message(mapping: Mapping) -> str:
    globs = ", ".join(repr(g) for g in mapping.files)
    return (
        f"warning: import mapping {mapping.name!r} found no file: its files: {globs} match nothing in the landing "
        "folder (check the folder and the file names)"
    )


def discover_files(landing: Path, entity: Entity, mappings: list[Mapping]) -> Iterator[tuple[Path, Mapping | None]]:
    """Files for `entity`: those its mappings' globs match, then contract-shaped files in landing/<entity>/.

    A file any mapping claims is never also read as contract-shaped. Paths with a part starting with `_`
    or `.` (the _mappings and _truth folders, partial uploads) are ignored.
    """
    claimed: set[Path] = set()
    for mapping in mappings:
        files = _mapped_files(landing, mapping)
        claimed.update(files)
        if entity.name in mapping.outputs:
            yield from ((path, mapping) for path in files)
    folder = landing / entity.name
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not _hidden(landing, path) and path not in claimed:
            yield path, None


def inside_landing(landing: Path, path: Path) -> Path:
    """The file's real path, if it lies inside the landing folder; a link or glob leading elsewhere is refused
    (whoever can drop a file must not make the loader read the rest of the machine)."""
    resolved = path.resolve()
    if not resolved.is_relative_to(landing.resolve()):
        raise LoadError(
            "refused: the file lies outside the landing folder (a link or a '..' path); copy the file itself "
            "into the landing folder"
        )
    return resolved


def _check_source_columns(header: list[str], entity: Entity, mapping: Mapping | None, reads: set[str]) -> None:
    """Column names are compared as DuckDB binds them (case-insensitively). The header is never quoted back:
    in a file without its header line it is a data record."""
    present = {h.lower() for h in header}
    if mapping is None:
        missing = [c.name for c in entity.columns if c.required and c.name.lower() not in present]
        if missing:
            known = sum(c.name.lower() in present for c in entity.columns)
            hint = " (its first line has none of the contract's column names: is the header line missing?)"
            raise LoadError(
                f"missing required column(s) {', '.join(missing)} for {entity.name}" + (hint if not known else "")
            )
        return
    missing = sorted(c for c in reads if c.lower() not in present)
    if missing:
        raise LoadError(
            f"column(s) {', '.join(missing)} used by mapping {mapping.name!r} for {entity.name} not in the file"
        )


# DuckDB's error texts quote values and column names, so a failing mapping is reported by error kind only.
_SQL_FAILURES = {
    duckdb.ConversionException: "a value could not be converted (use TRY_CAST, so such rows are quarantined)",
    duckdb.BinderException: "the expression does not fit the file's columns or types",
    duckdb.OutOfRangeException: "a value is out of range (use TRY_CAST, so such rows are quarantined)",
    duckdb.PermissionException: "the expression tried to reach a file or a setting, which mapping SQL cannot",
    duckdb.InvalidInputException: "a value or a setting is not valid for a function (a strptime format, a "
    "division by zero, a value a function refuses)",
}


def _failure_reason(exc: duckdb.Error) -> str:
    fallback = "the expression failed on this file"
    return next((text for kind, text in _SQL_FAILURES.items() if isinstance(exc, kind)), fallback)


def _first_failing(box: Sandbox, probes: list[tuple[str, str]]) -> str | None:
    """The label of the first probe (label, SELECT with one column `_probe`) that fails when run alone."""
    for label, sql in probes:
        try:
            box.con.execute(f"SELECT count(_probe) FROM ({sql})").fetchall()
        except duckdb.Error:
            return label
    return None


@dataclass(frozen=True)
class Mapped:
    """What leaves the sandbox for the files read together: validated records (with `_file_index` and
    `_lines`), exclusions per file, name hashes."""

    validated: pa.Table
    reads: set[str]
    name_tokens: list[str]
    exclusions: dict[int, list[tuple[str, int]]]  # file index -> (reason, rows) in rule order


def _map_and_validate(
    box: Sandbox,
    entity: Entity,
    effective: Mapping,
    mapping: Mapping | None,
    read: ReadResult,
    references: ReferenceRows,
) -> Mapped:
    """Tag excluded rows, map the kept ones and validate them inside the locked sandbox. The result leaves it
    as Arrow, with the keyed hashes of the name words it holds (name_list.py), never the names. A runtime
    error in the mapping's SQL names the mapping, the output, the condition or column and the kind of error."""
    output = effective.outputs[entity.name]
    parts = compile_parts(output, entity, read.table)
    _check_source_columns(read.header, entity, mapping, parts.reads)
    failing = f"mapping {effective.name!r}, output {entity.name}"
    try:
        box.con.execute(f"CREATE OR REPLACE TEMP TABLE _tagged AS {parts.tag_sql()}")
    except duckdb.Error as exc:
        probes = [(label, f"SELECT ({sql}) AS _probe FROM {parts.relation}") for label, _, sql, _ in parts.conditions]
        where = _first_failing(box, probes) or "the unpivot"
        raise LoadError(f"{failing}, {where}: {_failure_reason(exc)}") from exc
    counted: dict[int, dict[str, int]] = {}
    for index, reason, rows in box.con.execute(
        f"SELECT {FILE_INDEX}, {EXCLUDED}, count(*) FROM _tagged WHERE {EXCLUDED} IS NOT NULL GROUP BY 1, 2"
    ).fetchall():
        counted.setdefault(index, {})[reason] = rows
    exclusions = {
        index: [(reason, found[reason]) for _, reason, _, _ in parts.conditions if reason in found]
        for index, found in counted.items()
    }
    kept = f"(SELECT * EXCLUDE ({EXCLUDED}) FROM _tagged WHERE {EXCLUDED} IS NULL)"
    try:
        box.con.execute(f"CREATE OR REPLACE TEMP TABLE _mapped AS {parts.select_sql(kept)}")
    except duckdb.Error as exc:
        probes = [
            (f"column {col}", f"SELECT {quote_ident(col)} AS _probe FROM ({parts.select_sql(kept, only=col)})")
            for col in parts.columns
        ]
        where = _first_failing(box, probes) or "the group_by"
        raise LoadError(f"{failing}, {where}: {_failure_reason(exc)}") from exc
    validated = box.con.sql(
        f"SELECT v.*, m._lines FROM ({validation_sql(entity, 'SELECT * FROM _mapped', references)}) v "
        + (
            f"JOIN _mapped m USING ({FILE_INDEX}, _source_row)"
            if parts.group_by
            else "CROSS JOIN (SELECT 1 AS _lines) m"
        )
    ).to_arrow_table()
    return Mapped(validated, parts.reads, name_token_hashes(box.con, entity, "SELECT * FROM _mapped"), exclusions)


@dataclass(frozen=True)
class Stored:
    rows_loaded: int  # lines of the loaded records
    rows_quarantined: int  # lines of the quarantined records, and records the parser could not split
    records_loaded: int
    superseded: dict[str, int]  # other file -> its rows this file's rows replaced
    restored: int  # rows of other files back in the raw table because this file no longer wins their key
    records_replaced: int  # this file's records a later file's rows replace


def _resolve_keys(con: duckdb.DuckDBPyConnection, entity: Entity, source_file: str) -> tuple[dict[str, int], int]:
    """Re-decide, set-wise, which row of each key the raw table holds: the one from the latest file in path
    order, whatever order files were loaded in. Losing rows move to the superseded table, winning ones come
    back from it. Only keys this file holds or the superseded table holds can change. Returns (rows of other
    files superseded, per file; rows of other files brought back)."""
    keys = [quote_ident(k) for k in entity.primary_key]
    key_list = ", ".join(keys)
    columns = ", ".join(quote_ident(c) for c in [*entity.column_names, *LINEAGE_NAMES])
    raw, kept = entity.raw_table, superseded_table(entity)

    def on(a: str, b: str) -> str:
        return " AND ".join(f"{a}.{k} = {b}.{k}" for k in keys)

    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _winners AS SELECT {key_list}, max(_source_file) AS _winner FROM ("
        f"SELECT {key_list}, _source_file FROM {raw} UNION ALL SELECT {key_list}, _source_file FROM {kept}) a "
        f"WHERE ({key_list}) IN (SELECT ({key_list}) FROM {raw} WHERE _source_file = ? "
        f"UNION SELECT ({key_list}) FROM {kept}) GROUP BY {key_list}",
        [source_file],
    )
    try:
        losing = f"FROM {raw} r JOIN _winners w ON {on('r', 'w')} WHERE r._source_file <> w._winner"
        superseded = dict(
            con.execute(
                f"SELECT r._source_file, count(*) {losing} AND r._source_file <> ? GROUP BY 1", [source_file]
            ).fetchall()
        )
        con.execute(
            f"INSERT INTO {kept} ({columns}) SELECT {', '.join(f'r.{c}' for c in columns.split(', '))} {losing}"
        )
        con.execute(f"DELETE FROM {raw} r USING _winners w WHERE {on('r', 'w')} AND r._source_file <> w._winner")
        winning = f"FROM {kept} s JOIN _winners w ON {on('s', 'w')} WHERE s._source_file = w._winner"
        restored = con.execute(f"SELECT count(*) {winning} AND s._source_file <> ?", [source_file]).fetchone()[0]
        con.execute(
            f"INSERT INTO {raw} ({columns}) SELECT {', '.join(f's.{c}' for c in columns.split(', '))} {winning}"
        )
        con.execute(f"DELETE FROM {kept} s USING _winners w WHERE {on('s', 'w')} AND s._source_file = w._winner")
    finally:
        con.execute("DROP TABLE IF EXISTS _winners")
    return {str(f): int(n) for f, n in superseded.items()}, int(restored)


def _count_replaced(con: duckdb.DuckDBPyConnection, entity: Entity) -> None:
    """Every file's ledger entry counts its rows kept aside, plus those an older loader deleted (records_dropped):
    run once a batch's ledger entries are written."""
    con.execute(
        f"UPDATE meta.ingestion_ledger l SET records_replaced = records_dropped + (SELECT count(*) FROM "
        f"{superseded_table(entity)} s WHERE s._source_file = l.source_file) WHERE l.entity = ?",
        [entity.name],
    )


def _store_rows(
    con: duckdb.DuckDBPyConnection, entity: Entity, files: dict[int, str], load_id: str, now: object
) -> None:
    """Write the validated records of `files` (file index -> its name in the landing folder) from the batch
    registered as `_validated`: good ones to raw, in file and row order, bad ones to quarantine."""
    con.register("_files", pa.table({FILE_INDEX: list(files), "source_file": list(files.values())}))
    try:
        columns = ", ".join(f"v.{quote_ident(c)}" for c in entity.column_names)
        rows = f"FROM _validated v JOIN _files f USING ({FILE_INDEX})"
        con.execute(
            f"INSERT INTO {entity.raw_table} SELECT {columns}, f.source_file, v._source_row, ?, ? {rows} "
            f"WHERE len(v._errors) = 0 ORDER BY v.{FILE_INDEX}, v._source_row",
            [load_id, now],
        )
        con.execute(
            "INSERT INTO meta.quarantine (load_id, entity, source_file, source_row, column_name, reason, record, "
            "quarantined_at, source_lines) SELECT ?, ?, f.source_file, v._source_row, "
            "split_part(v._errors[1], ':', 1), array_to_string(v._errors, '; '), v._record, ?, v._lines "
            f"{rows} WHERE len(v._errors) > 0 ORDER BY v.{FILE_INDEX}, v._source_row",
            [load_id, entity.name, now],
        )
    finally:
        con.unregister("_files")


def _contested(con: duckdb.DuckDBPyConnection, entity: Entity, batch: list[Pending]) -> bool:
    """Whether storing the batch may replace or bring back any row: a file loaded before (its new version
    replaces the old), rows kept aside, or a key of the batch's good rows already loaded or in two of its files.
    Otherwise every row simply adds, and the batch is stored in one pass without re-deciding keys."""
    if any(item.previous for item in batch):
        return True
    keys = [quote_ident(k) for k in entity.primary_key]
    on = " AND ".join(f"v.{k} = r.{k}" for k in keys)
    valid = "(SELECT * FROM _validated WHERE len(_errors) = 0)"
    return bool(
        con.execute(
            f"SELECT EXISTS (FROM {superseded_table(entity)}) "
            f"OR EXISTS (SELECT 1 FROM {valid} v JOIN {entity.raw_table} r ON {on}) "
            f"OR EXISTS (SELECT 1 FROM {valid} v GROUP BY {', '.join(keys)} "
            f"HAVING count(DISTINCT {FILE_INDEX}) > 1)"
        ).fetchall()[0][0]
    )


def _store_batch(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    batch: list[Pending],
    reads: list[ReadResult],
    rejected: list[list[RejectedRecord]],
    load_id: str,
    now: object,
) -> list[Stored]:
    """Store the batch registered as `_validated`. Uncontested (the usual case: new files, new keys), in one
    pass; otherwise file by file in path order, each file's rows then deciding which row of each key the raw
    table holds (so each file's message names the files whose rows it replaced)."""
    counts = _file_counts(con)
    resolved: dict[int, tuple[dict[str, int], int, int]] = {}  # file index -> (superseded, restored, replaced)
    if not _contested(con, entity, batch):
        files = {read.file_index: item.source_file for item, read in zip(batch, reads, strict=True)}
        _store_rows(con, entity, files, load_id, now)
    else:
        for item, read in zip(batch, reads, strict=True):
            if item.previous:
                forget_file(con, entity, item.source_file)
            _store_rows(con, entity, {read.file_index: item.source_file}, load_id, now)
            superseded, restored = _resolve_keys(con, entity, item.source_file)
            replaced = con.execute(
                f"SELECT count(*) FROM {superseded_table(entity)} WHERE _source_file = ?", [item.source_file]
            ).fetchall()[0][0]
            resolved[read.file_index] = (superseded, restored, int(replaced))
    for item, found in zip(batch, rejected, strict=True):
        if found:
            # The parser could not split these records: no trustworthy values, so no record text is kept
            # (it may hold personal data that was never pseudonymised).
            con.executemany(
                "INSERT INTO meta.quarantine (load_id, entity, source_file, source_row, column_name, reason, "
                "record, quarantined_at, source_lines) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, 1)",
                [[load_id, entity.name, item.source_file, r.line, r.column, r.reason, now] for r in found],
            )
    stored = []
    for read, found in zip(reads, rejected, strict=True):
        records, loaded, bad = counts.get(read.file_index, (0, 0, 0))
        superseded, restored, replaced = resolved.get(read.file_index, ({}, 0, 0))
        stored.append(Stored(loaded, bad + len(found), records, superseded, restored, replaced))
    return stored


def _file_counts(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[int, int, int]]:
    """Per file of the registered batch `_validated`: records loaded, lines loaded, lines quarantined."""
    rows = con.execute(
        f"SELECT {FILE_INDEX}, count(*) FILTER (WHERE len(_errors) = 0), "
        "coalesce(sum(_lines) FILTER (WHERE len(_errors) = 0), 0), "
        f"coalesce(sum(_lines) FILTER (WHERE len(_errors) > 0), 0) FROM _validated GROUP BY 1"
    ).fetchall()
    return {int(r[0]): (int(r[1]), int(r[2]), int(r[3])) for r in rows}


def _now(con: duckdb.DuckDBPyConnection):
    return con.execute("SELECT current_timestamp").fetchall()[0][0]


def _named_rejects(read: ReadResult, known_columns: set[str]) -> list[RejectedRecord]:
    """Parser rejects keep the column DuckDB names only when it is a column the contract or mapping knows:
    in a file without its header line the "column names" are a data record."""
    known = {c.lower() for c in known_columns}
    return [r if (r.column or "").lower() in known else replace(r, column=None) for r in read.rejected]


@dataclass(frozen=True)
class Pending:
    """A new or changed landing file of the entity, waiting to be loaded."""

    path: Path  # as discovered in the landing folder
    real_path: Path
    mapping: Mapping | None
    source_file: str
    fingerprint: str
    previous: LedgerEntry | None
    position: int = 0  # its place among the entity's files (for the log)

    @property
    def mapping_name(self) -> str:
        return self.mapping.name if self.mapping else "identity"


def _pending(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    mapping: Mapping | None,
    landing: Path,
    references: ReferenceRows,
) -> Pending | FileOutcome:
    """The file waiting to be loaded, or its outcome when its fingerprint is the one the ledger holds."""
    source_file = path.relative_to(landing).as_posix()
    real_path = inside_landing(landing, path)
    fingerprint = f"{file_checksum(real_path)}:{mapping.fingerprint if mapping else 'identity'}"
    fingerprint += references_fingerprint(references)
    previous = ledger_entry(con, entity.name, source_file)
    pending = Pending(path, real_path, mapping, source_file, fingerprint, previous)
    if previous and previous.fingerprint == fingerprint:
        return FileOutcome(source_file, pending.mapping_name, "skipped_unchanged")
    return pending


def _read_options(entity: Entity, mapping: Mapping | None):
    return mapping.read if mapping else identity_mapping(entity, []).read


def batches(entity: Entity, pending: list[Pending]) -> list[list[Pending]]:
    """Consecutive contract-shaped files with the same batch key, up to BATCH_BYTES together, are one batch;
    every other file is a batch of its own. Files keep their order, so they are stored in path order."""
    found: list[list[Pending]] = []
    last, size = None, 0
    for item in pending:
        try:
            key = batch_key(item.real_path, _read_options(entity, None)) if item.mapping is None else None
            bytes_ = item.real_path.stat().st_size
        except OSError:
            key, bytes_ = None, 0
        if key is not None and key == last and size + bytes_ <= BATCH_BYTES:
            found[-1].append(item)
            size += bytes_
        else:
            found.append([item])
            last, size = key, bytes_
    return found


class ReadApart(Exception):  # noqa: N818 - a signal to the caller, not an error
    """Files of a batch whose parser rejects must be read as each alone is read: a file the CSV sniffer cannot
    read alone is read from a repaired copy (reader.py), which a read together does not do."""

    def __init__(self, positions: list[int]) -> None:
        super().__init__("files with parser rejects are read alone")
        self.positions = positions


def _split(batch: list[Pending], apart: list[int]) -> list[list[Pending]]:
    """The batch as runs in the same order, each file of `apart` (indexes in the batch) a run of its own."""
    runs: list[list[Pending]] = []
    for index, item in enumerate(batch):
        if index in apart or index - 1 in apart or not runs:
            runs.append([item])
        else:
            runs[-1].append(item)
    return runs


def load_batch(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    batch: list[Pending],
    references: ReferenceRows,
    load_id: str,
    pii_key: str,
) -> list[FileOutcome]:
    """Read, map, validate and store the batch's files: one sandbox, one read, one validation, one transaction.
    Raises what a file-level failure raises (a LoadError names the reason)."""
    mapping = batch[0].mapping
    read_options = _read_options(entity, mapping)
    with sandbox(pii_key) as box:
        if len(batch) == 1:
            reads = [read_landing_file(box.con, batch[0].real_path, read_options)]
        else:
            reads = read_landing_files(box.con, [item.real_path for item in batch], read_options)
            apart = [index for index, read in enumerate(reads) if read.rejected]
            if apart:
                raise ReadApart(apart)
        box.lock()  # from here on no SQL on this connection can touch a file or a setting
        effective = mapping or identity_mapping(entity, reads[0].header)
        mapped = _map_and_validate(box, entity, effective, mapping, reads[0], references)
    unpivot = bool(effective.outputs[entity.name].unpivot)
    rejected = [_named_rejects(read, set(entity.column_names) | mapped.reads) for read in reads]
    with transaction(con):
        now = _now(con)
        con.register("_validated", mapped.validated)
        try:
            store_name_tokens(con, mapped.name_tokens)
            stored = _store_batch(con, entity, batch, reads, rejected, load_id, now)
        finally:
            con.unregister("_validated")
        outcomes = [
            _record_file(
                con, entity, item, read, kept, mapped.exclusions.get(read.file_index, []), unpivot, load_id, now
            )
            for item, read, kept in zip(batch, reads, stored, strict=True)
        ]
        _count_replaced(con, entity)
    return outcomes


def _record_file(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    item: Pending,
    read: ReadResult,
    stored: Stored,
    exclusions: list[tuple[str, int]],
    unpivot: bool,
    load_id: str,
    now: object,
) -> FileOutcome:
    """The file's ledger entry, exclusions and report row."""
    excluded = sum(rows for _, rows in exclusions)
    # A mapping that unpivots hands this entity item rows, not the file's records: count those, so
    # rows read = loaded + quarantined + excluded still holds. Otherwise rows read are the file's records,
    # counted by the reader, independently of what the mapping did with them (the conservation check).
    rows_read = stored.rows_loaded + stored.rows_quarantined + excluded if unpivot else read.rows_read
    insert_row(
        con,
        "meta.ingestion_ledger",
        {
            "entity": entity.name,
            "source_file": item.source_file,
            "fingerprint": item.fingerprint,
            "mapping": item.mapping_name,
            "rows_read": rows_read,
            "rows_loaded": stored.rows_loaded,
            "rows_quarantined": stored.rows_quarantined,
            "load_id": load_id,
            "loaded_at": now,
            "rows_excluded": excluded,
            "records_loaded": stored.records_loaded,
            "records_replaced": stored.records_replaced,
            "records_dropped": 0,
        },
    )
    for reason, rows in exclusions:
        insert_row(
            con,
            "meta.load_exclusions",
            {
                "load_id": load_id,
                "entity": entity.name,
                "source_file": item.source_file,
                "reason": reason,
                "rows": rows,
            },
        )
    outcome = FileOutcome(
        item.source_file,
        item.mapping_name,
        "loaded",
        rows_read,
        stored.rows_loaded,
        stored.rows_quarantined,
        _message(item.previous is not None, stored.superseded, stored.restored),
        rows_excluded=excluded,
        rows_superseded=sum(stored.superseded.values()),
        records_loaded=stored.records_loaded,
        exclusions=tuple(exclusions),
    )
    _report(con, load_id, entity, outcome, now)
    return outcome


def load_file(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    mapping: Mapping | None,
    landing: Path,
    load_id: str,
    pii_key: str,
) -> FileOutcome:
    """Load one file alone (a batch of one); raises what its failure raises."""
    references = reference_rows(con, entity)
    pending = _pending(con, entity, path, mapping, landing, references)
    if isinstance(pending, FileOutcome):
        return pending
    [outcome] = load_batch(con, entity, [pending], references, load_id, pii_key)
    return outcome


def _message(replaced_version: bool, superseded: dict[str, int], restored: int) -> str:
    parts = ["replaced an earlier version"] if replaced_version else []
    if superseded:
        files = ", ".join(sorted(superseded))
        parts.append(f"{sum(superseded.values()):,} row(s) of earlier file(s) replaced by this file's rows: {files}")
    if restored:
        parts.append(f"{restored:,} row(s) of earlier file(s) brought back: this file no longer holds their key")
    return "; ".join(parts)


def ignored_message(junk: list[Path]) -> str:
    names = ", ".join(p.name for p in junk[:10]) + (" ..." if len(junk) > 10 else "")
    return f"note: {len(junk)} file(s) ignored as system, lock or temporary files (not exports): {names}"


def unexpected_reason(exc: BaseException) -> str:
    """A failure the reader did not foresee, classified by kind only: its text may quote the file."""
    if isinstance(exc, MemoryError | duckdb.OutOfMemoryException):
        return memory_shortfall("cannot load file: loading it")
    return f"cannot load file: an unexpected error ({type(exc).__name__}); the file was not loaded"


def _report(
    con: duckdb.DuckDBPyConnection, load_id: str, entity: Entity, outcome: FileOutcome, now: object = None
) -> None:
    insert_row(
        con,
        "meta.load_report",
        {
            "load_id": load_id,
            "entity": entity.name,
            "source_file": outcome.source_file,
            "mapping": outcome.mapping,
            "status": outcome.status,
            "rows_read": outcome.rows_read,
            "rows_loaded": outcome.rows_loaded,
            "rows_quarantined": outcome.rows_quarantined,
            "message": outcome.message,
            "loaded_at": now or _now(con),
            "rows_excluded": outcome.rows_excluded,
            "rows_superseded": outcome.rows_superseded,
            "records_loaded": outcome.records_loaded,
        },
    )


def load_entity(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    landing: Path,
    load_id: str,
    pii_key: str,
    log: Callable[[str], None] = print,
) -> EntityLoadSummary:
    """Load every new or changed file of `entity`. File-level failures are recorded, not raised: the
    caller decides (the Dagster asset fails the step after the good files are in)."""
    ensure_meta_tables(con)
    ensure_raw_table(con, entity)
    summary = EntityLoadSummary(entity.name)
    mappings, broken = load_mappings(landing / "_mappings")
    for path, error in broken:
        # A broken mapping may have been meant for this entity: fail loudly rather than skip its files.
        outcome = FileOutcome(path.relative_to(landing).as_posix(), path.name, "failed", message=str(error))
        _report(con, load_id, entity, outcome)
        summary.files.append(outcome)
    for mapping in unmatched_mappings(landing, entity, mappings):
        outcome = FileOutcome(", ".join(mapping.files), mapping.name, "unmatched", message=unmatched_message(mapping))
        _report(con, load_id, entity, outcome)
        summary.files.append(outcome)
        log(f"[{entity.name}] {outcome.message}")
    found = list(discover_files(landing, entity, mappings))
    junk = [path for path, _ in found if is_junk_file(path)]
    if junk:
        folders = ", ".join(sorted({p.parent.relative_to(landing).as_posix() for p in junk}))
        outcome = FileOutcome(folders, "", "ignored", message=ignored_message(junk))
        _report(con, load_id, entity, outcome)
        summary.files.append(outcome)
        log(f"[{entity.name}] {outcome.message}")
    files = [(path, mapping) for path, mapping in found if not is_junk_file(path)]
    claims: dict[Path, list[str]] = {}
    for path, mapping in files:
        claims.setdefault(path, []).append(mapping.name if mapping else "identity")
    for path, names in claims.items():
        if len(names) > 1:
            # Loaded by each mapping in turn, every run would replace the other's load and count it again.
            source_file = path.relative_to(landing).as_posix()
            message = (
                f"{source_file}: not loaded: the import mappings {', '.join(names)} all read it for {entity.name}; "
                "change their files: globs so that one mapping reads it"
            )
            outcome = FileOutcome(source_file, names[0], "failed", message=message)
            _report(con, load_id, entity, outcome)
            summary.files.append(outcome)
            log(f"[{entity.name}] {message}")
    files = [(path, mapping) for path, mapping in files if len(claims[path]) == 1]
    references = reference_rows(con, entity)
    pending: list[Pending] = []
    done: list[tuple[int, FileOutcome]] = []  # (position, outcome): the summary lists files in their order
    for position, (path, mapping) in enumerate(files, start=1):
        try:
            found = _pending(con, entity, path, mapping, landing, references)
        except Exception as exc:  # noqa: BLE001 - one file's failure, whatever it is, must not stop the others
            found = _failed(con, load_id, entity, path.relative_to(landing).as_posix(), mapping, exc)
        if isinstance(found, FileOutcome):
            _log_outcome(log, entity, position, len(files), found)
            done.append((position, found))
        else:
            pending.append(replace(found, position=position))
    queue = deque(batches(entity, pending))
    while queue:
        batch = queue.popleft()
        try:
            outcomes = load_batch(con, entity, batch, references, load_id, pii_key)
        except ReadApart as apart:
            queue.extendleft(reversed(_split(batch, apart.positions)))
            continue
        except Exception as exc:  # noqa: BLE001 - one file's failure, whatever it is, must not stop the others
            if len(batch) > 1:
                # Loaded again one by one: the file that fails fails alone, with its own message.
                outcomes = [_load_alone(con, entity, item, references, load_id, pii_key) for item in batch]
            else:
                outcomes = [_failed(con, load_id, entity, batch[0].source_file, batch[0].mapping, exc)]
        for item, outcome in zip(batch, outcomes, strict=True):
            _log_outcome(log, entity, item.position, len(files), outcome)
            done.append((item.position, outcome))
    summary.files += [outcome for _, outcome in sorted(done, key=lambda pair: pair[0])]
    return summary


def _load_alone(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    item: Pending,
    references: ReferenceRows,
    load_id: str,
    pii_key: str,
) -> FileOutcome:
    try:
        [outcome] = load_batch(con, entity, [item], references, load_id, pii_key)
    except Exception as exc:  # noqa: BLE001 - one file's failure, whatever it is, must not stop the others
        outcome = _failed(con, load_id, entity, item.source_file, item.mapping, exc)
    return outcome


def _failed(
    con: duckdb.DuckDBPyConnection,
    load_id: str,
    entity: Entity,
    source_file: str,
    mapping: Mapping | None,
    exc: Exception,
) -> FileOutcome:
    """A file that could not be loaded, reported: the reason is a LoadError's text or the error's kind only."""
    reason = str(exc) if isinstance(exc, LoadError) else unexpected_reason(exc)
    outcome = FileOutcome(
        source_file, mapping.name if mapping else "identity", "failed", message=f"{source_file}: {reason}"
    )
    _report(con, load_id, entity, outcome)
    return outcome


def _log_outcome(log: Callable[[str], None], entity: Entity, position: int, total: int, outcome: FileOutcome) -> None:
    if outcome.status != "skipped_unchanged":
        log(
            f"[{entity.name} {position}/{total}] {outcome.source_file}: {outcome.status} "
            f"read={outcome.rows_read} loaded={outcome.rows_loaded} quarantined={outcome.rows_quarantined}"
            + (f" excluded={outcome.rows_excluded}" if outcome.rows_excluded else "")
            + (f" superseded={outcome.rows_superseded}" if outcome.rows_superseded else "")
            + (f" — {outcome.message}" if outcome.message else "")
        )
