"""bench/drop_changes.py: which published marts and months one run (a day's drop) changed."""

from __future__ import annotations

from pathlib import Path

import duckdb

from bench.drop_changes import changes

# Two old months and the newest; the value of March 2025 ends in a rounding boundary's neighbourhood.
ROWS = [("2025-01-01", "North", 1 / 3), ("2025-02-01", "North", 0.1234567895), ("2025-03-01", "North", 7.0)]


def _serving(path: Path, rows: list[tuple[str, str, float]], settings: int = 5) -> str:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.kpi_monthly (month DATE, region VARCHAR, nps DOUBLE)")
        con.executemany("INSERT INTO marts.kpi_monthly VALUES (?, ?, ?)", rows)
        con.execute("CREATE TABLE marts.settings AS SELECT ? AS min_respondents", [settings])
    return str(path)


def test_summation_noise_in_old_months_is_not_a_change(tmp_path):
    before = _serving(tmp_path / "before.duckdb", ROWS)
    # The last bits of old months' sums move when DuckDB sums in another order, across a rounding boundary too.
    noisy = [("2025-01-01", "North", 1 / 3 + 1e-16), ("2025-02-01", "North", 0.1234567895 - 2e-17), ROWS[2]]
    after = _serving(tmp_path / "after.duckdb", noisy)
    assert changes(before, after) == ["unchanged: 2 of 2 tables"]


def test_a_changed_old_month_and_a_changed_snapshot_are_named(tmp_path):
    before = _serving(tmp_path / "before.duckdb", ROWS)
    later = [ROWS[0], ("2025-02-01", "North", 0.2), ROWS[2], ("2025-04-01", "North", 1.0)]
    after = _serving(tmp_path / "after.duckdb", later, settings=3)
    assert changes(before, after) == [
        "kpi_monthly: 3 rows differ to nine digits (old and new counted) of 4; 2 month(s): 2025-02-01, 2025-04-01",
        "settings: 2 rows differ to nine digits (old and new counted) of 1",
        "unchanged: 0 of 2 tables",
    ]
