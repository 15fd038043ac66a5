"""Row-level validation against the contract, generated as one DuckDB statement per entity.

Every row gets a list of errors ("column: reason", never the value: reasons are published in
meta.quarantine, the value stays in its unpublished `record`); rows with none load, the rest are quarantined with
their reasons. Checks, in order: required value present, value has its type's form (the contract's `types:`:
pattern, then cast), plausible date range, range, allowed values, then the entity's row rules over the typed
values (with the loaded rows of the entities it references, e.g. the question bank's scales), then primary-key
duplicates within the file (the first occurrence loads). PII columns are replaced by a keyed hash before anything
is stored. Timestamps written with a UTC offset are converted to UTC. Files read together are validated in one
statement: `_file_index` keeps each record's file, so "within the file" stays per file.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date

import duckdb

from dagster_project.contract import Column, Entity, load_contract
from dagster_project.loading.sandbox import FILE_INDEX, KEYED_HASH, keyed_hash, quote_ident, sql_literal
from dagster_project.settings import plausible_date_range

# A time of day followed by a UTC offset (`10:00+05:00`, `10:00:00.5 -0330`, `10:00:00Z`); a date alone has none.
_UTC_OFFSET = r"[0-9]:[0-9]{2}(:[0-9]{2}(\.[0-9]*)?)?\s*([zZ]|[+-][0-9]{2}(:?[0-9]{2})?)$"
# Loaded rows of a referenced entity, per alias: (key, *columns) tuples.
ReferenceRows = dict[str, list[tuple]]


def pseudonym_sql(expr: str) -> str:
    """Keyed hash of a PII value: 'pid_' + 32 hex chars of SHA-256(key | lower(trim(value))). The key lives
    only in the sandbox's `keyed_hash` Python function (sandbox.py), so no SQL text, log or variable holds it.

    Values are trimmed and lower-cased first so "Ann@X.com " and "ann@x.com" stay the same person.
    """
    return f"CASE WHEN {expr} IS NULL THEN NULL ELSE 'pid_' || {KEYED_HASH}(lower(trim(CAST({expr} AS VARCHAR)))) END"


def pseudonym(value: str, key: str) -> str:
    """The pseudonym `pseudonym_sql` gives `value` (DuckDB's trim removes spaces only)."""
    return "pid_" + keyed_hash(key, value.strip(" ").lower())


def _text(col: Column) -> str:
    return f"trim(CAST(raw.{quote_ident(col.name)} AS VARCHAR))"


def typed_sql(col: Column, text: str) -> str:
    """`text` (trimmed, non-empty) as the column's type, NULL when it is not in the type's accepted form."""
    kind = col.value_type
    if col.duckdb_type == "VARCHAR":
        return text
    typed = f"TRY_CAST({text} AS {col.duckdb_type})"
    if kind.utc:
        zoned = f"timezone('UTC', TRY_CAST({text} AS TIMESTAMPTZ))"
        typed = f"CASE WHEN regexp_matches({text}, {sql_literal(_UTC_OFFSET)}) THEN {zoned} ELSE {typed} END"
    if kind.pattern:
        typed = f"CASE WHEN regexp_full_match({text}, {sql_literal(kind.pattern)}) THEN {typed} END"
    return typed


def _flag(condition: str, reason: str) -> str:
    """A row's quarantine reason when the condition holds, else NULL."""
    return f"CASE WHEN {condition} THEN {sql_literal(reason)} END"


def _column_checks(col: Column, date_range: tuple[date, date]) -> list[str]:
    raw = f"raw.{quote_ident(col.name)}"
    text = _text(col)
    typed = typed_sql(col, text)
    prefix = f"{col.name}: "
    present = f"{raw} IS NOT NULL AND {text} <> ''"
    checks = []
    if col.required:
        checks.append(_flag(f"{raw} IS NULL OR {text} = ''", prefix + "missing required value"))
    if col.type != "varchar":
        checks.append(_flag(f"{present} AND {typed} IS NULL", prefix + f"not a valid {col.type}"))
    if col.value_type.dated:
        first, last = date_range
        checks.append(
            _flag(
                f"CAST({typed} AS DATE) NOT BETWEEN DATE '{first}' AND DATE '{last}'",
                prefix + f"outside the plausible dates {first} to {last}",
            )
        )
    if col.min is not None:
        checks.append(_flag(f"TRY_CAST({text} AS DOUBLE) < {col.min}", prefix + f"below minimum {col.min}"))
    if col.max is not None:
        checks.append(_flag(f"TRY_CAST({text} AS DOUBLE) > {col.max}", prefix + f"above maximum {col.max}"))
    if col.allowed:
        allowed = ", ".join(sql_literal(v) for v in col.allowed)
        checks.append(_flag(f"{present} AND {text} NOT IN ({allowed})", prefix + "not one of " + "/".join(col.allowed)))
    return checks


def _typed_value(col: Column) -> str:
    text = f"nullif({_text(col)}, '')"
    value = typed_sql(col, text)
    return pseudonym_sql(value) if col.pii else value


def _record_json(entity: Entity) -> str:
    """The row as the user sent it (PII already hashed), kept in quarantine so the reason can be seen."""
    parts = []
    for col in entity.columns:
        value = f"CAST(raw.{quote_ident(col.name)} AS VARCHAR)"
        parts.append(f"{sql_literal(col.name)}, {pseudonym_sql(value) if col.pii else value}")
    return f"CAST(json_object({', '.join(parts)}) AS VARCHAR)"


def reference_rows(con: duckdb.DuckDBPyConnection, entity: Entity) -> ReferenceRows:
    """The loaded rows of the entities `entity`'s rules reference (the latest row per key), read from the build
    warehouse before the file's sandbox opens; an entity not loaded yet gives no rows (nothing to check against)."""
    rows: ReferenceRows = {}
    for ref in entity.references:
        other = load_contract().entity(ref.entity)
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [other.raw_schema, other.name],
        ).fetchone()[0]
        columns = ", ".join(quote_ident(c) for c in (ref.key, *ref.columns))
        rows[ref.alias] = (
            con.execute(
                f"SELECT {columns} FROM {other.raw_table} QUALIFY row_number() OVER (PARTITION BY "
                f"{quote_ident(ref.key)} ORDER BY _loaded_at DESC, _source_file DESC, _source_row DESC) = 1 "
                f"ORDER BY {quote_ident(ref.key)}"
            ).fetchall()
            if exists
            else []
        )
    return rows


def references_fingerprint(references: ReferenceRows) -> str:
    """Part of a file's ledger fingerprint: a file checked against other data is checked again when it changes.
    Empty for an entity without references, so their fingerprints stay as they were."""
    if not references:
        return ""
    text = json.dumps(sorted(references.items()), default=str)
    return ":refs-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def _reference_cte(entity: Entity, ref_alias: str, rows: list[tuple]) -> str:
    ref = next(r for r in entity.references if r.alias == ref_alias)
    other = load_contract().entity(ref.entity)
    names = ["_key", *ref.columns]
    types = [other.column(c).duckdb_type for c in (ref.key, *ref.columns)]
    select = ", ".join(
        f"CAST(v{i} AS {t}) AS {quote_ident(n)}" for i, (n, t) in enumerate(zip(names, types, strict=True))
    )
    aliases = ", ".join(f"v{i}" for i in range(len(names)))
    if not rows:
        return f"SELECT {select} FROM (SELECT {', '.join('NULL' for _ in names)}) AS v({aliases}) WHERE false"
    values = ", ".join("(" + ", ".join(sql_literal(v) for v in row) + ")" for row in rows)
    return f"SELECT {select} FROM (VALUES {values}) AS v({aliases})"


def validation_sql(
    entity: Entity,
    mapped_sql: str,
    references: ReferenceRows | None = None,
    date_range: tuple[date, date] | None = None,
) -> str:
    """SELECT over the mapped rows: typed contract columns, `_file_index`, `_source_row`, `_errors` (list) and
    `_record`.

    `references`: reference_rows() of the build warehouse (none given: the rules see no referenced rows).
    `date_range`: the plausible dates (default: the EMPATHY_LAKE_DATE_RANGE setting, read now)."""
    date_range = date_range or plausible_date_range()
    column_checks = [check for col in entity.columns for check in _column_checks(col, date_range)]
    typed = ", ".join(f"{_typed_value(col)} AS {quote_ident(col.name)}" for col in entity.columns)
    rule_checks = [
        _flag(f"NOT coalesce(({rule.sql}), TRUE)", f"{rule.column}: {rule.message}") for rule in entity.rules
    ]
    pk = ", ".join(f"checked.{quote_ident(k)}" for k in (FILE_INDEX, *entity.primary_key))
    pk_label = "/".join(entity.primary_key)
    keyed = " AND ".join(f"checked.{quote_ident(k)} IS NOT NULL" for k in entity.primary_key)
    duplicate = _flag(
        f"row_number() OVER (PARTITION BY {pk} ORDER BY checked._source_row) > 1 AND {keyed}",
        f"{entity.primary_key[0]}: duplicate {pk_label} in this file (first occurrence loaded)",
    )
    late_checks = ", ".join([*rule_checks, duplicate])
    ref_ctes = "".join(
        f", {quote_ident(ref.alias)} AS ({_reference_cte(entity, ref.alias, (references or {}).get(ref.alias, []))})"
        for ref in entity.references
    )
    ref_joins = " ".join(
        f"LEFT JOIN {quote_ident(ref.alias)} ON checked.{quote_ident(ref.key)} = {quote_ident(ref.alias)}._key"
        for ref in entity.references
    )
    return f"""
        WITH raw AS ({mapped_sql}),
        checked AS (
            SELECT raw.{FILE_INDEX}, raw._source_row, {typed},
                   list_filter([{", ".join(column_checks) or "NULL"}], lambda x: x IS NOT NULL) AS _errors,
                   {_record_json(entity)} AS _record
            FROM raw
        ){ref_ctes}
        SELECT checked.* EXCLUDE (_errors),
               list_concat(_errors, list_filter([{late_checks}], lambda x: x IS NOT NULL)) AS _errors
        FROM checked {ref_joins}
    """
