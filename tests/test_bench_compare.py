"""bench/compare_marts.py: the before/after check that a speed change changed no published mart."""

from __future__ import annotations

from pathlib import Path

import duckdb

from bench.compare_marts import main


def _warehouse(path: Path, nps: float, extra_row: bool = False) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE TABLE marts.kpi (month DATE, region VARCHAR, nps DOUBLE)")
        con.execute("INSERT INTO marts.kpi VALUES ('2025-01-01', 'North', ?), ('2025-01-01', 'South', 12.5)", [nps])
        if extra_row:
            con.execute("INSERT INTO marts.kpi VALUES ('2025-02-01', 'North', 1.0)")
    return path


def test_equal_marts_pass_and_float_noise_is_tolerated(tmp_path, capsys):
    before = _warehouse(tmp_path / "before.duckdb", 1 / 3)
    after = _warehouse(tmp_path / "after.duckdb", 1 / 3 + 1e-15)  # a parallel sum's last bits
    assert main([str(before), str(after)]) == 0
    assert "1 marts compared: EQUAL" in capsys.readouterr().out


def test_a_changed_value_or_row_is_reported(tmp_path, capsys):
    before = _warehouse(tmp_path / "before.duckdb", 1 / 3)
    assert main([str(before), str(_warehouse(tmp_path / "value.duckdb", 0.34))]) == 1
    assert main([str(before), str(_warehouse(tmp_path / "row.duckdb", 1 / 3, extra_row=True))]) == 1
    assert capsys.readouterr().out.count("DIFFERENT") == 2
