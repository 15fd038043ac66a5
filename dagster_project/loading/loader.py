"""Load an entity's landing files into its raw table: read, map, validate, quarantine, record.

Each file is one transaction: its valid rows, its quarantined rows, its ledger entry and its report row
commit together, so a run killed half-way leaves every file either fully loaded or not at all, and the
re-run picks up exactly what is missing. Conservation holds per file by construction and is re-checked
from the stored rows by the `conservation` asset check.

Mapping and validation SQL never run on the build warehouse: each file is read into a private sandbox
(sandbox.py) that is locked before the mapping's SQL runs, and only the validated rows come back. Messages
written to meta.load_report / meta.quarantine name file, row, column and reason, never a field's value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pyarrow as pa

from dagster_project.contract import Entity
from dagster_project.loading.ledger import (
    ensure_meta_tables,
    ensure_raw_table,
    file_checksum,
    forget_file,
    ledger_entry,
)
from dagster_project.loading.mapping import Mapping, compile_output, identity_mapping, load_mappings
from dagster_project.loading.name_list import name_token_hashes, store_name_tokens
from dagster_project.loading.reader import LoadError, ReadResult, RejectedRecord, is_landing_file, read_landing_file
from dagster_project.loading.sandbox import Sandbox, quote_ident, sandbox
from dagster_project.loading.validate import ReferenceRows, reference_rows, references_fingerprint, validation_sql
from dagster_project.transactions import transaction


@dataclass(frozen=True)
class FileOutcome:
    source_file: str
    mapping: str
    status: str  # loaded | skipped_unchanged | failed
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    message: str = ""


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
    def failures(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "failed"]


def _mapped_files(landing: Path, mapping: Mapping) -> list[Path]:
    found = {p for pattern in mapping.files for p in landing.glob(pattern)}
    return sorted(p for p in found if p.is_file() and is_landing_file(p))


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
        hidden = any(part.startswith(("_", ".")) for part in path.relative_to(landing).parts)
        if path.is_file() and not hidden and is_landing_file(path) and path not in claimed:
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
}


def _mapping_failure(box: Sandbox, mapped_sql: str, entity: Entity, output_columns: set[str], exc: duckdb.Error) -> str:
    """Which target column's expression fails (each is evaluated alone), and why, in plain words."""
    fallback = f"the expression failed on this file ({type(exc).__name__})"
    reason = next((text for kind, text in _SQL_FAILURES.items() if isinstance(exc, kind)), fallback)
    for col in entity.columns:
        if col.name not in output_columns:
            continue
        try:
            box.con.execute(f"SELECT count({quote_ident(col.name)}) FROM ({mapped_sql})").fetchall()
        except duckdb.Error:
            return f"column {col.name}: {reason}"
    return f"the where condition or unpivot: {reason}"


def _map_and_validate(
    box: Sandbox,
    entity: Entity,
    effective: Mapping,
    mapping: Mapping | None,
    read: ReadResult,
    references: ReferenceRows,
) -> tuple[pa.Table, set[str], list[str]]:
    """Map and validate the file's records inside the locked sandbox; the result leaves it as Arrow, with the
    keyed hashes of the name words it holds (name_list.py), never the names."""
    output = effective.outputs[entity.name]
    mapped_sql, reads = compile_output(output, entity, read.table)
    _check_source_columns(read.header, entity, mapping, reads)
    try:
        validated = box.con.sql(validation_sql(entity, mapped_sql, references)).to_arrow_table()
    except duckdb.Error as exc:
        where = _mapping_failure(box, mapped_sql, entity, set(output.columns), exc)
        raise LoadError(f"mapping {effective.name!r} for {entity.name}, {where}") from exc
    return validated, reads, name_token_hashes(box.con, entity, mapped_sql)


def _store_file(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    validated: pa.Table,
    rejected: list[RejectedRecord],
    source_file: str,
    load_id: str,
) -> tuple[int, int]:
    """Write the validated rows: good ones to raw, bad ones to quarantine. Returns counts."""
    con.register("_validated", validated)
    try:
        columns = ", ".join(quote_ident(c) for c in entity.column_names)
        con.execute(
            f"INSERT INTO {entity.raw_table} SELECT {columns}, ?, _source_row, ?, current_timestamp "
            "FROM _validated WHERE len(_errors) = 0 ORDER BY _source_row",
            [source_file, load_id],
        )
        con.execute(
            "INSERT INTO meta.quarantine SELECT ?, ?, ?, _source_row, split_part(_errors[1], ':', 1), "
            "array_to_string(_errors, '; '), _record, current_timestamp FROM _validated WHERE len(_errors) > 0",
            [load_id, entity.name, source_file],
        )
        loaded, bad = con.execute(
            "SELECT count(*) FILTER (WHERE len(_errors) = 0), count(*) FILTER (WHERE len(_errors) > 0) FROM _validated"
        ).fetchall()[0]
    finally:
        con.unregister("_validated")
    for record in rejected:
        # The parser could not split this record: no trustworthy values, so no record text is kept
        # (it may hold personal data that was never pseudonymised).
        con.execute(
            "INSERT INTO meta.quarantine VALUES (?, ?, ?, ?, ?, ?, NULL, current_timestamp)",
            [load_id, entity.name, source_file, record.line, record.column, record.reason],
        )
    return loaded, bad + len(rejected)


def _named_rejects(read: ReadResult, known_columns: set[str]) -> list[RejectedRecord]:
    """Parser rejects keep the column DuckDB names only when it is a column the contract or mapping knows:
    in a file without its header line the "column names" are a data record."""
    known = {c.lower() for c in known_columns}
    return [r if (r.column or "").lower() in known else replace(r, column=None) for r in read.rejected]


def load_file(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    mapping: Mapping | None,
    landing: Path,
    load_id: str,
    pii_key: str,
) -> FileOutcome:
    source_file = path.relative_to(landing).as_posix()
    mapping_name = mapping.name if mapping else "identity"
    real_path = inside_landing(landing, path)
    references = reference_rows(con, entity)
    fingerprint = f"{file_checksum(real_path)}:{mapping.fingerprint if mapping else 'identity'}"
    fingerprint += references_fingerprint(references)
    previous = ledger_entry(con, entity.name, source_file)
    if previous and previous.fingerprint == fingerprint:
        return FileOutcome(source_file, mapping_name, "skipped_unchanged")
    read_options = mapping.read if mapping else identity_mapping(entity, []).read
    with sandbox(pii_key) as box:
        read = read_landing_file(box.con, real_path, read_options)
        box.lock()  # from here on no SQL on this connection can touch a file or a setting
        effective = mapping or identity_mapping(entity, read.header)
        validated, reads, name_tokens = _map_and_validate(box, entity, effective, mapping, read, references)
    rejected = _named_rejects(read, set(entity.column_names) | reads)
    with transaction(con):
        if previous:
            forget_file(con, entity, source_file)
        loaded, quarantined = _store_file(con, entity, validated, rejected, source_file, load_id)
        store_name_tokens(con, name_tokens)
        output = effective.outputs[entity.name]
        # A mapping that unpivots or filters hands this entity other rows than the file's records: count
        # what it handed over, so rows read = loaded + quarantined still holds.
        rows_read = loaded + quarantined if (output.unpivot or output.where) else read.rows_read
        con.execute(
            "INSERT INTO meta.ingestion_ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)",
            [entity.name, source_file, fingerprint, mapping_name, rows_read, loaded, quarantined, load_id],
        )
        outcome = FileOutcome(
            source_file,
            mapping_name,
            "loaded",
            rows_read,
            loaded,
            quarantined,
            "replaced an earlier version" if previous else "",
        )
        _report(con, load_id, entity, outcome)
    return outcome


def _report(con: duckdb.DuckDBPyConnection, load_id: str, entity: Entity, outcome: FileOutcome) -> None:
    con.execute(
        "INSERT INTO meta.load_report VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)",
        [
            load_id,
            entity.name,
            outcome.source_file,
            outcome.mapping,
            outcome.status,
            outcome.rows_read,
            outcome.rows_loaded,
            outcome.rows_quarantined,
            outcome.message,
        ],
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
    files = list(discover_files(landing, entity, mappings))
    for index, (path, mapping) in enumerate(files, start=1):
        try:
            outcome = load_file(con, entity, path, mapping, landing, load_id, pii_key)
        except LoadError as exc:
            source_file = path.relative_to(landing).as_posix()
            outcome = FileOutcome(
                source_file, mapping.name if mapping else "identity", "failed", message=f"{source_file}: {exc}"
            )
            _report(con, load_id, entity, outcome)
        summary.files.append(outcome)
        if outcome.status != "skipped_unchanged":
            log(
                f"[{entity.name} {index}/{len(files)}] {outcome.source_file}: {outcome.status} "
                f"read={outcome.rows_read} loaded={outcome.rows_loaded} quarantined={outcome.rows_quarantined}"
                + (f" — {outcome.message}" if outcome.message else "")
            )
    return summary
