"""Row-level validation against the contract, generated as one DuckDB statement per entity.

Every row gets a list of errors ("column: reason", never the value: reasons are published in
meta.quarantine, the value stays in its unpublished `record`); rows with none load, the rest are quarantined with
their reasons. Checks, in order: required value present, value casts to the column's type, range,
allowed values, then the entity's row rules over the typed values, then primary-key duplicates within the
file (the first occurrence loads). PII columns are replaced by a keyed hash before anything is stored.
"""

from __future__ import annotations

from dagster_project.contract import Column, Entity
from dagster_project.loading.sandbox import KEYED_HASH, keyed_hash


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def pseudonym_sql(expr: str) -> str:
    """Keyed hash of a PII value: 'pid_' + 32 hex chars of SHA-256(key | lower(trim(value))). The key lives
    only in the sandbox's `keyed_hash` Python function (sandbox.py), so no SQL text, log or variable holds it.

    Values are trimmed and lower-cased first so "Ann@X.com " and "ann@x.com" stay the same person.
    """
    return f"CASE WHEN {expr} IS NULL THEN NULL ELSE 'pid_' || {KEYED_HASH}(lower(trim(CAST({expr} AS VARCHAR)))) END"


def pseudonym(value: str, key: str) -> str:
    """The pseudonym `pseudonym_sql` gives `value` (DuckDB's trim removes spaces only)."""
    return "pid_" + keyed_hash(key, value.strip(" ").lower())


def _column_checks(col: Column) -> list[str]:
    raw = f"raw.{_q(col.name)}"
    text = f"trim(CAST({raw} AS VARCHAR))"
    typed = f"TRY_CAST({text} AS {col.duckdb_type})"
    prefix = f"{col.name}: "
    checks = []
    if col.required:
        checks.append(f"CASE WHEN {raw} IS NULL OR {text} = '' THEN {_lit(prefix + 'missing required value')} END")
    if col.type != "varchar":
        checks.append(
            f"CASE WHEN {raw} IS NOT NULL AND {text} <> '' AND {typed} IS NULL THEN "
            f"{_lit(prefix + f'not a valid {col.type}')} END"
        )
    if col.min is not None:
        checks.append(
            f"CASE WHEN TRY_CAST({text} AS DOUBLE) < {col.min} THEN {_lit(prefix + f'below minimum {col.min}')} END"
        )
    if col.max is not None:
        checks.append(
            f"CASE WHEN TRY_CAST({text} AS DOUBLE) > {col.max} THEN {_lit(prefix + f'above maximum {col.max}')} END"
        )
    if col.allowed:
        allowed = ", ".join(_lit(v) for v in col.allowed)
        checks.append(
            f"CASE WHEN {raw} IS NOT NULL AND {text} <> '' AND {text} NOT IN ({allowed}) THEN "
            f"{_lit(prefix + 'not one of ' + '/'.join(col.allowed))} END"
        )
    return checks


def _typed_value(col: Column) -> str:
    text = f"nullif(trim(CAST(raw.{_q(col.name)} AS VARCHAR)), '')"
    value = text if col.type == "varchar" else f"TRY_CAST({text} AS {col.duckdb_type})"
    return pseudonym_sql(value) if col.pii else value


def _record_json(entity: Entity) -> str:
    """The row as the user sent it (PII already hashed), kept in quarantine so the reason can be seen."""
    parts = []
    for col in entity.columns:
        value = f"CAST(raw.{_q(col.name)} AS VARCHAR)"
        parts.append(f"{_lit(col.name)}, {pseudonym_sql(value) if col.pii else value}")
    return f"CAST(json_object({', '.join(parts)}) AS VARCHAR)"


def validation_sql(entity: Entity, mapped_sql: str) -> str:
    """SELECT over the mapped rows: typed contract columns, `_source_row`, `_errors` (list) and `_record`."""
    column_checks = [check for col in entity.columns for check in _column_checks(col)]
    typed = ", ".join(f"{_typed_value(col)} AS {_q(col.name)}" for col in entity.columns)
    rule_checks = [
        f"CASE WHEN NOT coalesce(({rule.sql}), TRUE) THEN {_lit(rule.column + ': ' + rule.message)} END"
        for rule in entity.rules
    ]
    pk = ", ".join(_q(k) for k in entity.primary_key)
    pk_label = "/".join(entity.primary_key)
    duplicate = (
        f"CASE WHEN row_number() OVER (PARTITION BY {pk} ORDER BY _source_row) > 1 "
        f"AND {' AND '.join(f'{_q(k)} IS NOT NULL' for k in entity.primary_key)} THEN "
        f"{_lit(entity.primary_key[0] + ': duplicate ' + pk_label + ' in this file (first occurrence loaded)')} END"
    )
    late_checks = ", ".join([*rule_checks, duplicate])
    return f"""
        WITH raw AS ({mapped_sql}),
        checked AS (
            SELECT raw._source_row, {typed},
                   list_filter([{", ".join(column_checks) or "NULL"}], lambda x: x IS NOT NULL) AS _errors,
                   {_record_json(entity)} AS _record
            FROM raw
        )
        SELECT * EXCLUDE (_errors),
               list_concat(_errors, list_filter([{late_checks}], lambda x: x IS NOT NULL)) AS _errors
        FROM checked
    """
