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


@dataclass(frozen=True)
class ValueType:
    """What text a column type accepts (the contract's `types:` section)."""

    name: str
    duckdb: str
    accepts: str
    refuses: str = ""
    # The trimmed text must match this regular expression as a whole before it is cast; None: the cast decides.
    pattern: str | None = None
    # The value must lie in the plausible date range (settings.plausible_date_range).
    dated: bool = False
    # A written UTC offset is converted to UTC; a value without one is stored as given.
    utc: bool = False


@dataclass(frozen=True)
class Column:
    name: str
    value_type: ValueType
    required: bool = False
    pii: bool = False
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    description: str = ""

    @property
    def type(self) -> str:
        return self.value_type.name

    @property
    def duckdb_type(self) -> str:
        return self.value_type.duckdb


@dataclass(frozen=True)
class Reference:
    """Loaded rows of another entity that row rules read as `<alias>.<column>`, matched on `key` (a column of
    both entities). A row whose key the other entity does not list sees NULLs."""

    alias: str
    entity: str
    key: str
    columns: tuple[str, ...]


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
    references: tuple[Reference, ...] = field(default_factory=tuple)
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
    types: dict[str, ValueType]
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


def _parse_type(name: str, spec: dict) -> ValueType:
    return ValueType(
        name=name,
        duckdb=spec["duckdb"],
        accepts=" ".join(str(spec["accepts"]).split()),
        refuses=" ".join(str(spec.get("refuses", "")).split()),
        pattern=spec.get("pattern"),
        dated=bool(spec.get("dated", False)),
        utc=bool(spec.get("utc", False)),
    )


def _parse_column(name: str, spec: dict, types: dict[str, ValueType]) -> Column:
    if spec["type"] not in types:
        raise ValueError(f"column {name!r}: unknown type {spec['type']!r} (use one of {sorted(types)})")
    allowed = spec.get("allowed")
    return Column(
        name=name,
        value_type=types[spec["type"]],
        required=bool(spec.get("required", False)),
        pii=bool(spec.get("pii", False)),
        min=spec.get("min"),
        max=spec.get("max"),
        allowed=tuple(str(v) for v in allowed) if allowed else None,
        description=str(spec.get("description", "")),
    )


def _parse_entity(name: str, spec: dict, types: dict[str, ValueType]) -> Entity:
    columns = tuple(_parse_column(col, col_spec, types) for col, col_spec in spec["columns"].items())
    names = {c.name for c in columns}
    for key in spec["primary_key"]:
        if key not in names:
            raise ValueError(f"entity {name!r}: primary key column {key!r} is not a column")
    rules = tuple(Rule(**rule) for rule in spec.get("rules", []))
    for rule in rules:
        if rule.column not in names:
            raise ValueError(f"entity {name!r}: rule {rule.name!r} names unknown column {rule.column!r}")
    references = tuple(
        Reference(alias=alias, entity=ref["entity"], key=ref["key"], columns=tuple(ref["columns"]))
        for alias, ref in (spec.get("references") or {}).items()
    )
    for ref in references:
        if ref.key not in names:
            raise ValueError(f"entity {name!r}: reference {ref.alias!r} key {ref.key!r} is not a column")
    return Entity(
        name=name,
        source=spec["source"],
        description=spec.get("description", ""),
        primary_key=tuple(spec["primary_key"]),
        columns=columns,
        rules=rules,
        references=references,
        freshness_hours=float(spec["freshness_hours"]) if spec.get("freshness_hours") is not None else None,
    )


def _check_references(entities: dict[str, Entity]) -> None:
    for entity in entities.values():
        for ref in entity.references:
            other = entities.get(ref.entity)
            if other is None:
                raise ValueError(f"entity {entity.name!r}: reference {ref.alias!r} names unknown entity {ref.entity!r}")
            if other.primary_key != (ref.key,):
                raise ValueError(f"entity {entity.name!r}: reference {ref.alias!r} key must be {ref.entity}'s key")
            for col in ref.columns:
                other.column(col)


@cache
def load_contract(path: Path = CONTRACT_PATH) -> Contract:
    """Read and validate the contract; cached because every asset and check asks for it."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    types = {name: _parse_type(name, spec) for name, spec in raw["types"].items()}
    entities = {name: _parse_entity(name, spec, types) for name, spec in raw["entities"].items()}
    _check_references(entities)
    return Contract(version=int(raw["version"]), types=types, entities=entities)
