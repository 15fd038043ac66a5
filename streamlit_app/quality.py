"""Queries behind the Data quality page, over the run metadata the pipeline publishes in schema `meta`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pandas as pd

from streamlit_app import warehouse
from streamlit_app.check_counts import CHECK_KINDS, OTHER_KIND, CheckRecord, CheckTally, tally

QUARANTINE_SAMPLE_ROWS = 50
REPORT_COLUMNS = "load_id, entity, source_file, status, rows_read, rows_loaded, rows_quarantined, message, loaded_at"
# Counts the loader added later (a publication made before them lacks them: they are then 0).
ADDED_COUNTS = ("rows_excluded", "rows_superseded")
COUNTS = ("rows_read", "rows_loaded", "rows_quarantined", *ADDED_COUNTS)
CHECK_COLUMNS = ["run_id", "checked_at", "suite", "expectation", "column_name", "success", "errored"]
# Shown when the writer of meta.check_results provides them (the GX checks do).
OPTIONAL_CHECK_COLUMNS = ["check_kind", "table_name", "observed", "details"]
STATUS_ORDER = {"errored": 0, "failed": 1, "passed": 2}


@dataclass(frozen=True)
class LoadTotals:
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_excluded: int = 0  # dropped on purpose by the mapping (where: / exclude:), counted per reason
    rows_superseded: int = 0  # rows of earlier files replaced because a later file brought their key again

    @property
    def conserved(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_quarantined + self.rows_excluded


def _conserved(frame: pd.DataFrame) -> pd.Series:
    return frame["rows_read"] == frame["rows_loaded"] + frame["rows_quarantined"] + frame["rows_excluded"]


def _present_columns(schema: str, table: str) -> set[str]:
    return set(
        warehouse.query(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_catalog = ? AND table_schema = ? AND table_name = ?",
            [warehouse.CATALOG, schema, table],
        )["column_name"]
    )


def loads() -> pd.DataFrame:
    """One row per load (pipeline run that loaded files), latest first."""
    return warehouse.query(
        "SELECT load_id, max(loaded_at) AS loaded_at, count(*) AS files, sum(rows_read) AS rows_read "
        "FROM meta.load_report GROUP BY load_id ORDER BY max(loaded_at) DESC, load_id"
    )


def describe_load(loads_frame: pd.DataFrame, load_id: str) -> str:
    row = loads_frame.loc[loads_frame["load_id"] == load_id].iloc[0]
    return f"{row['loaded_at']:%Y-%m-%d %H:%M} · {int(row['files'])} file(s)"


def load_report(load_id: str) -> pd.DataFrame:
    """Per file of one load: rows read / loaded / quarantined / excluded, earlier rows superseded, and whether
    read = loaded + quarantined + excluded."""
    present = _present_columns("meta", "load_report")
    added = ", ".join(c if c in present else f"0 AS {c}" for c in ADDED_COUNTS)
    report = warehouse.query(
        f"SELECT {REPORT_COLUMNS}, {added} FROM meta.load_report WHERE load_id = ? ORDER BY entity, source_file",
        [load_id],
    )
    report["conserved"] = _conserved(report)
    return report


def totals(report: pd.DataFrame) -> LoadTotals:
    return LoadTotals(**{c: int(report[c].sum()) for c in COUNTS})


def by_entity(report: pd.DataFrame) -> pd.DataFrame:
    summed = report.groupby("entity", as_index=False)[list(COUNTS)].sum()
    summed.insert(1, "files", report.groupby("entity").size().to_numpy())
    summed["conserved"] = _conserved(summed)
    return summed


def exclusions(load_id: str) -> pd.DataFrame:
    """Rows the load's mappings dropped on purpose, per entity and reason (the mapping's own words)."""
    if not warehouse.table_exists("meta", "load_exclusions"):
        return pd.DataFrame(columns=["entity", "reason", "rows", "files"])
    return warehouse.query(
        "SELECT entity, reason, sum(rows) AS rows, count(DISTINCT source_file) AS files FROM meta.load_exclusions "
        "WHERE load_id = ? GROUP BY entity, reason ORDER BY rows DESC, entity, reason",
        [load_id],
    )


def _quarantined_lines() -> str:
    """A quarantined record's rows: the lines it groups (a mapping's group_by), 1 in older publications."""
    return "source_lines" if "source_lines" in _present_columns("meta", "quarantine") else "1"


def quarantine_summary() -> pd.DataFrame:
    """Quarantined rows per entity, column and reason, counted as the load report counts them (lines)."""
    return warehouse.query(
        f"SELECT entity, column_name, reason, sum({_quarantined_lines()}) AS rows, "
        "count(DISTINCT source_file) AS files FROM meta.quarantine GROUP BY entity, column_name, reason "
        "ORDER BY rows DESC, entity, column_name"
    )


def quarantine_sample(entity: str | None = None) -> pd.DataFrame:
    """Quarantined records; `source_lines`: the lines a record groups (more than 1 with a mapping's group_by)."""
    where, params = ("WHERE entity = ?", [entity]) if entity else ("", [])
    return warehouse.query(
        f"SELECT entity, source_file, source_row, {_quarantined_lines()} AS source_lines, column_name, reason, "
        f"load_id, quarantined_at FROM meta.quarantine {where} ORDER BY entity, source_file, source_row "
        f"LIMIT {QUARANTINE_SAMPLE_ROWS}",
        params,
    )


def _check_columns() -> list[str]:
    present = _present_columns("meta", "check_results")
    return CHECK_COLUMNS + [c for c in OPTIONAL_CHECK_COLUMNS if c in present]


def latest_check_results() -> pd.DataFrame:
    """The results of the most recent run that recorded checks, errored first, then failed, then passed."""
    columns = ", ".join(f'"{c}"' for c in _check_columns())
    checks = warehouse.query(
        f"SELECT {columns} FROM meta.check_results WHERE run_id = ("
        "  SELECT run_id FROM meta.check_results GROUP BY run_id ORDER BY max(checked_at) DESC LIMIT 1)"
    )
    checks.insert(0, "status", [check_status(s, e) for s, e in zip(checks["success"], checks["errored"], strict=True)])
    for optional in OPTIONAL_CHECK_COLUMNS:
        if optional not in checks:
            checks[optional] = None
    checks["_order"] = checks["status"].map(STATUS_ORDER)
    return (
        checks.sort_values(["_order", "suite", "expectation", "column_name"], na_position="first")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def check_status(success: object, errored: object) -> str:
    """An errored check did not check anything: say so. A missing success flag is a failure, never a pass."""
    if _is_true(errored):
        return "errored"
    return "passed" if _is_true(success) else "failed"


def _is_true(value: object) -> bool:
    return bool(pd.notna(value) and value)


# --- check results in plain words -----------------------------------------------------------------------
# Short words written in capitals or kept as they are wherever a name is turned into words.
ACRONYMS = {
    "nps": "NPS",
    "enps": "eNPS",
    "csat": "CSAT",
    "ces": "CES",
    "eap": "EAP",
    "aov": "AOV",
    "cltv": "CLTV",
    "fcr": "FCR",
    "roi": "ROI",
    "crm": "CRM",
    "hris": "HRIS",
    "id": "ID",
    "pct": "%",
}
RAW_SCHEMA_PREFIX = "raw_"


def plain_name(name: object) -> str:
    """A table's or column's name in words: `handle_time_minutes` -> "handle time minutes", `nps` -> "NPS"."""
    if name is None or (not isinstance(name, str) and pd.isna(name)):
        return ""
    return " ".join(ACRONYMS.get(word, word) for word in str(name).replace(".", " ").split("_") if word)


def in_words(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose entity and column names are words (`customer_responses` -> "customer responses")."""
    words = frame.copy()
    for column in ("entity", "column_name"):
        if column in words:
            words[column] = words[column].map(plain_name)
    return words


def plain_table(table: object) -> str:
    """`marts.customer_nps_monthly` -> "Customer NPS monthly"; `raw_crm.tickets` -> "CRM tickets, as loaded"."""
    if table is None or (not isinstance(table, str) and pd.isna(table)):
        return ""
    schema, _, name = str(table).rpartition(".")
    words = plain_name(name)
    if schema.startswith(RAW_SCHEMA_PREFIX):
        words = f"{plain_name(schema.removeprefix(RAW_SCHEMA_PREFIX))} {words}, as loaded"
    return words[:1].upper() + words[1:]


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.4g}"


def _range(subject: str, low: object, high: object, or_equal: bool = True) -> str:
    if low is not None and high is not None:
        return f"{subject} between {_number(low)} and {_number(high)}"
    if low is not None:
        return f"{subject} at least {_number(low)}"
    if high is not None:
        return f"{subject} at most {_number(high)}"
    return f"{subject} within its range"


def _kwargs(details: object) -> dict:
    try:
        parsed = json.loads(details) if isinstance(details, str) else {}
    except ValueError:
        return {}
    return parsed.get("kwargs", {}) if isinstance(parsed, dict) else {}


def describe_expectation(expectation: str, column: object, details: object) -> str:
    """What an expectation checks, in words, from its type and arguments (the `details` the pipeline records):
    `expect_column_values_to_not_be_null` on `month` -> "no empty values in month"."""
    kwargs = _kwargs(details)
    col = plain_name(kwargs.get("column") or column)
    a, b = plain_name(kwargs.get("column_A")), plain_name(kwargs.get("column_B"))
    mostly = kwargs.get("mostly")
    text = {
        "expect_column_values_to_not_be_null": lambda: f"no empty values in {col}",
        "expect_column_values_to_be_unique": lambda: f"no value of {col} appears twice",
        "expect_column_values_to_be_between": lambda: _range(col, kwargs.get("min_value"), kwargs.get("max_value")),
        "expect_column_values_to_be_in_set": lambda: (
            f"{col} is one of: {', '.join(plain_name(v) for v in kwargs.get('value_set') or [])}"
        ),
        "expect_column_pair_values_to_be_equal": lambda: f"{a} equals {b}",
        "expect_column_pair_values_a_to_be_greater_than_b": lambda: (
            f"{a} is {'at least' if kwargs.get('or_equal') else 'greater than'} {b}"
        ),
        "expect_table_row_count_to_be_between": lambda: _range(
            "the number of rows", kwargs.get("min_value"), kwargs.get("max_value")
        ),
        "expect_table_columns_to_match_set": lambda: "the table has the expected columns",
    }.get(expectation)
    if text is None:  # a kind of expectation this page has no words for yet: its name, made readable
        described = plain_name(str(expectation).removeprefix("expect_"))
        return f"{described} ({col})" if col else described
    sentence = text()
    if mostly is not None and float(mostly) < 1:
        sentence += f" (in at least {float(mostly):.0%} of rows)"
    return sentence


# An expectation's status in words ("errored": it raised, so it did not check anything and counts as failed).
STATUS_WORDS = {"passed": "passed", "failed": "failed", "errored": "could not check"}
UNEXPECTED = re.compile(r"^(\d+) of (\d+) rows unexpected")


def plain_observed(observed: object) -> str:
    """GX's "3 of 100 rows unexpected" as "3 of 100 rows do not meet it"; other findings as they are."""
    if observed is None or (not isinstance(observed, str) and pd.isna(observed)):
        return ""
    text = UNEXPECTED.sub(lambda m: f"{int(m[1]):,} of {int(m[2]):,} rows do not meet it", str(observed))
    return text.replace(" null, not", " empty, not")


def plain_check_results(checks: pd.DataFrame) -> pd.DataFrame:
    """latest_check_results() for people: status, the table in words, what is checked and what was found."""
    return pd.DataFrame(
        {
            "status": checks["status"].map(STATUS_WORDS),
            "table": [plain_table(t) for t in checks["table_name"]],
            "check": [
                describe_expectation(e, c, d)
                for e, c, d in zip(checks["expectation"], checks["column_name"], checks["details"], strict=True)
            ],
            "found": [plain_observed(o) for o in checks["observed"]],
        }
    )


def run_check_tally() -> CheckTally | None:
    """The checks of the run that published this copy (meta.run_checks), counted as the CLI counts them; None
    when the publication has no such table (published before the count existed)."""
    if not warehouse.table_exists("meta", "run_checks"):
        return None
    rows = warehouse.query("SELECT kind, passed, warning_only, expectations FROM meta.run_checks")
    return tally(
        CheckRecord(kind=k, passed=bool(p), warning_only=bool(w), expectations=int(e or 0))
        for k, p, w, e in zip(rows["kind"], rows["passed"], rows["warning_only"], rows["expectations"], strict=True)
    )


def failed_run_checks() -> pd.DataFrame:
    """The run's checks that did not pass, with what they checked in words."""
    failed = warehouse.query(
        "SELECT kind, asset, check_name, warning_only FROM meta.run_checks WHERE NOT passed "
        "ORDER BY warning_only, asset"
    )
    return pd.DataFrame(
        {
            "what": [CHECK_KINDS.get(k, OTHER_KIND)[0] for k in failed["kind"]],
            "table": [plain_table(a.replace("/", ".")) for a in failed["asset"]],
            "check": [plain_name(c) for c in failed["check_name"]],
            "outcome": ["warning" if w else "failed" for w in failed["warning_only"]],
        }
    )
