"""The business's keyed list of person-name words, for redacting names that customers type into free text.

Name columns (contract columns marked pii whose name ends in `_name`: customer_name, employee_name) are
pseudonymised at load, so the plain names never reach the warehouse. While a file's mapped rows are still in
the loader's locked sandbox, each word of each name is hashed there with the loader's keyed hash (the PII
key lives only in that Python function, sandbox.py) and the hashes are stored in `names.name_tokens` of the
build warehouse: a schema that is never published. The text step hashes each capitalised word of a text
the same way (`name_token_hash`, used by dagster_project/text/redaction.py) and redacts the ones in the
list, so names can be found without any name being stored or published.
"""

from __future__ import annotations

import duckdb

from dagster_project.contract import Entity
from dagster_project.loading.sandbox import KEYED_HASH, keyed_hash, quote_ident

TABLE = "names.name_tokens"
MIN_TOKEN_LENGTH = 2  # single letters (initials) would redact "I" and "A"
PREFIX = "name-token|"  # keeps name-word hashes apart from the pseudonyms made with the same key


def name_columns(entity: Entity) -> list[str]:
    return [c.name for c in entity.columns if c.pii and c.name.endswith("_name")]


def name_token_hash(key: str, token: str) -> str:
    """Keyed hash of one name word: the value the sandbox's `keyed_hash` gives for the same word."""
    return keyed_hash(key, PREFIX + token.strip().lower())


def name_token_hashes(box_con: duckdb.DuckDBPyConnection, entity: Entity, mapped_sql: str) -> list[str]:
    """The keyed hashes of every word of the entity's name columns in `mapped_sql` (the file's mapped rows),
    computed on the sandbox connection: the words never leave it."""
    columns = name_columns(entity)
    if not columns:
        return []
    words = " UNION ".join(
        f"SELECT unnest(regexp_split_to_array(CAST({quote_ident(c)} AS VARCHAR), '[^[:alpha:]''’-]+')) AS word FROM raw"
        for c in columns
    )
    rows = box_con.execute(
        f"SELECT DISTINCT {KEYED_HASH}('{PREFIX}' || lower(trim(word))) FROM "
        f"(WITH raw AS ({mapped_sql}) {words}) WHERE length(word) >= {MIN_TOKEN_LENGTH}"
    ).fetchall()
    return [r[0] for r in rows]


def store_name_tokens(con: duckdb.DuckDBPyConnection, hashes: list[str]) -> None:
    """Add name-word hashes to the build warehouse's unpublished list (idempotent)."""
    if not hashes:
        return
    con.execute("CREATE SCHEMA IF NOT EXISTS names")
    con.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (token_hash VARCHAR PRIMARY KEY)")
    con.executemany(f"INSERT OR IGNORE INTO {TABLE} VALUES (?)", [[h] for h in hashes])


def load_name_hashes(con: duckdb.DuckDBPyConnection) -> set[str]:
    present = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'names' AND table_name = 'name_tokens'"
    ).fetchone()[0]
    return {r[0] for r in con.execute(f"SELECT token_hash FROM {TABLE}").fetchall()} if present else set()
