"""Import mappings: how a user's export differs from the landing contract, described in YAML.

A user whose CRM calls the key `CustomerNo`, answers "Yes"/"No", scores 1-4 or writes Windows-1252 text
describes that once in `landing/_mappings/<name>.yml` instead of editing data. A mapping compiles to one
DuckDB SELECT per target entity over the file as read (all columns text), so it stays vectorised at any
size. Files in `landing/<entity>/` need no mapping: they are read as contract-shaped (the identity mapping).

Column specs (target contract column -> how to compute it):
    customer_id: CustomerNo                       # a source column, as is
    status: {from: Churn, map: {"Yes": churned, "No": active}}   # value codes (unmapped -> NULL)
    score: {from: Q1, rescale: {from: [1, 4], to: [1, 5]}}       # linear rescale of a numeric scale
    signup_date: {from: Joined, format: "%d/%m/%Y"}               # dates/timestamps in another format
    platform: {value: "Web shop"}                 # a constant
    signup_date: {sql: "DATE '2020-01-31' - to_months(tenure::INT)"}  # any DuckDB expression
Contract columns a mapping leaves out are NULL (a required one is a mapping error).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dagster_project.contract import Entity, load_contract

SUPPORTED_ENCODINGS = {"utf-8", "cp1252", "windows-1252", "latin-1", "iso-8859-1"}


class MappingError(ValueError):
    """A mapping file that cannot work; the message names the mapping file and the field."""


@dataclass(frozen=True)
class ReadOptions:
    delimiter: str | None = None  # None: let DuckDB sniff
    encoding: str = "utf-8"
    header: bool = True
    quote: str = '"'
    null_values: tuple[str, ...] = ("",)

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None, where: str) -> ReadOptions:
        raw = dict(raw or {})
        unknown = set(raw) - {"delimiter", "encoding", "header", "quote", "null_values"}
        if unknown:
            raise MappingError(f"{where}: unknown read option(s) {sorted(unknown)}")
        encoding = str(raw.get("encoding", "utf-8")).lower()
        if encoding not in SUPPORTED_ENCODINGS:
            raise MappingError(f"{where}: encoding {encoding!r} not supported ({sorted(SUPPORTED_ENCODINGS)})")
        nulls = raw.get("null_values", [""])
        return cls(
            delimiter=raw.get("delimiter"),
            encoding=encoding,
            header=bool(raw.get("header", True)),
            quote=str(raw.get("quote", '"')),
            null_values=tuple(str(v) for v in nulls),
        )


@dataclass(frozen=True)
class Unpivot:
    """Turn several item columns of one wide row into one row per item (survey exports are wide)."""

    columns: tuple[str, ...]
    name: str  # new column holding the item's source column name
    value: str  # new column holding the item's value


@dataclass(frozen=True)
class EntityOutput:
    entity: str
    columns: dict[str, Any]  # contract column -> spec (see module docstring)
    unpivot: Unpivot | None = None
    where: str | None = None  # optional SQL filter: rows of the file this entity takes


@dataclass(frozen=True)
class Mapping:
    name: str
    description: str
    files: tuple[str, ...]  # globs relative to the landing folder
    read: ReadOptions
    outputs: dict[str, EntityOutput]
    source_path: Path | None = None
    provenance: str = ""
    fingerprint: str = field(default="identity")  # changes when the mapping changes -> files reload

    @property
    def is_identity(self) -> bool:
        return self.source_path is None


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def compile_column(spec: Any, where: str) -> tuple[str, set[str]]:
    """One column spec -> (SQL expression, source columns it reads)."""
    if isinstance(spec, str):
        return _quote_ident(spec), {spec}
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: a column spec is a source column name or a mapping, got {spec!r}")
    if "sql" in spec:
        return f"({spec['sql']})", set()  # DuckDB reports unknown columns; the loader names the file
    if "value" in spec:
        return _sql_literal(spec["value"]), set()
    if "from" not in spec:
        raise MappingError(f"{where}: a column spec needs one of from / sql / value, got {spec!r}")
    source = str(spec["from"])
    expr = _quote_ident(source)
    if "map" in spec:
        cases = " ".join(f"WHEN {_sql_literal(str(k))} THEN {_sql_literal(v)}" for k, v in dict(spec["map"]).items())
        expr = f"(CASE trim(CAST({expr} AS VARCHAR)) {cases} ELSE NULL END)"
    if "rescale" in spec:
        (a, b), (c, d) = spec["rescale"]["from"], spec["rescale"]["to"]
        if a == b:
            raise MappingError(f"{where}: rescale.from needs two different values")
        expr = f"({c} + (TRY_CAST({expr} AS DOUBLE) - {a}) * ({d} - {c}) / ({b} - {a}))"
    if "format" in spec:
        expr = f"try_strptime(CAST({expr} AS VARCHAR), {_sql_literal(spec['format'])})"
    return expr, {source}


def _parse_output(entity_name: str, raw: dict[str, Any], where: str) -> EntityOutput:
    contract = load_contract()
    if entity_name not in contract.entities:
        raise MappingError(f"{where}: unknown entity {entity_name!r} (the contract has {sorted(contract.entities)})")
    entity = contract.entity(entity_name)
    columns = dict(raw.get("columns") or {})
    unknown = set(columns) - set(entity.column_names)
    if unknown:
        raise MappingError(f"{where}: {entity_name} has no column(s) {sorted(unknown)}")
    missing = [c.name for c in entity.columns if c.required and c.name not in columns]
    if missing:
        raise MappingError(f"{where}: required {entity_name} column(s) not mapped: {missing}")
    for target, spec in columns.items():
        compile_column(spec, f"{where}: {entity_name}.{target}")  # fail early on a bad spec
    unpivot = None
    if raw.get("unpivot"):
        u = raw["unpivot"]
        unpivot = Unpivot(columns=tuple(u["columns"]), name=u["name"], value=u["value"])
    return EntityOutput(entity=entity_name, columns=columns, unpivot=unpivot, where=raw.get("where"))


def load_mapping(path: Path) -> Mapping:
    """Parse and check one mapping file; errors name the file and the offending field."""
    where = str(path.name)
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise MappingError(f"{where}: not valid YAML: {exc}") from exc
    for key in ("name", "files", "outputs"):
        if key not in raw:
            raise MappingError(f"{where}: missing required key {key!r}")
    files = raw["files"] if isinstance(raw["files"], list) else [raw["files"]]
    outputs = {name: _parse_output(name, spec or {}, where) for name, spec in raw["outputs"].items()}
    return Mapping(
        name=str(raw["name"]),
        description=str(raw.get("description", "")),
        files=tuple(str(f) for f in files),
        read=ReadOptions.from_dict(raw.get("read"), where),
        outputs=outputs,
        source_path=Path(path),
        provenance=str(raw.get("provenance", "")),
        fingerprint=hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()[:16],
    )


def load_mappings(directory: Path) -> tuple[list[Mapping], list[tuple[Path, MappingError]]]:
    """Every mapping in `directory`, and the files that are not valid mappings with their errors."""
    if not directory.is_dir():
        return [], []
    mappings, broken = [], []
    for path in sorted(directory.glob("*.yml")) + sorted(directory.glob("*.yaml")):
        try:
            mappings.append(load_mapping(path))
        except MappingError as exc:
            broken.append((path, exc))
    return mappings, broken


def identity_mapping(entity: Entity, header: list[str]) -> Mapping:
    """Contract-shaped file: take the contract columns the header has; extra columns are ignored."""
    present = [c for c in entity.column_names if c in header]
    output = EntityOutput(entity=entity.name, columns={c: c for c in present})
    return Mapping(
        name="identity",
        description="contract-shaped file",
        files=(),
        read=ReadOptions(),
        outputs={entity.name: output},
    )


def compile_output(output: EntityOutput, entity: Entity, source: str) -> tuple[str, set[str]]:
    """SELECT producing the entity's contract columns (+ _source_row) from relation `source`."""
    relation = source
    if output.unpivot:
        u = output.unpivot
        on = ", ".join(_quote_ident(c) for c in u.columns)
        relation = f"(UNPIVOT {source} ON {on} INTO NAME {_quote_ident(u.name)} VALUE {_quote_ident(u.value)})"
    reads: set[str] = set(output.unpivot.columns) if output.unpivot else set()
    produced = {output.unpivot.name, output.unpivot.value} if output.unpivot else set()
    selects = []
    for col in entity.columns:
        if col.name in output.columns:
            expr, used = compile_column(output.columns[col.name], f"{entity.name}.{col.name}")
            reads |= used - produced
        else:
            expr = "NULL"
        selects.append(f"{expr} AS {_quote_ident(col.name)}")
    where = f" WHERE {output.where}" if output.where else ""
    sql = f"SELECT _source_row, {', '.join(selects)} FROM {relation}{where}"
    return sql, reads
