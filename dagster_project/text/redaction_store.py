"""The redaction store: `text.text_redactions`, one row per distinct customer text (content hash) with the
text as it may be published and how many findings of each kind were removed; and `text.pseudonym_salt`,
the secret the marts' pseudonymous keys are made with. Both live in the build warehouse only (schema
`text` is never published); dbt reads them as sources (dbt_project/models/staging/text/_text__sources.yml).

Incremental like the score store: a text already redacted under the current version is skipped. The
version covers the rules and the name list, so a new name in the CRM/HRIS re-redacts every text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd

from dagster_project.loading.name_list import load_name_hashes
from dagster_project.text.redaction import KINDS, RULES_VERSION, Redactor
from dagster_project.text.store import _existing_sources, distinct_texts_sql

TABLE = "text.text_redactions"
SALT_TABLE = "text.pseudonym_salt"
DDL = (
    "CREATE SCHEMA IF NOT EXISTS text",
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        content_hash VARCHAR PRIMARY KEY, redacted_text VARCHAR,
        {", ".join(f"{kind}_redactions INTEGER" for kind in KINDS)}, redaction_version VARCHAR)""",
)


@dataclass
class RedactionRun:
    texts_seen: int = 0
    newly_redacted: int = 0
    texts_changed: int = 0
    findings: int = 0


def write_pseudonym_salt(con: duckdb.DuckDBPyConnection, pii_key: str) -> None:
    """A secret derived from the PII key (never the key itself) for dbt's `pseudonym` macro."""
    salt = hashlib.sha256(f"{pii_key}|published-pseudonyms".encode()).hexdigest()
    con.execute("CREATE SCHEMA IF NOT EXISTS text")
    con.execute(f"CREATE OR REPLACE TABLE {SALT_TABLE} AS SELECT ?::VARCHAR AS salt", [salt])


def redaction_version(name_hashes: set[str]) -> str:
    names = hashlib.sha256("\n".join(sorted(name_hashes)).encode()).hexdigest()[:12]
    return f"rules-{RULES_VERSION}-names-{names}"


def redact_new_texts(con: duckdb.DuckDBPyConnection, pii_key: str, log: Callable[[str], None] = print) -> RedactionRun:
    run = RedactionRun()
    for statement in DDL:
        con.execute(statement)
    names = load_name_hashes(con)
    version = redaction_version(names)
    con.execute(f"DELETE FROM {TABLE} WHERE redaction_version <> ?", [version])
    sources = _existing_sources(con)
    if not sources:
        return run
    con.execute(f"CREATE OR REPLACE TEMP TABLE _redact AS {distinct_texts_sql(sources)}")
    run.texts_seen = con.execute("SELECT count(*) FROM _redact").fetchone()[0]
    pending = con.execute(f"SELECT t.content_hash, t.text FROM _redact t ANTI JOIN {TABLE} r USING (content_hash)")
    pending = pending.fetchall()
    con.execute("DROP TABLE _redact")
    redactor = Redactor(pii_key, names)
    rows = []
    for digest, text in pending:
        result = redactor.redact(text)
        run.texts_changed += result.total > 0
        run.findings += result.total
        rows.append(
            {
                "content_hash": digest,
                "redacted_text": result.text,
                **{f"{k}_redactions": v for k, v in result.counts.items()},
            }
        )
    run.newly_redacted = len(rows)
    if rows:
        frame = pd.DataFrame(rows).assign(redaction_version=version)
        con.register("_redacted", frame)
        try:
            con.execute(f"INSERT INTO {TABLE} BY NAME SELECT * FROM _redacted")
        finally:
            con.unregister("_redacted")
    log(
        f"redaction: {run.texts_seen} distinct texts, {run.newly_redacted} redacted now "
        f"({run.texts_changed} with personal data, {run.findings} findings removed; {len(names)} name words known)"
    )
    return run
