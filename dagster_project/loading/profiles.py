"""Vendor profiles: ready import mappings for the exports small businesses already have.

A profile is an ordinary import mapping (docs/mappings.md) shipped in `dagster_project/mappings/vendors/`,
written from the vendor's documented export columns (its `provenance:` cites the page). A user puts one to
work with `empathy-lake mapping use NAME`, which copies it into `landing/_mappings/` with the `files:` globs
pointing at the folder where the exports go; from then on it is the user's mapping to edit. The mapping
assistant (assistant.py) also matches an unknown file's header against every profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlglot
import yaml
from sqlglot import exp

from dagster_project.loading.sandbox import MappingError
from dagster_project.settings import SHIPPED_MAPPINGS_DIR

PROFILES_DIR = SHIPPED_MAPPINGS_DIR / "vendors"


@dataclass(frozen=True)
class Profile:
    name: str  # file stem, e.g. shopify_orders
    path: Path
    raw: dict[str, Any]

    @property
    def summary(self) -> str:
        """The first sentence of the description: what export it reads."""
        text = " ".join(str(self.raw.get("description", "")).split())
        return text.split(". ")[0].rstrip(".")

    @property
    def entities(self) -> list[str]:
        return list(self.raw.get("outputs") or {})

    @property
    def source_columns(self) -> set[str]:
        return source_columns(self.raw)


def list_profiles(directory: Path = PROFILES_DIR) -> list[Profile]:
    return [
        Profile(path.stem, path, yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        for path in sorted(directory.glob("*.yml"))
    ]


def get_profile(name: str, directory: Path = PROFILES_DIR) -> Profile:
    profiles = {p.name: p for p in list_profiles(directory)}
    if name not in profiles:
        raise KeyError(f"no vendor profile named {name!r}; the profiles are: {', '.join(sorted(profiles))}")
    return profiles[name]


def source_columns(raw: dict[str, Any]) -> set[str]:
    """Every column of the export a mapping reads (its header signature): plain and `from:` specs, the columns
    `sql:`, `where:` and `exclude:` expressions use, `group_by:` keys and unpivoted items."""
    columns: set[str] = set()
    for output in (raw.get("outputs") or {}).values():
        output = output or {}
        produced: set[str] = set()
        unpivot = output.get("unpivot") or {}
        if unpivot:
            columns.update(str(c) for c in unpivot.get("columns", []))
            produced = {str(unpivot.get("name")), str(unpivot.get("value"))}
        columns.update(str(c) for c in output.get("group_by") or [])
        expressions = [output.get("where")] + [rule.get("when") for rule in output.get("exclude") or []]
        for spec in (output.get("columns") or {}).values():
            if isinstance(spec, str):
                columns.add(spec)
            elif isinstance(spec, dict) and "from" in spec:
                columns.add(str(spec["from"]))
            elif isinstance(spec, dict) and "sql" in spec:
                expressions.append(spec["sql"])
        for text in expressions:
            if text:
                # Only the names are wanted: the expression is parsed, never run (the loader checks it).
                columns.update(c.name for c in sqlglot.parse_one(str(text), read="duckdb").find_all(exp.Column))
        columns -= produced
    return columns


def use_profile(name: str, mappings_dir: Path, files: list[str] | None = None) -> Path:
    """Copy profile `name` into the landing folder's _mappings/, its `files:` globs replaced by `files` when
    given. An existing mapping of that name is never overwritten (it may hold the user's edits)."""
    profile = get_profile(name)
    target = mappings_dir / f"{profile.name}.yml"
    if target.exists():
        raise FileExistsError(
            f"a mapping named {target.name} is already in the landing folder's _mappings; edit it, or remove it "
            "first to start again from the profile"
        )
    text = profile.path.read_text(encoding="utf-8")
    if files:
        raw = yaml.safe_load(text)
        raw["files"] = list(files)
        header = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
        text = header + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True, width=110)
    mappings_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    # The copy must still be a valid mapping (a glob leaving the landing folder is refused here, not at the run).
    from dagster_project.loading.mapping import load_mapping

    try:
        load_mapping(target)
    except MappingError:
        target.unlink()
        raise
    return target
