"""The hand-written baseline on a landing folder, and a mart-by-mart comparison with a product build's marts.

    uv run python -m bench.baseline LANDING                       # run it, print seconds per part
    uv run python -m bench.baseline LANDING --compare SERVING.duckdb   # and compare with the product's marts
    uv run python -m bench.baseline LANDING --compare SERVING.duckdb --pii-key KEY   # the run's PII key

One process runs bench/baseline.sql (DuckDB), the survey cell suppression (bench/baseline_python.py, scipy),
bench/baseline_after.sql and the Python estimates. It reads the landing files and nothing else of the product (no
dbt, no Dagster, no imports from dagster_project), so its time is what a hand-written script costs on the same
data. `compare` lists every mart the product publishes: equal, different (and why), or not computed by the
baseline.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

BENCH = Path(__file__).resolve().parent
SCRIPT = BENCH / "baseline.sql"
# After the Python part (bench/baseline_python.py): the marts that read what it computed.
SCRIPT_AFTER = BENCH / "baseline_after.sql"
SEEDS = BENCH.parent / "dbt_project" / "seeds"
# Floats may differ in their last bits: DuckDB sums doubles in parallel in whatever order (as
# tests/lake_helpers.assert_same_marts allows between two product builds).
RTOL = 1e-9
# The public demo PII key (README, "Personal data"): a run without EMPATHY_LAKE_PII_KEY pseudonymises with it.
DEMO_PII_KEY = "empathy-lake-demo-key-change-me"


def pseudonym_salt(pii_key: str = DEMO_PII_KEY) -> str:
    """The secret the product's published pseudonyms are keyed with, derived from the PII key the way the
    product's text step derives it (read, not imported): sha256 of "<key>|published-pseudonyms". A pseudonym is
    a prefix and the first 16 hex digits of sha256("<salt>|<id>")."""
    return hashlib.sha256(f"{pii_key}|published-pseudonyms".encode()).hexdigest()


def baseline_sql(landing: Path, pii_key: str = DEMO_PII_KEY, script: Path = SCRIPT) -> str:
    """A script with its folders and the pseudonym salt filled in (quoted for SQL string literals)."""
    quote = lambda p: str(p.resolve()).replace("'", "''")  # noqa: E731
    return (
        script.read_text()
        .replace("{landing}", quote(landing))
        .replace("{seeds}", quote(SEEDS))
        .replace("{salt}", pseudonym_salt(pii_key))
    )


def run_baseline(
    landing: Path, database: Path | str = ":memory:", pii_key: str = DEMO_PII_KEY, parts: dict | None = None
) -> duckdb.DuckDBPyConnection:
    """Run bench/baseline.sql, the survey cells (bench/baseline_python.py), bench/baseline_after.sql and the
    estimates (bench/baseline_python.py) on `landing`; the open connection holds schema `marts`. `parts`, if
    given, receives each part's (wall, CPU) seconds."""
    from bench.baseline_python import add_estimates, add_survey_cells

    con = duckdb.connect(str(database))
    steps = {
        "baseline.sql": lambda: con.execute(baseline_sql(landing, pii_key)),
        "survey cells (Python)": lambda: add_survey_cells(con),
        "baseline_after.sql": lambda: con.execute(baseline_sql(landing, pii_key, SCRIPT_AFTER)),
        "estimates (Python)": lambda: add_estimates(con),
    }
    for name, step in steps.items():
        wall, cpu = time.perf_counter(), time.process_time()
        step()
        if parts is not None:
            parts[name] = (time.perf_counter() - wall, time.process_time() - cpu)
    return con


def mart_names(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
    ).fetchall()
    return [r[0] for r in rows]


@dataclass(frozen=True)
class MartComparison:
    mart: str
    status: str  # "equal", "different", "not in the baseline", "not published by the product"
    detail: str = ""


def frame_difference(got: pd.DataFrame, want: pd.DataFrame) -> str:
    """Why two sorted frames of one mart differ, in words ("" when equal): columns, row count, then the first
    column whose values differ (floats to a relative 1e-9)."""
    if list(got.columns) != list(want.columns):
        missing = [c for c in want.columns if c not in got.columns]
        extra = [c for c in got.columns if c not in want.columns]
        return f"columns differ: baseline lacks {missing}, has extra {extra}"
    if len(got) != len(want):
        return f"{len(got)} rows in the baseline, {len(want)} in the product"
    for column in want.columns:
        ours, theirs = got[column].reset_index(drop=True), want[column].reset_index(drop=True)
        both_missing = ours.isna() & theirs.isna()
        if pd.api.types.is_numeric_dtype(ours) and pd.api.types.is_numeric_dtype(theirs):
            a, b = ours.astype(float), theirs.astype(float)
            same = both_missing | ((a - b).abs() <= RTOL * b.abs().clip(lower=1e-300))
        else:
            same = both_missing | (ours.astype(object) == theirs.astype(object))
        if not same.all():
            first = int((~same).idxmax())
            return (
                f"column {column}: {int((~same).sum())} of {len(want)} rows differ "
                f"(first: baseline {ours[first]}, product {theirs[first]})"
            )
    return ""


def compare(baseline: duckdb.DuckDBPyConnection, serving_db: Path) -> list[MartComparison]:
    """Every mart of the product's serving copy against the baseline's table of the same name: rows sorted by
    every column (in the product's column order), values compared column by column."""
    ours = set(mart_names(baseline))
    results = []
    with duckdb.connect(str(serving_db), read_only=True) as serving:
        published = mart_names(serving)
        for mart in published:
            if mart not in ours:
                results.append(MartComparison(mart, "not in the baseline"))
                continue
            want = serving.execute(f'select * from marts."{mart}" order by all').df()
            wanted_columns = [c for c in want.columns]
            have = {r[0] for r in baseline.execute(f'describe marts."{mart}"').fetchall()}
            if not set(wanted_columns) <= have:
                got = baseline.execute(f'select * from marts."{mart}" order by all').df()
            else:
                cols = ", ".join(f'"{c}"' for c in wanted_columns)
                got = baseline.execute(f'select {cols} from marts."{mart}" order by all').df()
            detail = frame_difference(got, want)
            results.append(MartComparison(mart, "different" if detail else "equal", detail))
    results += [MartComparison(m, "not published by the product") for m in sorted(ours - set(published))]
    return results


def comparison_report(results: list[MartComparison]) -> str:
    counts = {s: sum(r.status == s for r in results) for s in dict.fromkeys(r.status for r in results)}
    lines = [f"  {r.mart:45} {r.status}{': ' + r.detail if r.detail else ''}" for r in results]
    lines.append("  " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("landing", type=Path)
    parser.add_argument("--compare", type=Path, metavar="SERVING_DB", help="a product serving copy to compare with")
    parser.add_argument("--database", default=":memory:", help="where the baseline writes (default: in memory)")
    parser.add_argument(
        "--pii-key", default=DEMO_PII_KEY, help="the product run's EMPATHY_LAKE_PII_KEY (default: the demo key)"
    )
    args = parser.parse_args(argv)
    started, parts = time.perf_counter(), {}
    con = run_baseline(args.landing, args.database, args.pii_key, parts)
    print(f"baseline: {len(mart_names(con))} marts in {time.perf_counter() - started:.2f} s", flush=True)
    for name, (wall, cpu) in parts.items():
        print(f"  {name:25} wall {wall:6.2f} s  CPU {cpu:6.2f} s", flush=True)
    if args.compare:
        results = compare(con, args.compare)
        print(comparison_report(results))
        return 0 if all(r.status in {"equal", "not in the baseline"} for r in results) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
