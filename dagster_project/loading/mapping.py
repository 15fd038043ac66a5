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
    signup_date: {sql: "DATE '2020-01-31' - to_months(tenure::INT)"}  # an allowed expression (sandbox.py)
Contract columns a mapping leaves out are NULL (a required one is a mapping error).

Per output, `where:` keeps rows and `exclude:` drops rows for a stated reason; both are counted per reason
(`excluded_reason`). `group_by:` makes one record per distinct key out of several lines (line items ->
orders): every column spec is then a key, has `agg:`, a `value:`, or is a `sql:` of aggregates.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from dagster_project.contract import Entity, load_contract
from dagster_project.loading.sandbox import (
    ALLOWED_DELIMITERS,
    ALLOWED_QUOTES,
    FILE_INDEX,
    FILE_ORDER,
    SUPPORTED_ENCODINGS,
    MappingError,
    check_expression,
    check_null_text,
    check_number,
    check_single_char,
    non_empty_filter,
    quote_ident,
    sql_literal,
)

__all__ = [
    "AGGREGATES",
    "WHERE_REASON",
    "CompiledOutput",
    "Exclusion",
    "FixedColumn",
    "Mapping",
    "MappingError",
    "ReadOptions",
    "compile_output",
    "compile_parts",
    "load_mapping",
    "load_mappings",
]

# The reason counted for the rows a `where:` condition does not select.
WHERE_REASON = "not selected by the mapping's where:"
# What an entry under `outputs:` may hold.
OUTPUT_KEYS = frozenset({"columns", "unpivot", "where", "exclude", "group_by"})
# Column name of the exclusion tag the loader adds to the rows it read (NULL: the row is kept).
EXCLUDED = "_excluded_reason"

READ_OPTIONS = {
    "delimiter",
    "encoding",
    "header",
    "quote",
    "null_values",
    "skip_rows",
    "sheet",
    "member",
    "widths",
    "columns",
}
MAX_SKIP_ROWS = 1000
MAX_FIXED_COLUMNS = 1000
WHITESPACE = "whitespace"  # read.delimiter: runs of spaces and tabs separate fields


@dataclass(frozen=True)
class FixedColumn:
    """One field of a fixed-width line: characters start..end, counted from 1, both included."""

    name: str
    start: int
    end: int


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file. Every option is checked against a fixed set here; the reader binds them as
    parameters, so no option text is ever pasted into SQL. Which option applies to which file kind is in
    docs/mappings.md ("read options")."""

    delimiter: str | None = None  # None: let DuckDB sniff; "whitespace": runs of spaces/tabs
    encoding: str = "utf-8"
    header: bool = True
    quote: str = '"'
    null_values: tuple[str, ...] = ("",)
    skip_rows: int = 0  # lines (sheet rows) above the header line, e.g. a report title
    sheet: str | None = None  # workbooks: the sheet's name; default the first sheet
    member: str | None = None  # archives: the member's name or a glob; default the only member
    fixed: tuple[FixedColumn, ...] = ()  # fixed-width text: the fields' positions

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None, where: str) -> ReadOptions:
        raw = dict(raw or {})
        unknown = set(raw) - READ_OPTIONS
        if unknown:
            raise MappingError(f"{where}: unknown read option(s) {sorted(unknown)}")
        encoding = str(raw.get("encoding", "utf-8")).lower()
        if encoding not in SUPPORTED_ENCODINGS:
            raise MappingError(f"{where}: encoding {encoding!r} not supported ({sorted(SUPPORTED_ENCODINGS)})")
        header = raw.get("header", True)
        if not isinstance(header, bool):
            raise MappingError(f"{where}: read.header must be true or false")
        delimiter = raw.get("delimiter")
        if delimiter is not None and delimiter != WHITESPACE:
            try:
                delimiter = check_single_char(delimiter, ALLOWED_DELIMITERS, f"{where}: read.delimiter")
            except MappingError as exc:
                raise MappingError(f"{exc}, or the word {WHITESPACE!r}") from exc
        nulls = raw.get("null_values", [""])
        if not isinstance(nulls, list):
            raise MappingError(f"{where}: read.null_values must be a list of texts")
        fixed = _fixed_columns(raw.get("widths"), raw.get("columns"), where)
        if fixed and delimiter is not None:
            raise MappingError(f"{where}: read.delimiter and fixed-width fields (widths / columns) exclude each other")
        return cls(
            delimiter=delimiter,
            encoding=encoding,
            header=header,
            quote=check_single_char(raw.get("quote", '"'), ALLOWED_QUOTES, f"{where}: read.quote"),
            null_values=tuple(check_null_text(v, f"{where}: read.null_values") for v in nulls),
            skip_rows=_whole_number(raw.get("skip_rows", 0), 0, MAX_SKIP_ROWS, f"{where}: read.skip_rows"),
            sheet=_short_text(raw.get("sheet"), f"{where}: read.sheet"),
            member=_member_glob(raw.get("member"), f"{where}: read.member"),
            fixed=fixed,
        )


def _whole_number(value: Any, low: int, high: int, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise MappingError(f"{where}: must be a whole number from {low} to {high}")
    return value


def _short_text(value: Any, where: str, limit: int = 200) -> str | None:
    if value is None:
        return None
    text = str(value)
    if not text or len(text) > limit or any(ord(c) < 32 for c in text):
        raise MappingError(f"{where}: must be a name of 1 to {limit} printable characters")
    return text


def _member_glob(value: Any, where: str) -> str | None:
    """An archive member's name or glob, relative and without `..` (names are matched, never extracted)."""
    text = _short_text(value, where)
    if text is not None and (text.startswith(("/", "\\")) or ".." in PurePosixPath(text.replace("\\", "/")).parts):
        raise MappingError(f"{where}: a member name inside the archive, relative and without '..'")
    return text


def _fixed_columns(widths: Any, columns: Any, where: str) -> tuple[FixedColumn, ...]:
    """`widths: [10, 8]` (fields side by side, names from the header line) or
    `columns: [{name, start, end}]` (positions counted from 1, end included; names given here)."""
    if widths is not None and columns is not None:
        raise MappingError(f"{where}: give read.widths or read.columns, not both")
    if widths is not None:
        if not isinstance(widths, list) or not 0 < len(widths) <= MAX_FIXED_COLUMNS:
            raise MappingError(f"{where}: read.widths must be a list of field widths")
        fields, start = [], 1
        for width in widths:
            width = _whole_number(width, 1, 10_000, f"{where}: read.widths")
            fields.append(FixedColumn(name="", start=start, end=start + width - 1))
            start += width
        return tuple(fields)
    if columns is None:
        return ()
    if not isinstance(columns, list) or not 0 < len(columns) <= MAX_FIXED_COLUMNS:
        raise MappingError(f"{where}: read.columns must be a list of {{name, start, end}}")
    fields = []
    for item in columns:
        if not isinstance(item, dict) or set(item) != {"name", "start", "end"}:
            raise MappingError(f"{where}: each of read.columns needs exactly name, start and end")
        start = _whole_number(item["start"], 1, 1_000_000, f"{where}: read.columns start")
        end = _whole_number(item["end"], start, 1_000_000, f"{where}: read.columns end (at least its start)")
        name = _short_text(item["name"], f"{where}: read.columns name") or ""
        fields.append(FixedColumn(name=name, start=start, end=end))
    if len({f.name.lower() for f in fields}) < len(fields):
        raise MappingError(f"{where}: read.columns names must differ")
    return tuple(fields)


@dataclass(frozen=True)
class Unpivot:
    """Turn several item columns of one wide row into one row per item (survey exports are wide)."""

    columns: tuple[str, ...]
    name: str  # new column holding the item's source column name
    value: str  # new column holding the item's value


@dataclass(frozen=True)
class Exclusion:
    """Rows dropped on purpose, for a reason shown to users (`exclude:` entries)."""

    reason: str  # plain words, e.g. "cancelled orders"
    when: str  # checked SQL condition over the source columns


@dataclass(frozen=True)
class EntityOutput:
    entity: str
    columns: dict[str, Any]  # contract column -> spec (see module docstring)
    unpivot: Unpivot | None = None
    where: str | None = None  # optional SQL filter: rows of the file this entity takes
    exclude: tuple[Exclusion, ...] = ()
    group_by: tuple[str, ...] = ()  # source columns: one output record per distinct key


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


def _numbers(expr: str, aggregate: str) -> str:
    """sum/avg over the lines' values; a non-empty value that is not a number makes the record's value the
    text 'not a number', so the record is quarantined by the column's type check instead of the value
    silently dropping out of the total."""
    number = f"TRY_CAST({expr} AS DOUBLE)"
    return (
        f"CASE WHEN count(*) FILTER (WHERE trim(CAST({expr} AS VARCHAR)) <> '' AND {number} IS NULL) > 0 "
        f"THEN 'not a number' ELSE CAST({aggregate}({number}) AS VARCHAR) END"
    )


# `agg:` of a column spec under group_by -> SQL over the line's value `v` (file order is _source_row).
AGGREGATES = {
    "first": lambda v: f"first({v} ORDER BY {FILE_ORDER}) {non_empty_filter(v)}",
    "last": lambda v: f"last({v} ORDER BY {FILE_ORDER}) {non_empty_filter(v)}",
    "min": lambda v: f"min({v})",
    "max": lambda v: f"max({v})",
    "sum": lambda v: _numbers(v, "sum"),
    "count": lambda v: f"count({v}) {non_empty_filter(v)}",
    "count_distinct": lambda v: f"count(DISTINCT {v}) {non_empty_filter(v)}",
    "any": lambda v: f"any_value({v})",
}


def _check_key_column(name: str, group_by: tuple[str, ...] | None, where: str) -> None:
    if group_by is not None and name.lower() not in {k.lower() for k in group_by}:
        raise MappingError(
            f"{where}: source column {name!r} is not a group_by column; under group_by give it an agg: "
            f"({', '.join(AGGREGATES)}) or use a sql: aggregate"
        )


def compile_column(spec: Any, where: str, group_by: tuple[str, ...] | None = None) -> tuple[str, set[str]]:
    """One column spec -> (SQL expression, source columns it reads). User text reaches SQL only as a
    sqlglot-checked expression, a quoted identifier or a sqlglot-rendered literal. With `group_by` (the
    output's keys) the expression is computed per group: a key, an `agg:`, a `value:` or a `sql:` aggregate."""
    if isinstance(spec, str):
        _check_key_column(spec, group_by, where)
        return quote_ident(spec), {spec}
    if not isinstance(spec, dict):
        raise MappingError(f"{where}: a column spec is a source column name or a mapping, got {spec!r}")
    if "sql" in spec:
        checked = check_expression(spec["sql"], where, group_by)
        return f"({checked.sql})", set(checked.columns)
    if "value" in spec:
        return sql_literal(spec["value"]), set()
    if "from" not in spec:
        raise MappingError(f"{where}: a column spec needs one of from / sql / value, got {spec!r}")
    source = str(spec["from"])
    agg = spec.get("agg")
    if agg is not None and group_by is None:
        raise MappingError(f"{where}: agg: needs group_by: on the output")
    if agg is not None and agg not in AGGREGATES:
        raise MappingError(f"{where}: agg: {agg!r} is not one of {', '.join(AGGREGATES)}")
    if agg is None:
        _check_key_column(source, group_by, where)
    expr = quote_ident(source)
    if "map" in spec:
        if not isinstance(spec["map"], dict):
            raise MappingError(f"{where}: map must be a list of code: value pairs")
        cases = " ".join(f"WHEN {sql_literal(str(k))} THEN {sql_literal(v)}" for k, v in spec["map"].items())
        expr = f"(CASE trim(CAST({expr} AS VARCHAR)) {cases} ELSE NULL END)"
    if "rescale" in spec:
        try:
            (a, b), (c, d) = spec["rescale"]["from"], spec["rescale"]["to"]
        except (KeyError, TypeError, ValueError) as exc:
            raise MappingError(f"{where}: rescale needs from: [low, high] and to: [low, high]") from exc
        a, b, c, d = (check_number(v, f"{where}: rescale") for v in (a, b, c, d))
        if a == b:
            raise MappingError(f"{where}: rescale.from needs two different values")
        expr = f"({c} + (TRY_CAST({expr} AS DOUBLE) - {a}) * ({d} - {c}) / ({b} - {a}))"
    if agg is not None:  # map / rescale per line, then aggregate, then parse the aggregated text
        expr = f"({AGGREGATES[agg](expr)})"
    if "format" in spec:
        if not isinstance(spec["format"], str):
            raise MappingError(f'{where}: format must be text such as "%d/%m/%Y"')
        expr = f"try_strptime(CAST({expr} AS VARCHAR), {sql_literal(spec['format'])})"
    return expr, {source}


def _check_glob(pattern: Any, where: str) -> str:
    """A `files:` glob must stay inside the landing folder: relative, without `..`."""
    text = str(pattern)
    parts = PurePosixPath(text.replace("\\", "/")).parts
    if not text or text.startswith(("/", "~")) or ":" in text or ".." in parts:
        raise MappingError(
            f"{where}: files: {text!r} points outside the landing folder (relative globs without '..' only)"
        )
    return text


def _parse_output(entity_name: str, raw: dict[str, Any], where: str) -> EntityOutput:
    contract = load_contract()
    if entity_name not in contract.entities:
        raise MappingError(f"{where}: unknown entity {entity_name!r} (the contract has {sorted(contract.entities)})")
    entity = contract.entity(entity_name)
    unknown_keys = set(raw) - OUTPUT_KEYS
    if unknown_keys:  # a misspelt exclude: or group_by: must not be silently ignored
        raise MappingError(f"{where}: {entity_name} has unknown key(s) {sorted(unknown_keys)} ({sorted(OUTPUT_KEYS)})")
    columns = dict(raw.get("columns") or {})
    unknown = set(columns) - set(entity.column_names)
    if unknown:
        raise MappingError(f"{where}: {entity_name} has no column(s) {sorted(unknown)}")
    missing = [c.name for c in entity.columns if c.required and c.name not in columns]
    if missing:
        raise MappingError(f"{where}: required {entity_name} column(s) not mapped: {missing}")
    group_by = raw.get("group_by")
    if group_by is not None:
        if isinstance(group_by, str):
            group_by = [group_by]
        if not isinstance(group_by, list) or not group_by or not all(isinstance(c, str) and c for c in group_by):
            raise MappingError(f"{where}: {entity_name}.group_by must be a list of source column names")
        if raw.get("unpivot"):
            raise MappingError(f"{where}: {entity_name}: group_by and unpivot cannot be combined on one output")
        group_by = tuple(group_by)
    for target, spec in columns.items():
        compile_column(spec, f"{where}: {entity_name}.{target}", group_by)  # fail early on a bad spec
    exclude = _parse_exclude(raw.get("exclude"), f"{where}: {entity_name}.exclude")
    unpivot = None
    if raw.get("unpivot"):
        u = raw["unpivot"]
        if not isinstance(u, dict) or not isinstance(u.get("columns"), list) or not u.get("name") or not u.get("value"):
            raise MappingError(f"{where}: {entity_name}.unpivot needs columns: [...], name: and value:")
        unpivot = Unpivot(columns=tuple(str(c) for c in u["columns"]), name=str(u["name"]), value=str(u["value"]))
    condition = raw.get("where")
    if condition is not None:
        check_expression(condition, f"{where}: {entity_name}.where")
    return EntityOutput(
        entity=entity_name,
        columns=columns,
        unpivot=unpivot,
        where=condition,
        exclude=exclude,
        group_by=group_by or (),
    )


def _parse_exclude(raw: Any, where: str) -> tuple[Exclusion, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise MappingError(f"{where}: must be a list of {{reason: ..., when: ...}}")
    rules = []
    for index, rule in enumerate(raw, start=1):
        if not isinstance(rule, dict) or set(rule) != {"reason", "when"}:
            raise MappingError(f"{where}: entry {index} needs exactly reason: (plain words) and when: (a condition)")
        reason = str(rule["reason"]).strip()
        if not reason or len(reason) > 120 or any(ord(c) < 32 for c in reason):
            raise MappingError(f"{where}: entry {index}: reason must be plain words of at most 120 characters")
        if reason == WHERE_REASON:
            raise MappingError(f"{where}: entry {index}: that reason is kept for where:")
        check_expression(rule["when"], f"{where} {reason!r}")
        rules.append(Exclusion(reason=reason, when=str(rule["when"])))
    if len({r.reason for r in rules}) != len(rules):
        raise MappingError(f"{where}: two entries have the same reason")
    return tuple(rules)


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
    files = [_check_glob(f, where) for f in (raw["files"] if isinstance(raw["files"], list) else [raw["files"]])]
    outputs = {name: _parse_output(name, spec or {}, where) for name, spec in raw["outputs"].items()}
    return Mapping(
        name=str(raw["name"]),
        description=str(raw.get("description", "")),
        files=tuple(files),
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


@dataclass(frozen=True)
class CompiledOutput:
    """An output compiled for the files read together, in two steps the loader runs (and counts) separately:
    `tag_sql` tags every source row with the reason it is excluded (NULL: kept); `select_sql(kept)` maps the
    kept rows to the contract's columns (+ `_file_index`, the record's file, `_source_row`, its first line, and
    `_lines`, the lines it groups), one record per line or, with group_by, per key within a file."""

    relation: str
    # (what a user calls the condition, the reason counted, checked SQL, True for where: whose rows are kept)
    conditions: tuple[tuple[str, str, str, bool], ...]
    columns: dict[str, str]  # contract column -> SQL expression
    group_by: tuple[str, ...]
    reads: set[str]

    def tag_sql(self) -> str:
        if not self.conditions:
            return f"SELECT *, CAST(NULL AS VARCHAR) AS {EXCLUDED} FROM {self.relation}"
        cases = [
            f"WHEN {'NOT ' if keeps else ''}coalesce(({condition}), FALSE) THEN {sql_literal(reason)}"
            for _, reason, condition, keeps in self.conditions
        ]
        return f"SELECT *, CASE {' '.join(cases)} END AS {EXCLUDED} FROM {self.relation}"

    def select_sql(self, kept: str, only: str | None = None) -> str:
        """The mapped records over relation `kept`; `only`: just that column (to find the one that fails)."""
        columns = {c: e for c, e in self.columns.items() if only is None or c == only}
        selects = ", ".join(f"{expr} AS {quote_ident(col)}" for col, expr in columns.items())
        if not self.group_by:
            return f"SELECT {FILE_INDEX}, _source_row, 1 AS _lines, {selects} FROM {kept}"
        keys = ", ".join([FILE_INDEX, *(quote_ident(k) for k in self.group_by)])
        return (
            f"SELECT {FILE_INDEX}, min(_source_row) AS _source_row, count(*) AS _lines, {selects} "
            f"FROM {kept} GROUP BY {keys}"
        )


def compile_parts(output: EntityOutput, entity: Entity, source: str) -> CompiledOutput:
    """The output's SQL over relation `source` (the file as read), checked again as it is compiled."""
    relation = source
    if output.unpivot:
        u = output.unpivot
        on = ", ".join(quote_ident(c) for c in u.columns)
        relation = f"(UNPIVOT {source} ON {on} INTO NAME {quote_ident(u.name)} VALUE {quote_ident(u.value)})"
    reads: set[str] = set(output.unpivot.columns) if output.unpivot else set()
    produced = {output.unpivot.name, output.unpivot.value} if output.unpivot else set()
    group_by = output.group_by or None
    reads |= set(output.group_by)
    columns = {}
    for col in entity.columns:
        if col.name in output.columns:
            expr, used = compile_column(output.columns[col.name], f"{entity.name}.{col.name}", group_by)
            reads |= used - produced
        else:
            expr = "NULL"
        columns[col.name] = expr
    conditions = []
    rules = ([("the where: condition", WHERE_REASON, output.where, True)] if output.where is not None else []) + [
        (f'the exclude: rule "{rule.reason}"', rule.reason, rule.when, False) for rule in output.exclude
    ]
    for label, reason, text, keeps in rules:
        checked = check_expression(text, f"{entity.name} {label}")
        conditions.append((label, reason, checked.sql, keeps))
        reads |= set(checked.columns) - produced
    return CompiledOutput(relation, tuple(conditions), columns, output.group_by, reads)


def compile_output(output: EntityOutput, entity: Entity, source: str) -> tuple[str, set[str]]:
    """One SELECT producing the entity's contract columns (+ _source_row, _lines) from relation `source`,
    excluded rows left out (for callers that need the mapped records only, not the counts)."""
    parts = compile_parts(output, entity, source)
    kept = f"(SELECT * EXCLUDE ({EXCLUDED}) FROM ({parts.tag_sql()}) WHERE {EXCLUDED} IS NULL)"
    return parts.select_sql(kept), parts.reads
