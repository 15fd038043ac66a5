"""Read the expectation suites in expectations/*.json.

A suite file is GX's own serialised form (`ExpectationSuite.to_json_dict()`: name, expectations as
`{"type", "kwargs", "notes"}`, meta, notes) with a few keys in `meta` that tell the runner what to validate:

    "table":           DuckDB table, "schema.table"
    "asset_key":       Dagster asset the check is attached to
    "derived_columns": optional {name: DuckDB expression}, computed while reading, for row-wise comparisons
                       GX has no expectation for (e.g. a sum of columns against another column)

Importing great_expectations takes ~10 s, so the file is parsed here without GX and the GX suite is built
on first use of `SuiteSpec.suite`: loading the Dagster definitions stays fast.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dagster_project.settings import EXPECTATIONS_DIR

if TYPE_CHECKING:
    import great_expectations as gx

# Expectation kwargs that name the columns an expectation reads (column, pair and multicolumn domains).
COLUMN_KWARGS = ("column", "column_A", "column_B")
COLUMN_LIST_KWARGS = ("column_list",)

_TABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")
_COLUMN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SUITE_NAME = re.compile(r"^[A-Za-z0-9_]+$")  # becomes part of a Dagster check name


class SuiteError(ValueError):
    """A suite file that cannot be run as written. Raised, never skipped: a dropped expectation is a
    check that silently stopped checking."""


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    table: str
    asset_key: tuple[str, ...]
    columns: list[str]
    derived_columns: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    config: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def suite(self) -> gx.ExpectationSuite:
        return build_gx_suite(self.config, where=str(self.path or self.name))

    @property
    def expectation_count(self) -> int:
        return len(self.config.get("expectations", []))


def expectation_columns(kwargs: dict[str, Any]) -> list[str]:
    """The columns one expectation reads, in the order it names them."""
    names = [kwargs[key] for key in COLUMN_KWARGS if kwargs.get(key)]
    for key in COLUMN_LIST_KWARGS:
        names.extend(kwargs.get(key) or [])
    return names


def parse_suite(config: dict[str, Any], where: str = "<suite>", path: Path | None = None) -> SuiteSpec:
    """Check a suite dict's shape and extract what the runner needs (no GX import)."""
    name = config.get("name")
    if not isinstance(name, str) or not _SUITE_NAME.match(name):
        raise SuiteError(f"{where}: 'name' must be letters, digits and underscores, got {name!r}")
    meta = config.get("meta") or {}
    table = meta.get("table")
    if not isinstance(table, str) or not _TABLE_NAME.match(table):
        raise SuiteError(f"{where}: meta.table must be 'schema.table', got {table!r}")
    asset_key = meta.get("asset_key")
    if not isinstance(asset_key, list) or not asset_key or not all(isinstance(p, str) for p in asset_key):
        raise SuiteError(f"{where}: meta.asset_key must be a non-empty list of strings, got {asset_key!r}")
    derived = meta.get("derived_columns") or {}
    if not isinstance(derived, dict) or not all(
        _COLUMN_NAME.match(k) and isinstance(v, str) and v.strip() for k, v in derived.items()
    ):
        raise SuiteError(f"{where}: meta.derived_columns must map column names to DuckDB expressions")
    expectations = config.get("expectations")
    if not isinstance(expectations, list) or not expectations:
        raise SuiteError(f"{where}: 'expectations' must be a non-empty list")

    columns: list[str] = []
    for index, expectation in enumerate(expectations):
        if not isinstance(expectation, dict) or not isinstance(expectation.get("type"), str):
            raise SuiteError(f"{where}: expectation #{index} needs a 'type'")
        for column in expectation_columns(expectation.get("kwargs") or {}):
            if column not in columns:
                columns.append(column)
    return SuiteSpec(
        name=name,
        table=table,
        asset_key=tuple(asset_key),
        columns=columns,
        derived_columns=dict(derived),
        path=path,
        config=config,
    )


def build_gx_suite(config: dict[str, Any], where: str = "<suite>") -> gx.ExpectationSuite:
    """Build the GX suite, failing loudly on any expectation GX cannot build.

    `gx.ExpectationSuite(**config)` logs and DROPS an expectation of unknown type (GX 1.24,
    core/expectation_suite.py), so each one is built first here, where an error names the file.
    """
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    for index, expectation in enumerate(config["expectations"]):
        try:
            ExpectationConfiguration(**expectation).to_domain_obj()
        except Exception as exc:  # unknown type, unknown or missing kwargs, bad values: all fatal
            raise SuiteError(f"{where}: expectation #{index} ({expectation.get('type')}): {exc}") from exc
    suite = gx.ExpectationSuite(**json.loads(json.dumps(config)))  # a copy: GX adds keys to meta
    if len(suite.expectations) != len(config["expectations"]):
        raise SuiteError(f"{where}: GX kept {len(suite.expectations)} of {len(config['expectations'])} expectations")
    return suite


def load_suite(path: Path) -> SuiteSpec:
    try:
        config = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path}: not valid JSON: {exc}") from exc
    return parse_suite(config, where=str(path), path=Path(path))


def load_suites(dir: Path = EXPECTATIONS_DIR) -> list[SuiteSpec]:
    """Every suite in `dir`, sorted by file name. Two suites with one name would give two checks one name."""
    specs = [load_suite(path) for path in sorted(Path(dir).glob("*.json"))]
    seen: dict[str, Path | None] = {}
    for spec in specs:
        if spec.name in seen:
            raise SuiteError(f"suite name {spec.name!r} is used by {seen[spec.name]} and {spec.path}")
        seen[spec.name] = spec.path
    return specs
