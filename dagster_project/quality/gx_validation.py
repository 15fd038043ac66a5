"""Validate one suite against its DuckDB table, and record the outcome in meta.check_results.

The table is read into pandas (only the columns the suite touches) and validated with GX's pandas data
source; GX's SQL data source does not work on DuckDB (docs/stack_pitfalls.md #2).

An expectation that RAISES counts as a failure. GX reports such an expectation with `success=False` today,
but only `exception_info` says it did not check anything; a reader of the results must see "errored", and
a GX upgrade that changed the flag must not turn a broken check into a pass. The same holds one level up:
a table that cannot be read, a suite GX cannot build, or an expectation GX returns no result for are
errored expectations, never a pass.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from dagster_project.quality.gx_context import frame_batch_definition, spark_batch_definition
from dagster_project.quality.gx_suites import SuiteSpec, expectation_columns
from dagster_project.source_status import never_loaded

CHECK_KIND = "great_expectations"
# BASIC: counts plus a sample of unexpected values; SUMMARY/COMPLETE add per-value counts and row indexes
# that cost time on large frames and that nobody reads in meta.check_results.
RESULT_FORMAT = "BASIC"
UNEXPECTED_SAMPLE = 5
MAX_TEXT = 2000

CHECK_RESULTS_DDL = (
    "CREATE SCHEMA IF NOT EXISTS meta",
    """CREATE TABLE IF NOT EXISTS meta.check_results (
        run_id VARCHAR, checked_at TIMESTAMP, check_kind VARCHAR, suite VARCHAR, table_name VARCHAR,
        expectation VARCHAR, column_name VARCHAR, success BOOLEAN, errored BOOLEAN, observed VARCHAR,
        details VARCHAR)""",
)


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation_type: str
    column: str | None
    success: bool
    errored: bool
    observed: str
    details: str

    def describe(self) -> str:
        where = f" ({self.column})" if self.column else ""
        state = "ERRORED" if self.errored else "failed"
        return f"{self.expectation_type}{where} {state}: {self.observed}"


@dataclass(frozen=True)
class ValidationOutcome:
    suite: str
    table: str
    success: bool
    results: list[ExpectationOutcome] = field(default_factory=list)

    @property
    def evaluated(self) -> int:
        return len(self.results)

    @property
    def failed(self) -> int:
        """Expectations that did not pass, errored ones included."""
        return sum(not r.success for r in self.results)

    @property
    def errored(self) -> int:
        return sum(r.errored for r in self.results)

    @property
    def failing(self) -> list[ExpectationOutcome]:
        return [r for r in self.results if not r.success]

    def failing_text(self) -> str:
        return "\n".join(r.describe() for r in self.failing) or "none"


def _selected(spec: SuiteSpec, quote: str) -> list[str]:
    """The suite's columns and derived columns as select expressions (quoted with `quote`)."""
    selected = [
        f"({spec.derived_columns[c]}) AS {quote}{c}{quote}" if c in spec.derived_columns else f"{quote}{c}{quote}"
        for c in spec.columns
    ]
    return selected or ["1 AS _row"]  # table-level expectations only: any one value per row keeps the row count


def read_frame(con: duckdb.DuckDBPyConnection, spec: SuiteSpec) -> pd.DataFrame:
    """The suite's columns (and derived columns) of its table; not `select *`, which costs memory."""
    schema, table = spec.table.split(".")
    return con.sql(f'SELECT {", ".join(_selected(spec, chr(34)))} FROM "{schema}"."{table}"').df()


def register_spark_tables(spark: Any, folders: dict[str, str]) -> None:
    """Name each table's Parquet folder (`schema.table` -> folder) in the Spark session's catalog, so a suite's
    derived columns may read another table (a setting, a threshold) as they do on DuckDB."""
    for table, folder in folders.items():
        spark.sql(f"create database if not exists {table.split('.')[0]}")
        spark.sql(f"drop table if exists {table}")
        spark.sql(f"create table {table} using parquet location '{folder}'")


def validate_spark(spark: Any, spec: SuiteSpec) -> ValidationOutcome:
    """The same suite on a Spark DataFrame of the table (registered by register_spark_tables; the spark engine,
    docs/spark.md), through GX's Spark data source: the rows are checked where Spark keeps them, not in pandas."""
    try:
        frame = spark.table(spec.table).selectExpr(*_selected(spec, "`"))
    except Exception as exc:  # pyspark's AnalysisException and friends: the suite errors, the step reports it
        return _all_errored(spec, f"could not read {spec.table} on Spark: {type(exc).__name__}")
    return validate_frame(frame, spec, spark_batch_definition())


def validate(con: duckdb.DuckDBPyConnection, spec: SuiteSpec) -> ValidationOutcome:
    """Read the suite's table and validate it; a table or column that cannot be read errors the suite. A raw
    table whose source never received a file is "not loaded": its row-count floor is not applied (a partial
    business publishes; docs/data_checks.md), every other expectation is (and passes on no rows)."""
    try:
        frame = read_frame(con, spec)
    except duckdb.Error as exc:
        return _all_errored(spec, f"could not read {spec.table}: {exc}")
    outcome = validate_frame(frame, spec)
    if frame.empty and _never_loaded(con, spec):
        return _not_loaded(outcome)
    return outcome


# A source never fed has no rows by design, not by failure: these expectations say nothing about it.
ROW_COUNT_EXPECTATIONS = frozenset({"expect_table_row_count_to_be_between", "expect_table_row_count_to_equal"})
NOT_LOADED_OBSERVED = "0 rows: source not loaded (no files yet), not applied"


def _never_loaded(con: duckdb.DuckDBPyConnection, spec: SuiteSpec) -> bool:
    schema = spec.table.split(".")[0]
    return schema.startswith("raw_") and never_loaded(con, spec.table.split(".")[1])


def _not_loaded(outcome: ValidationOutcome) -> ValidationOutcome:
    results = [
        ExpectationOutcome(r.expectation_type, r.column, True, False, NOT_LOADED_OBSERVED, r.details)
        if r.expectation_type in ROW_COUNT_EXPECTATIONS and not r.errored
        else r
        for r in outcome.results
    ]
    return ValidationOutcome(outcome.suite, outcome.table, all(r.success for r in results), results)


def validate_frame(frame: Any, spec: SuiteSpec, batch_definition: Any = None) -> ValidationOutcome:
    """Validate a pandas frame (or, with `spark_batch_definition()`, a Spark DataFrame) against the suite."""
    try:
        suite = spec.suite
        definition = batch_definition or frame_batch_definition()
        batch = definition.get_batch(batch_parameters={"dataframe": frame})
        gx_result = batch.validate(suite, result_format=RESULT_FORMAT)
    except Exception as exc:  # any GX failure is an errored suite, reported, not a crashed step
        return _all_errored(spec, f"GX could not validate: {type(exc).__name__}: {exc}")

    results = [_outcome(result) for result in gx_result.results]
    results.extend(_missing_results(spec, results))
    success = bool(gx_result.success) and all(r.success for r in results)
    return ValidationOutcome(suite=spec.name, table=spec.table, success=success, results=results)


def record_results(con: duckdb.DuckDBPyConnection, run_id: str, spec: SuiteSpec, outcome: ValidationOutcome) -> None:
    """One row per expectation, so the dashboard can show what failed, not just that something did."""
    for statement in CHECK_RESULTS_DDL:
        con.execute(statement)
    rows = [
        [run_id, CHECK_KIND, spec.name, spec.table, r.expectation_type, r.column, r.success, r.errored]
        + [r.observed, r.details]
        for r in outcome.results
    ]
    if not rows:
        return
    # One statement: the suite's rows land together (or not at all) and share checked_at, without opening
    # a transaction the caller's connection may already be in.
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows))
    con.execute(
        "INSERT INTO meta.check_results "
        "SELECT run_id, current_timestamp, check_kind, suite, table_name, expectation, column_name, success, "
        "errored, observed, details "
        f"FROM (VALUES {values}) AS v(run_id, check_kind, suite, table_name, expectation, column_name, "
        "success, errored, observed, details)",
        [value for row in rows for value in row],
    )


def _outcome(result: Any) -> ExpectationOutcome:
    config = result.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    errors = _exception_messages(result.exception_info)
    errored = bool(errors)
    payload: dict[str, Any] = {"kwargs": kwargs}
    if errored:
        payload["exception"] = "; ".join(dict.fromkeys(errors))
    elif not result.success and result.result.get("partial_unexpected_list"):
        payload["unexpected_sample"] = result.result["partial_unexpected_list"][:UNEXPECTED_SAMPLE]
    return ExpectationOutcome(
        expectation_type=config.type,
        column=_column_label(kwargs),
        success=bool(result.success) and not errored,
        errored=errored,
        observed="error" if errored else _observed(result.result),
        details=_text(json.dumps(payload, default=_json_value)),
    )


def _exception_messages(info: Any) -> list[str]:
    """`exception_info` is either one {raised_exception, exception_message, ...} dict or, when a metric
    failed, a dict of such dicts keyed by metric id; look through both shapes."""
    if not isinstance(info, dict):
        return []
    if info.get("raised_exception"):
        return [str(info.get("exception_message") or "raised an exception")]
    return [message for value in info.values() if isinstance(value, dict) for message in _exception_messages(value)]


def _observed(result: dict[str, Any]) -> str:
    if "observed_value" in result:
        return _text(str(result["observed_value"]))
    if "unexpected_count" in result:
        observed = f"{result['unexpected_count']} of {result.get('element_count')} rows unexpected"
        missing = result.get("missing_count")
        return f"{observed} ({missing} null, not checked)" if missing else observed
    return ""


def _column_label(kwargs: dict[str, Any]) -> str | None:
    return ", ".join(expectation_columns(kwargs)) or None


def _missing_results(spec: SuiteSpec, results: list[ExpectationOutcome]) -> list[ExpectationOutcome]:
    """Expectations of the suite that GX returned no result for: they did not check anything."""
    missing = Counter(e["type"] for e in spec.config["expectations"]) - Counter(r.expectation_type for r in results)
    return [
        ExpectationOutcome(expectation_type, None, False, True, "error", "GX returned no result")
        for expectation_type, count in missing.items()
        for _ in range(count)
    ]


def _all_errored(spec: SuiteSpec, message: str) -> ValidationOutcome:
    results = [
        ExpectationOutcome(
            expectation_type=e["type"],
            column=_column_label(e.get("kwargs") or {}),
            success=False,
            errored=True,
            observed="error",
            details=_text(message),
        )
        for e in spec.config["expectations"]
    ]
    return ValidationOutcome(suite=spec.name, table=spec.table, success=False, results=results)


def _json_value(value: Any) -> Any:
    """numpy scalars (in GX's unexpected samples) as plain numbers, anything else as text."""
    return value.item() if hasattr(value, "item") else str(value)


def _text(value: str) -> str:
    return value if len(value) <= MAX_TEXT else value[: MAX_TEXT - 3] + "..."
