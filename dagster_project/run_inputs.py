"""What a run is computed from, and whether any of it changed since the last publication.

`empathy-lake run` asks this first, without importing Dagster or dbt. A run's inputs are:

- the landing folder as the loader sees it: every file an entity or mapping would read, and the mappings,
  by relative path, size, modification time and content hash (`landing_state.landing_files`, the sensor's
  own listing; the content too, since `rsync -a`, `cp -p` or `unzip` can deliver a same-size correction
  with the old modification time, which the loader's ledger would load but a stamp alone would miss);
- the code: the contents of dagster_project/, dbt_project/ (not its target/ or logs/), expectations/,
  pyproject.toml and uv.lock (library versions);
- the settings that change results: every EMPATHY_LAKE_* variable but the paths and those of the dashboard,
  schedule, sensor and tests (settings.result_settings)
  and the PII key, by its hash;
- the serving copy that run published (size and modification time): a copy replaced since (by a scheduled or
  sensor run) or removed means the record no longer describes what is served.

A successful complete CLI run records them beside the build warehouse (`<build>.published.json`), as they
were when it started; every CLI run removes the record first, so a failed, killed or partial run never leaves
one behind. Scheduled, sensor and UI runs neither read nor write it: a run of theirs that publishes replaces
the serving copy, whose stamp the record holds, so the next CLI run is not skipped. A run is not skipped
either while an alert's notification waits to be retried (its last send failed). Identical inputs and an
existing record: the published copy is what a run would publish again (marts are computed from the data, never
from the clock: dbt_project/models/intermediate/int_as_of_date.sql).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dagster_project.settings import REPO_ROOT, Settings, result_settings

RECORD_VERSION = 2
CODE_FOLDERS = ("dagster_project", "dbt_project", "expectations")
CODE_FILES = ("pyproject.toml", "uv.lock")
# Written by dbt, Python or the runs themselves, not code.
_NOT_CODE = {"target", "logs", "dbt_packages", "__pycache__", ".user.yml"}


def code_fingerprint(root: Path = REPO_ROOT) -> str:
    """SHA-256 over the relative path and contents of every code file a run uses."""
    digest = hashlib.sha256()
    files = [root / name for name in CODE_FILES]
    for folder in CODE_FOLDERS:
        files.extend(
            p
            for p in (root / folder).rglob("*")
            if p.is_file() and not _NOT_CODE.intersection(p.relative_to(root).parts) and not p.name.endswith(".pyc")
        )
    for path in sorted(files):
        if path.is_file():
            digest.update(f"{path.relative_to(root).as_posix()}\0".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _key_digest(key: str, salt: bytes) -> str:
    """The PII key, slow-hashed with a per-record salt: the record may be read by anyone who can read the
    build folder, so a fast hash would let them test guesses of a weak key quickly."""
    return hashlib.scrypt(key.encode(), salt=salt, n=2**14, r=8, p=1).hex()


def _file_stamp(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def record_path(settings: Settings) -> Path:
    return settings.build_db.with_name(settings.build_db.name + ".published.json")


def current_inputs(settings: Settings) -> dict:
    """The inputs of a run started now (the serving copy's stamp is added after it publishes)."""
    from dagster_project.loading.landing_state import fingerprint, landing_files

    return {
        "version": RECORD_VERSION,
        "landing": fingerprint(landing_files(settings.landing_dir), contents_of=settings.landing_dir),
        "code": code_fingerprint(),
        "settings": result_settings(),
    }


def forget_publication(settings: Settings) -> None:
    """Before any run: until it succeeds, nothing may be skipped on its account."""
    record_path(settings).unlink(missing_ok=True)


def record_publication(settings: Settings, inputs: dict, run_id: str) -> None:
    """After a complete run published: what it was computed from, and the copy it published."""
    salt = os.urandom(16)
    record = {
        **inputs,
        "pii_key": {"salt": salt.hex(), "scrypt": _key_digest(settings.pii_key, salt)},
        "run_id": run_id,
        "serving": _file_stamp(settings.serving_db),
    }
    _write_record(record_path(settings), record)


def _write_record(path: Path, record: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(record, indent=1), encoding="utf-8")
    tmp.replace(path)


@dataclass(frozen=True)
class Comparison:
    changed: list[str]  # what differs, in words; empty when nothing did
    run_id: str | None  # the run that published the serving copy, when the record holds

    @property
    def unchanged(self) -> bool:
        return not self.changed


_WHAT = {
    "version": "the record's format",
    "landing": "the landing files",
    "code": "the code or dbt project",
    "settings": "the settings",
    "pii_key": "the PII key",
}


def compare_with_publication(settings: Settings) -> Comparison:
    """Whether a run now would compute from the same inputs as the run that published the serving copy."""
    path = record_path(settings)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return Comparison(["no complete run recorded since the last change"], None)
    if record.get("serving") is None or record.get("serving") != _file_stamp(settings.serving_db):
        return Comparison(["the serving copy (missing, or published by another run)"], None)
    if not settings.build_db.exists():
        return Comparison(["the build warehouse (missing)"], None)
    now = current_inputs(settings)
    changed = [_WHAT[key] for key in now if record.get(key) != now[key]]
    if not _same_key(record.get("pii_key"), settings.pii_key):
        changed.append(_WHAT["pii_key"])
    if not changed and _notifications_to_retry(settings):
        changed.append("alert notifications waiting to be sent again")
    return Comparison(changed, record.get("run_id"))


def _same_key(recorded, key: str) -> bool:
    try:
        return _key_digest(key, bytes.fromhex(recorded["salt"])) == recorded["scrypt"]
    except (TypeError, KeyError, ValueError):
        return False


def _notifications_to_retry(settings: Settings) -> bool:
    """Open alerts whose notification has not gone out (a failed send is retried by the next run)."""
    import duckdb

    from dagster_project.alerts.notify import PENDING_SQL

    with duckdb.connect(str(settings.build_db), read_only=True) as con:
        has_alerts = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'meta' AND table_name = 'alerts'"
        ).fetchone()[0]
        return bool(has_alerts and con.execute(f"SELECT count(*) FROM ({PENDING_SQL})").fetchone()[0])


@contextmanager
def keep_publication_stamp(settings: Settings) -> Iterator[None]:
    """Around a job that replaces a few tables of the serving copy (predictive CLTV): when the record says the copy
    is the last complete run's, it still says so afterwards, so the next CLI run is not started on its account."""
    path = record_path(settings)
    before = _file_stamp(settings.serving_db)
    yield
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return
    if record.get("serving") is not None and record.get("serving") == before:
        record["serving"] = _file_stamp(settings.serving_db)
        _write_record(path, record)
