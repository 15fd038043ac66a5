"""Read-only access to the published serving copy of the warehouse.

Why it is built this way (see docs/dashboard.md):

- The pipeline never writes the serving file in place: it writes a new file and renames it over the old
  one (atomic). DuckDB allows one read-write process OR many read-only ones per file, so a dashboard that
  opened the *build* file would block the pipeline; reading the published copy never does.
- A renamed-in copy is a new file (new inode). We keep one read-only handle and key it by the file's
  (inode, mtime, size): when the copy is swapped, the next query opens the new file and the old handle is
  dropped, which also lets the OS free the replaced file.
- The handle is an in-memory DuckDB database that ATTACHes the file READ_ONLY, not
  `duckdb.connect(path)`: DuckDB caches database instances by path inside a process, so reconnecting by
  path while any old handle is alive silently returns the OLD copy. ATTACH opens the file that is at the
  path now.
- Each query runs on its own cursor, so Streamlit's per-session threads never share one connection, and a
  query still running on the old copy finishes there while new queries go to the new copy.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

# Same default as dagster_project/settings.py, duplicated on purpose: the dashboard deploys on its own and
# must not import the pipeline package. Keep the two in step.
DEFAULT_HOME = "lake"
SERVING_RELATIVE_PATH = Path("warehouse") / "serving" / "empathy_lake.duckdb"
CATALOG = "serving"


class NotPublishedError(RuntimeError):
    """No serving copy at the path, or a file without `meta.publication` (not written by a publish)."""


@dataclass(frozen=True)
class Publication:
    published_at: Any
    run_id: str
    tables: int
    total_rows: int
    path: Path


def serving_db_path() -> Path:
    """EMPATHY_LAKE_SERVING_DB, else $EMPATHY_LAKE_HOME/warehouse/serving/empathy_lake.duckdb (home: ./lake).
    Read on every call so one process (tests) can point at several files."""
    explicit = os.environ.get("EMPATHY_LAKE_SERVING_DB")
    if explicit:
        return Path(explicit).resolve()
    home = Path(os.environ.get("EMPATHY_LAKE_HOME", DEFAULT_HOME))
    return (home / SERVING_RELATIVE_PATH).resolve()


@dataclass(frozen=True)
class _Handle:
    path: Path
    identity: tuple[int, int, int]
    connection: duckdb.DuckDBPyConnection


_lock = threading.Lock()
_handle: _Handle | None = None


def _file_identity(path: Path) -> tuple[int, int, int]:
    try:
        stat = path.stat()
    except FileNotFoundError as exc:
        raise NotPublishedError(f"no serving copy at {path}") from exc
    return (stat.st_ino, stat.st_mtime_ns, stat.st_size)


def _open(path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(":memory:")
    escaped = str(path).replace("'", "''")
    connection.execute(f"ATTACH '{escaped}' AS {CATALOG} (READ_ONLY)")
    return connection


def _cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on the current copy; reopens when the file at the path is no longer the one we hold."""
    global _handle
    path = serving_db_path()
    identity = _file_identity(path)
    with _lock:
        if _handle is None or _handle.path != path or _handle.identity != identity:
            # Dropping the old handle closes it once no cursor uses it any more (refcount), so a query
            # running in another session finishes on the copy it started on.
            _handle = None
            try:
                connection = _open(path)
            except duckdb.IOException as exc:
                # Renamed away between stat and open, or not a DuckDB file.
                raise NotPublishedError(f"cannot open the serving copy at {path}: {exc}") from exc
            _handle = _Handle(path, identity, connection)
        cursor = _handle.connection.cursor()
    cursor.execute(f"USE {CATALOG}")
    return cursor


def query(sql: str, params: list[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
    """Run one read-only query on the serving copy and return its rows as a DataFrame."""
    cursor = _cursor()
    try:
        return cursor.execute(sql, params or []).df()
    finally:
        cursor.close()


def table_exists(schema: str, table: str) -> bool:
    found = query(
        "SELECT count(*) AS n FROM information_schema.tables "
        "WHERE table_catalog = ? AND table_schema = ? AND table_name = ?",
        [CATALOG, schema, table],
    )
    return bool(found["n"].iloc[0])


def publication() -> Publication:
    """The row `publish` writes last; without it the file is not a finished serving copy."""
    if not table_exists("meta", "publication"):
        raise NotPublishedError(f"{serving_db_path()} has no meta.publication")
    rows = query("SELECT published_at, run_id, tables, total_rows FROM meta.publication LIMIT 1")
    if rows.empty:
        raise NotPublishedError(f"{serving_db_path()} has an empty meta.publication")
    row = rows.iloc[0]
    return Publication(
        published_at=row["published_at"],
        run_id=str(row["run_id"]),
        tables=int(row["tables"]),
        total_rows=int(row["total_rows"]),
        path=serving_db_path(),
    )


def is_published() -> bool:
    try:
        publication()
    except NotPublishedError:
        return False
    return True
