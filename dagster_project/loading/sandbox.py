"""The mapping sandbox: what user text from a mapping file may do in SQL, and where that SQL runs.

Whoever can drop a file into `landing/_mappings/` writes SQL the loader executes, so two walls stand
between a mapping and the machine (docs/mappings.md "What a mapping may not do", decisions D63-D65):

1. **Allow-list.** Every expression a mapping writes (`sql:`, `where:`) is parsed with sqlglot (DuckDB
   dialect) and may contain only column names, literals, operators, CASE / CAST / TRY_CAST, the scalar
   functions of `SCALAR_FUNCTIONS`, and the functions of `WINDOW_FUNCTIONS` over a partition
   (`... OVER (PARTITION BY ...)`). Anything else (table functions, file access, settings, variables,
   subqueries, a second statement) is a `MappingError` naming the mapping file, the target column and
   what is not allowed. What runs is the checked tree rendered back by sqlglot, never the user's text, and
   every constant a mapping gives (`value:`, `map:` codes, `format:`) is rendered by sqlglot as a literal.
2. **A locked connection.** Mapping SQL runs only in `Sandbox`: a private in-memory DuckDB that reads the
   one landing file, then turns off file access (`enable_external_access = false`) and locks its
   configuration before any mapping SQL runs. It holds no warehouse table and no secret: the PII key lives
   in the closure of the `keyed_hash` Python function, so no SQL can read it.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError

from dagster_project.settings import get_settings

DIALECT = "duckdb"
KEYED_HASH = "keyed_hash"

# DuckDB scalar functions a mapping expression may call (plus CASE, CAST, TRY_CAST and operators).
SCALAR_FUNCTIONS = (
    # text
    "lower", "upper", "trim", "ltrim", "rtrim", "length", "left", "right", "substr", "substring", "concat",
    "concat_ws", "replace", "translate", "reverse", "lpad", "rpad", "split_part", "strpos", "instr", "contains",
    "starts_with", "ends_with", "strip_accents", "chr", "ascii", "repeat", "format", "printf", "md5", "sha256",
    "regexp_matches", "regexp_full_match", "regexp_replace", "regexp_extract",
    # dates and times
    "strptime", "try_strptime", "strftime", "make_date", "make_timestamp", "date_trunc", "date_part",
    "extract", "date_diff", "datediff", "date_add", "year", "month", "day", "to_days", "to_months",
    "to_years", "to_weeks", "to_hours", "epoch_ms", "to_timestamp", "last_day",
    # numbers
    "abs", "round", "floor", "ceil", "ceiling", "sqrt", "power", "pow", "ln", "log10", "sign", "greatest",
    "least",
    # NULL handling and conditions
    "coalesce", "nullif", "ifnull", "if",
    # the loader's keyed hash (the PII key never reaches SQL): keyed_hash(text) = 32 hex chars
    KEYED_HASH,
)  # fmt: skip
# Aggregate and ranking functions, allowed only as window functions over a partition.
WINDOW_FUNCTIONS = (
    "sum", "min", "max", "count", "avg", "first", "last", "any_value", "first_value", "last_value",
    "row_number", "rank", "dense_rank", "lag", "lead", "string_agg",
)  # fmt: skip
# Aggregates a `sql:` may call outside a window when its output has `group_by:` (one record per key).
GROUP_FUNCTIONS = (
    "sum", "min", "max", "count", "avg", "first", "last", "any_value", "string_agg", "bool_or", "bool_and",
)  # fmt: skip

# Expression nodes that are not function calls and are safe in themselves.
ALLOWED_NODES = (
    exp.Column, exp.Identifier, exp.Literal, exp.Boolean, exp.Null, exp.Paren, exp.Neg, exp.Not, exp.And,
    exp.Or, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod, exp.DPipe, exp.EQ, exp.NEQ,
    exp.NullSafeEQ, exp.NullSafeNEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is, exp.In, exp.Between, exp.Like,
    exp.ILike, exp.DataType, exp.DataTypeParam, exp.Interval, exp.Var, exp.Window, exp.Order, exp.Ordered,
    exp.WindowSpec, exp.Star, exp.Distinct, exp.Tuple, exp.IgnoreNulls,
)  # fmt: skip

SUPPORTED_ENCODINGS = {"utf-8", "cp1252", "windows-1252", "latin-1", "iso-8859-1"}
ALLOWED_DELIMITERS = (",", ";", "\t", "|", ":")
ALLOWED_QUOTES = ('"', "'")
MAX_NULL_TEXT = 20


class MappingError(ValueError):
    """A mapping file that cannot work; the message names the mapping file and the field."""


def _function_key(node: exp.Expression) -> str:
    """What identifies a function call for the allow-list: DuckDB's name when sqlglot does not know the
    function, else sqlglot's class (several spellings, e.g. substr/substring, are one class)."""
    return f"anonymous:{node.name.lower()}" if isinstance(node, exp.Anonymous) else f"class:{type(node).__name__}"


def _keys_of(names: tuple[str, ...]) -> frozenset[str]:
    keys = set()
    for name in names:
        for args in ("x", "x, y", "x, y, z"):
            tree = sqlglot.parse_one(f"{name}({args})", read=DIALECT, error_level=ErrorLevel.IGNORE)
            func = tree if isinstance(tree, exp.Func) else tree.find(exp.Func)
            if func is not None:
                keys.add(_function_key(func))
                break
    return frozenset(keys)


_SCALAR_KEYS = _keys_of(SCALAR_FUNCTIONS) | {"class:Case", "class:If", "class:Cast", "class:TryCast"}
_WINDOW_KEYS = _keys_of(WINDOW_FUNCTIONS)
_GROUP_KEYS = _keys_of(GROUP_FUNCTIONS)


def _shown_name(node: exp.Expression) -> str:
    if isinstance(node, exp.Anonymous):
        return node.name.lower()
    match = re.match(r"\s*([A-Za-z_]+)", node.sql(DIALECT))
    return (match.group(1) if match else type(node).__name__).lower()


def _windowed(node: exp.Expression) -> bool:
    """The function call is the one a window applies (any_value sits in an IGNORE NULLS node)."""
    parent = node.parent
    if isinstance(parent, exp.IgnoreNulls):
        parent = parent.parent
    return isinstance(parent, exp.Window)


def _is_aggregate(node: exp.Expression) -> bool:
    """An aggregate call of GROUP_FUNCTIONS evaluated per group (not as a window function)."""
    return isinstance(node, exp.Func) and _function_key(node) in _GROUP_KEYS and not _windowed(node)


def _refusal(node: exp.Expression, grouped: bool = False) -> str | None:
    """Why `node` is not allowed in a mapping expression, or None when it is. `grouped`: the output has
    `group_by:`, so the aggregates of GROUP_FUNCTIONS may also be used per group."""
    if isinstance(node, exp.And | exp.Or):  # sqlglot makes AND / OR functions too (AND(a, b)): operators here
        return None
    if isinstance(node, exp.Func) and not isinstance(node, exp.Window):
        key = _function_key(node)
        if grouped and _is_aggregate(node):
            return None
        if key in _WINDOW_KEYS and key not in _SCALAR_KEYS:
            if _windowed(node):
                return None
            name = _shown_name(node)
            return f"{name}() is allowed only as a window function: {name}(...) OVER (PARTITION BY ...)"
        if key in _SCALAR_KEYS:
            return None
        return f"function {_shown_name(node)}() is not allowed"
    if isinstance(node, exp.Window):
        if not node.args.get("partition_by"):
            return "a window function needs OVER (PARTITION BY ...)"
        if _function_key(node.this) not in _WINDOW_KEYS:
            return f"{_shown_name(node.this)}() is not allowed as a window function"
        return None
    if isinstance(node, exp.Column) and (node.table or node.args.get("db") or node.args.get("catalog")):
        return "qualified column names (table.column) are not allowed"
    if isinstance(node, exp.Star) and not isinstance(node.parent, exp.Count):
        return "* is allowed only in count(*)"
    if isinstance(node, ALLOWED_NODES):
        return None
    if isinstance(node, exp.Query | exp.Subquery | exp.Exists):
        return "subqueries are not allowed"
    if isinstance(node, exp.Placeholder | exp.Parameter | exp.SessionParameter):
        return "parameters and variables are not allowed"
    if isinstance(node, exp.Lambda):
        return "lambda functions are not allowed"
    return f"{type(node).__name__} ({node.sql(DIALECT)[:30]}) is not allowed"


def _ancestors(node: exp.Expression) -> Iterator[exp.Expression]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


@dataclass(frozen=True)
class CheckedExpression:
    sql: str  # the checked tree, rendered by sqlglot
    columns: frozenset[str]  # source columns it reads


def check_expression(text: Any, where: str, group_by: tuple[str, ...] | None = None) -> CheckedExpression:
    """Parse a mapping's SQL expression and allow it only if every part is on the allow-list.

    With `group_by` (the output's key columns) the expression computes one value per group: aggregates are
    allowed, and a source column outside every aggregate must be one of the keys (else it is a mapping error
    naming the column: its value would differ between the lines of one record)."""
    if not isinstance(text, str) or not text.strip():
        raise MappingError(f"{where}: the SQL expression must be non-empty text")
    try:
        statements = [s for s in sqlglot.parse(text, read=DIALECT) if s is not None]
    except (ParseError, sqlglot.errors.TokenError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise MappingError(f"{where}: not a valid SQL expression ({first[:120]})") from exc
    if len(statements) != 1:
        raise MappingError(f"{where}: one expression only; several statements are not allowed")
    tree = statements[0]
    if not isinstance(tree, exp.Condition):
        raise MappingError(f"{where}: statements ({_shown_name(tree).upper()}) are not allowed, only an expression")
    for node in tree.walk():
        reason = _refusal(node, grouped=group_by is not None)
        if reason:
            raise MappingError(f"{where}: {reason} in a mapping expression (allowed: see docs/mappings.md)")
    if group_by is not None:
        keys = {k.lower() for k in group_by}
        for col in tree.find_all(exp.Column):
            inside = any(_is_aggregate(parent) for parent in _ancestors(col))
            if not inside and col.name.lower() not in keys:
                raise MappingError(
                    f"{where}: column {col.name!r} is used outside an aggregate but is not a group_by column "
                    "(use an aggregate such as first(...) or sum(...), or add it to group_by)"
                )
        tree = _in_file_order(tree)
    columns = frozenset(col.name for col in tree.find_all(exp.Column) if col.name != FILE_ORDER)
    return CheckedExpression(sql=tree.sql(DIALECT), columns=columns)


FILE_ORDER = "_source_row"  # the line number the reader gives every source row
FILE_INDEX = "_file_index"  # which of the files read together a source row came from (reader.py)


def non_empty_filter(expr: str) -> str:
    """The FILTER that makes an aggregate skip empty values (NULL or blank text)."""
    return f"FILTER (WHERE {expr} IS NOT NULL AND trim(CAST({expr} AS VARCHAR)) <> '')"


def _in_file_order(tree: exp.Expression) -> exp.Expression:
    """Under group_by, first(x) / last(x) of a sql: expression mean the first / last non-empty value in file
    order, as agg: first / last do: without ORDER BY, DuckDB's first() takes whichever line a thread saw first.
    A window (OVER) or an aggregate that states its own ORDER BY is left as written; one with its own FILTER
    gets the file order only."""
    for node in list(tree.find_all(exp.First, exp.Last)):
        if isinstance(node.parent, exp.Window) or isinstance(node.this, exp.Order):
            continue
        value = node.this.sql(DIALECT)
        node.set("this", exp.Order(this=node.this, expressions=[exp.Ordered(this=exp.column(FILE_ORDER))]))
        if isinstance(node.parent, exp.Filter):
            continue
        where = sqlglot.parse_one(f"count(*) {non_empty_filter(value)}", read=DIALECT).expression
        filtered = exp.Filter(this=node.copy(), expression=where)
        if node is tree:
            tree = filtered
        else:
            node.replace(filtered)
    return tree


def sql_literal(value: Any) -> str:
    """A constant from a mapping as a SQL literal, rendered by sqlglot (never pasted)."""
    if value is not None and not isinstance(value, str | int | float | bool):
        value = str(value)
    return exp.convert(value).sql(DIALECT)


def quote_ident(name: str) -> str:
    return exp.to_identifier(str(name), quoted=True).sql(DIALECT)


def check_number(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MappingError(f"{where}: must be a number")
    return sql_literal(value)


def check_single_char(value: Any, allowed: tuple[str, ...], where: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise MappingError(f"{where}: must be one character out of {shown}")
    return value


def check_null_text(value: Any, where: str) -> str:
    text = str(value)
    if len(text) > MAX_NULL_TEXT or any(ord(c) < 32 for c in text):
        raise MappingError(f"{where}: a null value text has at most {MAX_NULL_TEXT} printable characters")
    return text


# --------------------------------------------------------------------------------------- the connection


def keyed_hash(key: str, text: str) -> str:
    """32 hex characters of SHA-256(key | text): the same value DuckDB's sha256 gives for that string."""
    return hashlib.sha256(f"{key}|{text}".encode()).hexdigest()[:32]


def _keyed_hash_udf(key: str):
    prefix = hashlib.sha256(f"{key}|".encode())

    def udf(values: pa.Array) -> pa.Array:
        out = []
        for value in values.to_pylist():
            if value is None:
                out.append(None)
            else:
                digest = prefix.copy()
                digest.update(value.encode())
                out.append(digest.hexdigest()[:32])
        return pa.array(out, pa.string())

    return udf


class Sandbox:
    """A private in-memory DuckDB for one landing file: read the file, `lock()`, then run mapping SQL."""

    def __init__(self, pii_key: str) -> None:
        # An in-memory database may still spill large files to disk: give it a private folder of its own.
        self._spill = tempfile.TemporaryDirectory(prefix="empathy-lake-sandbox-")
        config = {"temp_directory": self._spill.name, **get_settings().duckdb_config}  # the run's memory cap
        self.con = duckdb.connect(":memory:", config=config)
        self.con.execute("SET enable_progress_bar = false")
        varchar = duckdb.sqltype("VARCHAR")
        self.con.create_function(
            KEYED_HASH, _keyed_hash_udf(pii_key), [varchar], varchar, type="arrow", null_handling="special"
        )
        self.locked = False

    def lock(self) -> None:
        """No file, network or setting access from here on, for any SQL on this connection."""
        self.con.execute("SET enable_external_access = false")
        self.con.execute("SET lock_configuration = true")
        self.locked = True

    def close(self) -> None:
        self.con.close()
        self._spill.cleanup()


@contextmanager
def sandbox(pii_key: str) -> Iterator[Sandbox]:
    box = Sandbox(pii_key)
    try:
        yield box
    finally:
        box.close()
