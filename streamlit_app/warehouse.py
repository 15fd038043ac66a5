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
- Results are cached (`st.cache_data`) per publication: the key is the copy's identity (path, inode, mtime,
  size) and its run id (`meta.publication`), plus the SQL and its parameters. A new publication is a new
  file, so its first query misses the cache and no page ever shows the numbers of a replaced copy; a result
  is stored only under the key of the copy it was read from. A viewer's row scope is part of the SQL
  (scoped_table binds it as a parameter), so one viewer's cached rows are never another scope's.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from streamlit_app.access import Scope
from streamlit_app.settings import serving_db_path

__all__ = ["CATALOG", "NotPublishedError", "Publication", "is_published", "publication", "query", "scoped_table"]
__all__ += ["catalog", "query_all", "query_table", "serving_db_path", "table_exists"]

CATALOG = "serving"
# Results kept per process (least recently used dropped first). Pages read aggregated rows, bounded lists
# (LIMIT) and small marts, so an entry is small; a new publication's entries replace the old ones over time.
CACHE_ENTRIES = 2_000


class NotPublishedError(RuntimeError):
    """No serving copy at the path, or a file without `meta.publication` (not written by a publish)."""


@dataclass(frozen=True)
class Publication:
    published_at: Any
    run_id: str
    tables: int
    total_rows: int
    path: Path


@dataclass(frozen=True)
class _Handle:
    path: Path
    identity: tuple[int, int, int]
    connection: duckdb.DuckDBPyConnection
    run_id: str | None  # meta.publication's run id, None for a file without one

    @property
    def key(self) -> tuple[str, tuple[int, int, int], str | None]:
        """What the cache keys this copy's results on: which file, and which publication it holds."""
        return (str(self.path), self.identity, self.run_id)


class _CopySwapped(RuntimeError):
    """The copy at the path changed between choosing a cache key and running the query (never cached)."""


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


def _run_id(connection: duckdb.DuckDBPyConnection) -> str | None:
    found = connection.execute(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_catalog = ? AND table_schema = 'meta' AND table_name = 'publication'",
        [CATALOG],
    ).fetchone()
    if not found or not found[0]:
        return None
    row = connection.execute(f"SELECT run_id FROM {CATALOG}.meta.publication LIMIT 1").fetchone()
    return None if row is None else str(row[0])


def _current() -> _Handle:
    """The handle on the current copy; reopens when the file at the path is no longer the one we hold."""
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
                run_id = _run_id(connection)
            except duckdb.IOException as exc:
                # Renamed away between stat and open, or not a DuckDB file.
                raise NotPublishedError(f"cannot open the serving copy at {path}: {exc}") from exc
            _handle = _Handle(path, identity, connection, run_id)
        return _handle


def _cursor(handle: _Handle) -> duckdb.DuckDBPyConnection:
    cursor = handle.connection.cursor()
    cursor.execute(f"USE {CATALOG}")
    return cursor


def publication_key() -> tuple[str, tuple[int, int, int], str | None]:
    """The current copy's cache key: its path, file identity and publication run id."""
    return _current().key


def _run(key: tuple[str, tuple[int, int, int], str | None], statements) -> list[pd.DataFrame]:
    """Each statement's rows, read on one cursor from the copy `key` names (never cached when it is gone)."""
    handle = _current()
    if handle.key != key:
        raise _CopySwapped(statements[0][0] if statements else "")
    cursor = _cursor(handle)
    try:
        return [cursor.execute(sql, list(params)).df() for sql, params in statements]
    finally:
        cursor.close()


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _cached_query(key: tuple[str, tuple[int, int, int], str | None], sql: str, params: tuple) -> pd.DataFrame:
    return _run(key, [(sql, params)])[0]


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _cached_queries(
    key: tuple[str, tuple[int, int, int], str | None], statements: tuple[tuple[str, tuple], ...]
) -> list[pd.DataFrame]:
    return _run(key, statements)


@st.cache_data(max_entries=CACHE_ENTRIES, show_spinner=False)
def _cached_catalog(key: tuple[str, tuple[int, int, int], str | None]) -> dict[tuple[str, str], frozenset[str]]:
    sql = "SELECT table_schema, table_name, column_name FROM information_schema.columns WHERE table_catalog = ?"
    rows = _run(key, [(sql, (CATALOG,))])[0]
    return {
        (schema, table): frozenset(group["column_name"])
        for (schema, table), group in rows.groupby(["table_schema", "table_name"], sort=False)
    }


def _answer(cached, *args):
    """`cached(publication key, *args)`, asked again under the new key when a new copy arrives mid-query."""
    for _ in range(3):
        try:
            return cached(publication_key(), *args)
        except _CopySwapped:
            continue  # a new copy arrived mid-query: ask again under its key
    raise NotPublishedError(f"the serving copy at {serving_db_path()} keeps changing; try again")


def query(sql: str, params: list[Any] | tuple[Any, ...] | None = None) -> pd.DataFrame:
    """Run one read-only query on the serving copy and return its rows as a DataFrame (a copy of the cached
    result when this publication has answered the same query before)."""
    return _answer(_cached_query, sql, tuple(params or ()))


Statement = tuple[str, list[Any]]  # SQL and its bound parameters


def query_all(statements: list[Statement]) -> list[pd.DataFrame]:
    """Run several read-only queries in one round trip (one cursor) and return their rows in order: cached as one
    entry per publication, so a page reading a dozen marts looks them up (and, the first time, stores them) once
    rather than a dozen times (D780)."""
    return _answer(_cached_queries, tuple((sql, tuple(params)) for sql, params in statements))


def catalog() -> dict[tuple[str, str], frozenset[str]]:
    """(schema, table) -> column names of every table and view in the serving copy: one read of
    information_schema per publication, shared by table_exists, scoped_table and the pages' mart checks (D780)."""
    return _answer(_cached_catalog)


def table_exists(schema: str, table: str) -> bool:
    return (schema, table) in catalog()


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


def _columns(qualified: str) -> frozenset[str]:
    schema, table = qualified.split(".")
    return catalog().get((schema, table), frozenset())


def scoped_table(qualified: str, scope: Scope) -> tuple[str, list[Any]]:
    """`qualified` (schema.table) as a subquery holding only the rows `scope` may read, and its bound
    parameters; use it in place of the table name, with its parameters before the query's own.

    The row rule follows the table's columns, so a new mart is covered without a list to keep:
    - a `location` / `team` column: that column equals the viewer's location / team;
    - a survey mart (`breakdown`, `group_value`): only the rows of the viewer's own group in that breakdown,
      so no organisation row, no tenure band, no other location's or team's (or manager's) row;
    - the alert log (`scope`, `scope_value`): only alerts raised at the viewer's location / team;
    - anything else (organisation-only marts, run metadata): no rows for a scoped viewer.
    A scope that is neither everything nor one location or team reads nothing (fails closed)."""
    if scope.everything:
        return f"(SELECT * FROM {qualified})", []
    kind, value = scope.kind, scope.value
    columns = _columns(qualified) if kind in ("location", "team") else set()
    if kind in columns:
        condition = f"{kind} = ?"
    elif {"breakdown", "group_value"} <= columns:
        condition = f"breakdown = '{kind}' AND group_value = ?"
    elif {"scope", "scope_value"} <= columns:
        condition = f"scope = '{kind}' AND scope_value = ?"
    else:
        return f"(SELECT * FROM {qualified} WHERE false)", []
    return f"(SELECT * FROM {qualified} WHERE {condition})", [value]


def table_statement(
    columns: str, qualified: str, scope: Scope, rest: str = "", params: list[Any] | None = None
) -> Statement:
    """`SELECT columns FROM qualified rest` over only the rows `scope` may read (scoped_table), and its parameters;
    `params` bind the placeholders of `rest`."""
    table, scope_params = scoped_table(qualified, scope)
    alias = qualified.split(".")[-1]
    return f"SELECT {columns} FROM {table} AS {alias} {rest}", [*scope_params, *(params or [])]


def query_table(
    columns: str, qualified: str, scope: Scope, rest: str = "", params: list[Any] | None = None
) -> pd.DataFrame:
    """table_statement's rows."""
    return query(*table_statement(columns, qualified, scope, rest, params))
