"""What "the checks of a run" counts, in words: one definition for `empathy-lake run` and the Data quality page.

A check is one Dagster asset check evaluated in the run: every dbt data test, every data-quality suite (a Great
Expectations suite of several expectations, one check), every loader's row reconciliation and every source's
freshness check. The pipeline records them in meta.run_checks (dagster_project/run_checks.py) with one of the kinds
below; the CLI prints and the page shows the same sentence from the same counts. Imports neither Streamlit nor
Dagster, so both sides can read it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from streamlit_app.formatting import listed

# kind -> (one, several), in the order the sentence lists them.
CHECK_KINDS = {
    "dbt_test": ("dbt data test", "dbt data tests"),
    "suite": ("data-quality suite", "data-quality suites"),
    "conservation": ("row reconciliation of a loader", "row reconciliations of the loaders"),
    "freshness": ("source freshness check", "source freshness checks"),
    "other": ("other check", "other checks"),  # e.g. the alert log's: every open alert has an owner and a reason
}
OTHER_KIND = CHECK_KINDS["other"]


@dataclass(frozen=True)
class CheckRecord:
    """One evaluated check: its kind (a CHECK_KINDS key), whether it passed, whether a failure only warns, and
    how many expectations it holds (data-quality suites; 0 otherwise)."""

    kind: str
    passed: bool
    warning_only: bool = False
    expectations: int = 0


@dataclass(frozen=True)
class CheckTally:
    by_kind: dict[str, int] = field(default_factory=dict)
    passed: int = 0
    failed: int = 0  # failures that stop publishing
    warnings: int = 0  # failures that only warn (a stale source)
    expectations: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.warnings


def tally(records: Iterable[CheckRecord]) -> CheckTally:
    by_kind: dict[str, int] = {}
    passed = failed = warnings = expectations = 0
    for record in records:
        by_kind[record.kind] = by_kind.get(record.kind, 0) + 1
        expectations += record.expectations
        if record.passed:
            passed += 1
        elif record.warning_only:
            warnings += 1
        else:
            failed += 1
    return CheckTally(by_kind, passed, failed, warnings, expectations)


def _count(n: int, words: tuple[str, str]) -> str:
    return f"{n:,} {words[0] if n == 1 else words[1]}"


def describe_kinds(result: CheckTally) -> str:
    """ "478 checks: 430 dbt data tests, 44 data-quality suites (235 expectations), ..." """
    if not result.total:
        return "no checks"
    parts = []
    for kind in [*CHECK_KINDS, *sorted(k for k in result.by_kind if k not in CHECK_KINDS)]:
        n = result.by_kind.get(kind, 0)
        if not n:
            continue
        part = _count(n, CHECK_KINDS.get(kind, OTHER_KIND))
        if kind == "suite" and result.expectations:
            part += f" ({_count(result.expectations, ('expectation', 'expectations'))})"
        parts.append(part)
    return f"{_count(result.total, ('check', 'checks'))}: {listed(parts)}"


def describe_outcome(result: CheckTally) -> str:
    """ "476 passed, 1 failed, 1 warning" (only the parts that are not zero, passed always)."""
    parts = [f"{result.passed:,} passed"]
    if result.failed:
        parts.append(f"{result.failed:,} failed")
    if result.warnings:
        parts.append(_count(result.warnings, ("warning", "warnings")))
    return ", ".join(parts)


def describe(result: CheckTally) -> str:
    """The whole sentence: what was checked, then how it came out."""
    return f"{describe_kinds(result)}; {describe_outcome(result)}" if result.total else "no checks ran"
