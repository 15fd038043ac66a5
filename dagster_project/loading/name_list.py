"""The business's keyed list of person-name words, for redacting names that customers type into free text.

Name columns (contract columns marked pii whose name ends in `_name`: customer_name, employee_name) are
pseudonymised at load, so the plain names never reach DuckDB. While a file's rows are still in memory, each
word of each name is also stored as a keyed hash (the same key as the pseudonyms) in `names.name_tokens` of
the build warehouse: a schema that is never published. The text step hashes each capitalised word of a text
the same way (dagster_project/text/redaction.py) and redacts the ones in the list, so names can be found
without any name being stored or published.
"""

from __future__ import annotations

import duckdb

from dagster_project.contract import Entity

TABLE = "names.name_tokens"
MIN_TOKEN_LENGTH = 2  # single letters (initials) would redact "I" and "A"


def name_columns(entity: Entity) -> list[str]:
    return [c.name for c in entity.columns if c.pii and c.name.endswith("_name")]


def name_token_hash_sql(token: str) -> str:
    """SQL of the keyed hash of one name word; equals redaction.name_token_hash in Python."""
    return f"sha256(getvariable('pii_key') || '|name-token|' || lower(trim({token})))"


def record_name_tokens(con: duckdb.DuckDBPyConnection, entity: Entity, mapped_sql: str) -> None:
    """Add the keyed hash of every word of the entity's name columns in `mapped_sql` (the file's mapped rows)."""
    columns = name_columns(entity)
    if not columns:
        return
    con.execute("CREATE SCHEMA IF NOT EXISTS names")
    con.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (token_hash VARCHAR PRIMARY KEY)")
    words = " UNION ".join(
        f"SELECT unnest(regexp_split_to_array(CAST(\"{c}\" AS VARCHAR), '[^[:alpha:]''’-]+')) AS word FROM raw"
        for c in columns
    )
    con.execute(
        f"INSERT OR IGNORE INTO {TABLE} SELECT DISTINCT {name_token_hash_sql('word')} FROM "
        f"(WITH raw AS ({mapped_sql}) {words}) WHERE length(word) >= {MIN_TOKEN_LENGTH}"
    )


def load_name_hashes(con: duckdb.DuckDBPyConnection) -> set[str]:
    present = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'names' AND table_name = 'name_tokens'"
    ).fetchone()[0]
    return {r[0] for r in con.execute(f"SELECT token_hash FROM {TABLE}").fetchall()} if present else set()
