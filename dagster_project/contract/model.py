"""Typed view of landing_contract.yml.

Loading, dbt sources, the docs page and the data checks all read this model, so a column added to the
YAML reaches every one of them without a second hand-kept list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

CONTRACT_PATH = Path(__file__).with_name("landing_contract.yml")

# Contract type -> DuckDB type. Kept small on purpose: every type here must cast from CSV text.
DUCKDB_TYPES = {
    "varchar": "VARCHAR",
    "integer": "BIGINT",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    pii: bool = False
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    description: str = ""

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.type]


@dataclass(frozen=True)
class Rule:
    name: str
    sql: str
    column: str
    message: str


@dataclass(frozen=True)
class Entity:
    name: str
    source: str
    description: str
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    # Hours within which a new landing file is expected (freshness check); None: the default (36 h).
    freshness_hours: float | None = None

    @property
    def arrival_column(self) -> str | None:
        """The column that says when a record came into being (a ticket's `opened_at`): the first required date
        or timestamp. None for reference data (survey questions). Daily drops split on it; freshness reports it."""
        return next((c.name for c in self.columns if c.required and c.type in {"date", "timestamp"}), None)

    @property
    def raw_schema(self) -> str:
        return f"raw_{self.source}"

    @property
    def raw_table(self) -> str:
        return f"{self.raw_schema}.{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"entity {self.name!r} has no column {name!r}")


@dataclass(frozen=True)
class Contract:
    version: int
    entities: dict[str, Entity]

    @property
    def sources(self) -> list[str]:
        return sorted({e.source for e in self.entities.values()})

    def entity(self, name: str) -> Entity:
        try:
            return self.entities[name]
        except KeyError:
            known = ", ".join(sorted(self.entities))
            raise KeyError(f"unknown entity {name!r}; the contract has: {known}") from None


def _parse_column(name: str, spec: dict) -> Column:
    if spec["type"] not in DUCKDB_TYPES:
        raise ValueError(f"column {name!r}: unknown type {spec['type']!r} (use one of {sorted(DUCKDB_TYPES)})")
    allowed = spec.get("allowed")
    return Column(
        name=name,
        type=spec["type"],
        required=bool(spec.get("required", False)),
        pii=bool(spec.get("pii", False)),
        min=spec.get("min"),
        max=spec.get("max"),
        allowed=tuple(str(v) for v in allowed) if allowed else None,
        description=str(spec.get("description", "")),
    )


def _parse_entity(name: str, spec: dict) -> Entity:
    columns = tuple(_parse_column(col, col_spec) for col, col_spec in spec["columns"].items())
    names = {c.name for c in columns}
    for key in spec["primary_key"]:
        if key not in names:
            raise ValueError(f"entity {name!r}: primary key column {key!r} is not a column")
    rules = tuple(Rule(**rule) for rule in spec.get("rules", []))
    for rule in rules:
        if rule.column not in names:
            raise ValueError(f"entity {name!r}: rule {rule.name!r} names unknown column {rule.column!r}")
    return Entity(
        name=name,
        source=spec["source"],
        description=spec.get("description", ""),
        primary_key=tuple(spec["primary_key"]),
        columns=columns,
        rules=rules,
        freshness_hours=float(spec["freshness_hours"]) if spec.get("freshness_hours") is not None else None,
    )


@cache
def load_contract(path: Path = CONTRACT_PATH) -> Contract:
    """Read and validate the contract; cached because every asset and check asks for it."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    entities = {name: _parse_entity(name, spec) for name, spec in raw["entities"].items()}
    return Contract(version=int(raw["version"]), entities=entities)
