"""What is in the landing folder right now, as the loader sees it: the files each entity would load and the
import mappings that shape them, with size and modification time.

The landing sensor fingerprints this listing and the freshness checks read the newest file per entity; both
use the loader's own discovery (`discover_files`), so a file the loader ignores (names starting with `_` or
`.`, partial uploads such as `*.csv.part`, `*.tmp`) never starts a run nor counts as fresh.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from dagster_project.contract import Entity, load_contract
from dagster_project.loading.ledger import file_checksum
from dagster_project.loading.loader import discover_files
from dagster_project.loading.mapping import load_mappings
from dagster_project.loading.reader import is_junk_file


@dataclass(frozen=True)
class LandingFile:
    relative_path: str  # posix path under the landing folder
    size: int
    mtime_ns: int


def _stat(landing: Path, path: Path) -> LandingFile | None:
    try:
        stat = path.stat()
    except FileNotFoundError:  # removed between listing and stat
        return None
    return LandingFile(path.relative_to(landing).as_posix(), stat.st_size, stat.st_mtime_ns)


def entity_files(landing: Path, entity: Entity) -> list[LandingFile]:
    """The files the loader would read for `entity` (contract-shaped and mapped)."""
    if not landing.is_dir():
        return []
    mappings, _broken = load_mappings(landing / "_mappings")
    # System, lock and temporary files (a .part upload, Excel's ~$ lock file) are no data: they start no run.
    found = (path for path, _mapping in discover_files(landing, entity, mappings) if not is_junk_file(path))
    stats = (_stat(landing, path) for path in found)
    return [s for s in stats if s is not None]


def landing_files(landing: Path) -> list[LandingFile]:
    """Every file a run would read: each entity's files plus the mapping files (a changed mapping reloads the
    files it describes). Sorted by path, each file once."""
    if not landing.is_dir():
        return []
    found: dict[str, LandingFile] = {}
    for entity in load_contract().entities.values():
        for item in entity_files(landing, entity):
            found[item.relative_path] = item
    mappings_dir = landing / "_mappings"
    if mappings_dir.is_dir():
        for path in [*mappings_dir.glob("*.yml"), *mappings_dir.glob("*.yaml")]:
            item = _stat(landing, path)
            if item is not None and not path.name.startswith("."):
                found[item.relative_path] = item
    return [found[key] for key in sorted(found)]


def fingerprint(files: list[LandingFile], contents_of: Path | None = None) -> str:
    """SHA-256 over (relative path, size, mtime_ns) of every file: changes when a file is added, removed,
    rewritten or touched. With `contents_of` (the landing folder) each file's SHA-256 counts too, so a
    same-size correction delivered with its old modification time changes it as well (run_inputs, D145)."""
    digest = hashlib.sha256()
    for item in files:
        content = f"\t{file_checksum(contents_of / item.relative_path)}" if contents_of is not None else ""
        digest.update(f"{item.relative_path}\t{item.size}\t{item.mtime_ns}{content}\n".encode())
    return digest.hexdigest()
