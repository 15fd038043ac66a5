"""Load an entity's landing files into its raw table: read, map, validate, quarantine, record.

Each file is one transaction: its valid rows, its quarantined rows, its ledger entry and its report row
commit together, so a run killed half-way leaves every file either fully loaded or not at all, and the
re-run picks up exactly what is missing. Conservation holds per file by construction and is re-checked
from the stored rows by the `conservation` asset check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dagster_project.contract import Entity
from dagster_project.loading.ledger import (
    ensure_meta_tables,
    ensure_raw_table,
    file_checksum,
    forget_file,
    ledger_entry,
)
from dagster_project.loading.mapping import Mapping, compile_output, identity_mapping, load_mappings
from dagster_project.loading.name_list import record_name_tokens
from dagster_project.loading.reader import LoadError, ReadResult, is_landing_file, read_landing_file
from dagster_project.loading.validate import validation_sql
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


def _check_source_columns(
    path: Path, header: list[str], entity: Entity, mapping: Mapping | None, reads: set[str]
) -> None:
    if mapping is None:
        missing = [c.name for c in entity.columns if c.required and c.name not in header]
        if missing:
            raise LoadError(
                f"{path}: missing required column(s) {', '.join(missing)} for {entity.name} "
                f"(the file has: {', '.join(header)})"
            )
        return
    missing = sorted(reads - set(header))
    if missing:
        raise LoadError(
            f"{path}: column(s) {', '.join(missing)} used by mapping {mapping.name!r} for {entity.name} "
            f"not in the file (it has: {', '.join(header)})"
        )


def _store_file(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    read: ReadResult,
    mapped_sql: str,
    source_file: str,
    load_id: str,
) -> tuple[int, int]:
    """Validate the mapped rows and write good ones to raw, bad ones to quarantine. Returns counts."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE _validated AS {validation_sql(entity, mapped_sql)}")
    record_name_tokens(con, entity, mapped_sql)  # keyed name words for text redaction (name_list.py)
    columns = ", ".join(f'"{c}"' for c in entity.column_names)
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
    for rejected in read.rejected:
        # The parser could not split this record: no trustworthy values, so no record text is kept
        # (it may hold personal data that was never pseudonymised).
        con.execute(
            "INSERT INTO meta.quarantine VALUES (?, ?, ?, ?, ?, ?, NULL, current_timestamp)",
            [load_id, entity.name, source_file, rejected.line, rejected.column, rejected.reason],
        )
    loaded, bad = con.execute(
        "SELECT count(*) FILTER (WHERE len(_errors) = 0), count(*) FILTER (WHERE len(_errors) > 0) FROM _validated"
    ).fetchone()
    return loaded, bad + len(read.rejected)


def load_file(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    path: Path,
    mapping: Mapping | None,
    landing: Path,
    load_id: str,
) -> FileOutcome:
    source_file = path.relative_to(landing).as_posix()
    mapping_name = mapping.name if mapping else "identity"
    fingerprint = f"{file_checksum(path)}:{mapping.fingerprint if mapping else 'identity'}"
    previous = ledger_entry(con, entity.name, source_file)
    if previous and previous.fingerprint == fingerprint:
        return FileOutcome(source_file, mapping_name, "skipped_unchanged")
    read_options = mapping.read if mapping else identity_mapping(entity, []).read
    read = read_landing_file(con, path, read_options)
    effective = mapping or identity_mapping(entity, read.header)
    mapped_sql, reads = compile_output(effective.outputs[entity.name], entity, read.table)
    _check_source_columns(path, read.header, entity, mapping, reads)
    with transaction(con):
        if previous:
            forget_file(con, entity, source_file)
        try:
            loaded, quarantined = _store_file(con, entity, read, mapped_sql, source_file, load_id)
        except duckdb.BinderException as exc:
            raise LoadError(f"{path}: mapping {mapping_name!r} does not fit the file: {exc}") from exc
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
    con.execute("SET VARIABLE pii_key = ?", [pii_key])
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
            outcome = load_file(con, entity, path, mapping, landing, load_id)
        except LoadError as exc:
            outcome = FileOutcome(
                path.relative_to(landing).as_posix(),
                mapping.name if mapping else "identity",
                "failed",
                message=str(exc),
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
