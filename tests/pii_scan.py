"""Scan every published table (all of marts.* and meta.* in a serving copy) for personal data.

Independent of the redaction code on purpose: its own patterns, and the lake's own raw ids and landing
names as needles. Findings name the table, column and kind, never the value."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
TOKEN = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Finding:
    table: str
    column: str
    kind: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}: {self.kind}"


def raw_ids(build_db: Path) -> set[str]:
    """CRM customer and HRIS employee ids as loaded (an id with a letter, or 6+ characters: a bare small
    number is not recognisable as anyone)."""
    queries = {
        "raw_crm.customers": "SELECT customer_id FROM raw_crm.customers",
        "raw_hris.employees": "SELECT employee_id FROM raw_hris.employees UNION SELECT manager_id "
        "FROM raw_hris.employees",
    }
    ids: set[str] = set()
    with duckdb.connect(str(build_db), read_only=True) as con:
        tables = {r[0] for r in con.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall()}
        for table, sql in queries.items():
            if table in tables:
                ids |= {r[0] for r in con.execute(sql).fetchall() if r[0]}
    return {i for i in ids if re.search(r"[A-Za-z]", i) or len(i) >= 6}


def landing_names(landing: Path) -> set[str]:
    """Full names in the landing CSVs of customers and employees (lower case)."""
    names: set[str] = set()
    for entity, column in (("customers", "customer_name"), ("employees", "employee_name")):
        for path in sorted((landing / entity).glob("*.csv")) if (landing / entity).is_dir() else []:
            with path.open(newline="", encoding="utf-8") as fh:
                names |= {row[column].strip().lower() for row in csv.DictReader(fh) if row.get(column, "").strip()}
    return names


def scan_published(
    serving_db: Path,
    ids: set[str],
    names: set[str] = frozenset(),
    digit_needles: set[str] = frozenset(),
) -> list[Finding]:
    """Every text column of every published table: raw ids (a whole token), e-mail addresses, the given
    full names (as words) and digit strings (phones, cards: compared on digits only)."""
    name_patterns = [re.compile(rf"\b{re.escape(n)}\b") for n in names]
    findings: set[Finding] = set()
    with duckdb.connect(str(serving_db), read_only=True) as con:
        columns = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_schema IN ('marts', 'meta') AND data_type = 'VARCHAR' ORDER BY ALL"
        ).fetchall()
        for schema, table, column in columns:
            values = con.execute(f'SELECT DISTINCT "{column}" FROM {schema}."{table}" WHERE "{column}" IS NOT NULL')
            for (value,) in values.fetchall():
                where = (f"{schema}.{table}", column)
                if ids and any(token in ids for token in TOKEN.findall(value)):
                    findings.add(Finding(*where, "raw id"))
                if EMAIL.search(value):
                    findings.add(Finding(*where, "e-mail"))
                lowered = value.lower()
                if any(p.search(lowered) for p in name_patterns):
                    findings.add(Finding(*where, "name"))
                digits = re.sub(r"\D", "", value)
                if any(d in digits for d in digit_needles):
                    findings.add(Finding(*where, "phone or card number"))
    return sorted(findings, key=str)


def published_tables(serving_db: Path) -> int:
    with duckdb.connect(str(serving_db), read_only=True) as con:
        return con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema IN ('marts', 'meta')"
        ).fetchone()[0]
