"""Render the contract into the files other tools read: dbt's sources and the human contract doc.

These are generated, committed, and checked by a test (`write_rendered(check=True) == []`), so dbt and the
docs always say what the loader enforces.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from dagster_project.contract.model import Column, Contract, Entity, load_contract
from dagster_project.settings import DBT_PROJECT_DIR, DEFAULT_DATE_RANGE, REPO_ROOT

SOURCES_PATH = DBT_PROJECT_DIR / "models" / "staging" / "_sources.yml"
DOC_PATH = REPO_ROOT / "docs" / "landing_contract.md"
BANNER = "generated from landing_contract.yml by `empathy-lake contract render`; do not edit"


def _column_tests(col: Column) -> list:
    tests: list = []
    if col.required:
        tests.append("not_null")
    if col.allowed:
        tests.append({"accepted_values": {"arguments": {"values": list(col.allowed)}}})
    return tests


def _source_table(entity: Entity) -> dict:
    columns = []
    for col in entity.columns:
        spec = {"name": col.name, "data_type": col.duckdb_type.lower()}
        if col.description:
            spec["description"] = col.description
        tests = _column_tests(col)
        if tests:
            spec["data_tests"] = tests
        columns.append(spec)
    return {
        "name": entity.name,
        "description": entity.description,
        "meta": {"dagster": {"asset_key": [entity.source, entity.name]}},
        "columns": columns,
    }


def render_sources_yml(contract: Contract | None = None) -> str:
    contract = contract or load_contract()
    sources = [
        {
            "name": source,
            "schema": f"raw_{source}",
            "description": f"Raw {source} extracts as loaded by the Dagster loaders (one row per landing row).",
            "tables": [_source_table(e) for e in contract.entities.values() if e.source == source],
        }
        for source in contract.sources
    ]
    body = yaml.safe_dump({"version": 2, "sources": sources}, sort_keys=False, width=110, allow_unicode=True)
    return f"# {BANNER}\n{body}"


def _range(col: Column) -> str:
    parts = []
    if col.min is not None:
        parts.append(f">= {col.min:g}")
    if col.max is not None:
        parts.append(f"<= {col.max:g}")
    if col.allowed:
        parts.append("one of " + ", ".join(f"`{v}`" for v in col.allowed))
    return "; ".join(parts)


def _types_section(contract: Contract) -> list[str]:
    first, _, last = DEFAULT_DATE_RANGE.partition("..")
    lines = [
        "## Values by type",
        "",
        "Each value is trimmed, and an empty field is missing. A value not in its type's form is quarantined with",
        "the reason `<column>: not a valid <type>`; nothing is rounded or guessed.",
        "",
        "| type | accepted | refused |",
        "|---|---|---|",
    ]
    lines += [f"| {t.name} | {t.accepts} | {t.refuses} |" for t in contract.types.values()]
    lines += [
        "",
        f"Dates and timestamps must fall in the plausible range, by default {first} to {last.replace('+', ' + ')}",
        "day (`EMPATHY_LAKE_DATE_RANGE=FIRST..LAST`, each a date or `today+N`); others are quarantined with the",
        "reason `<column>: outside the plausible dates`. The range is read when a file is loaded: a file already",
        "loaded is not checked again until it changes.",
        "",
    ]
    return lines


def render_contract_doc(contract: Contract | None = None) -> str:
    contract = contract or load_contract()
    lines = [
        f"<!-- {BANNER} -->",
        "# Landing data contract",
        "",
        "Drop raw extracts into the landing folder (`lake/landing/` by default, `EMPATHY_LAKE_LANDING`):",
        "`landing/<entity>/*.csv`, `*.csv.gz` or `*.parquet`, one or many files per entity (daily drops are",
        "fine; a re-delivered file with the same name replaces its earlier rows). CSV: UTF-8, a header row,",
        "`,` separated, dates `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MM:SS`, empty field = missing. Exports",
        "in another shape need an import mapping (`docs/mappings.md`), not edits.",
        "",
        "Columns marked PII are pseudonymised with a keyed hash at load; the plain value is never stored.",
        "A row that breaks a rule below is quarantined with the reason (`meta.quarantine`); the rest loads.",
        "",
        *_types_section(contract),
    ]
    for entity in contract.entities.values():
        lines += [
            f"## `{entity.name}` ({entity.source})",
            "",
            entity.description,
            "",
            f"Files: `landing/{entity.name}/` · primary key: `{', '.join(entity.primary_key)}` · "
            f"raw table: `{entity.raw_table}`",
            "",
            "| column | type | required | range / allowed | PII | description |",
            "|---|---|---|---|---|---|",
        ]
        for col in entity.columns:
            lines.append(
                f"| `{col.name}` | {col.type} | {'yes' if col.required else ''} | {_range(col)} | "
                f"{'yes' if col.pii else ''} | {col.description} |"
            )
        if entity.rules:
            lines += ["", "Rules:"]
            lines += [f"- `{r.name}`: {r.message} (`{r.sql}`)" for r in entity.rules]
        for ref in entity.references:
            lines.append(
                f"- `{ref.alias}.*` in a rule: the loaded `{ref.entity}` row with the same `{ref.key}` "
                f"({', '.join(f'`{c}`' for c in ref.columns)}); `{ref.entity}` loads first, and a row whose "
                f"`{ref.key}` it does not list sees empty values."
            )
        lines.append("")
    return "\n".join(lines)


def write_rendered(check: bool = False) -> list[Path]:
    """Write the rendered files; with check=True write nothing and return the files that are stale."""
    stale = []
    for path, text in ((SOURCES_PATH, render_sources_yml()), (DOC_PATH, render_contract_doc())):
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(path)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    return stale
