"""Source freshness of one entity, without Dagster: the newest landing file of the entity must have arrived
(file modification time) within `max_age_hours`. The `freshness` asset check (checks.py) reports it on the
asset; a run skipped because nothing changed (run_inputs.py) prints it, so a stale source is reported either
way (docs/runs.md)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from dagster_project.contract import Entity
from dagster_project.loading.landing_state import entity_files
from dagster_project.settings import freshness_hours_setting

DEFAULT_FRESHNESS_HOURS = 36.0


def freshness_max_age_hours(entity: Entity) -> float:
    """EMPATHY_LAKE_FRESHNESS_HOURS_<ENTITY>, else the contract's `freshness_hours`, else
    EMPATHY_LAKE_FRESHNESS_HOURS, else 36 hours."""
    per_entity = freshness_hours_setting(entity.name)
    if per_entity is not None:
        return per_entity
    if entity.freshness_hours is not None:
        return entity.freshness_hours
    overall = freshness_hours_setting(None)
    return overall if overall is not None else DEFAULT_FRESHNESS_HOURS


@dataclass(frozen=True)
class Freshness:
    passed: bool
    description: str
    metadata: dict = field(default_factory=dict)
    has_files: bool = True


def evaluate_freshness(landing: Path, entity: Entity, files_loaded_earlier: Callable[[], int]) -> Freshness:
    """How fresh `entity`'s landing files are. `files_loaded_earlier` (the ledger's count for the entity) is
    asked only when the entity has no files: one never fed is not stale, one whose files all went is."""
    max_age = freshness_max_age_hours(entity)
    files = entity_files(landing, entity)
    metadata: dict = {"max_age_hours": max_age, "files": len(files)}
    if not files:
        loaded_before = files_loaded_earlier()
        return Freshness(
            passed=loaded_before == 0,
            description=f"no landing files for {entity.name}"
            + (f" ({loaded_before} loaded earlier)" if loaded_before else " (entity not fed)"),
            metadata={**metadata, "newest_file": "none", "files_loaded_earlier": loaded_before},
            has_files=False,
        )
    newest = max(files, key=lambda f: f.mtime_ns)
    age_hours = (time.time() - newest.mtime_ns / 1e9) / 3600
    arrived = datetime.fromtimestamp(newest.mtime_ns / 1e9, tz=UTC)
    passed = age_hours <= max_age
    return Freshness(
        passed=passed,
        description=(
            f"newest file {age_hours:.1f} h old (limit {max_age:g} h)"
            if passed
            else f"stale: newest {entity.name} file is {age_hours:.1f} h old, expected within {max_age:g} h"
        ),
        metadata={
            **metadata,
            "newest_file": newest.relative_path,
            "newest_file_arrived": arrived.isoformat(timespec="seconds"),
            "newest_file_age_hours": round(age_hours, 2),
        },
    )
