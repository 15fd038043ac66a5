"""bench/engines.py's arithmetic: each engine's line through (million tickets, seconds) and where two lines cross."""

from __future__ import annotations

import pytest

from bench.engines import crossover, fit_line


def test_a_line_through_the_scales_and_none_from_one_scale():
    fixed, marginal = fit_line([(0.02, 60.0), (1.0, 100.0), (10.0, 460.0)])
    assert marginal == pytest.approx(40.0, rel=0.02) and fixed == pytest.approx(60.0, abs=3.0)
    assert fit_line([(1.0, 10.0), (1.0, 12.0)]) is None


def test_the_crossover_ahead_of_zero_and_which_engine_wins_beyond_it():
    assert crossover({"duckdb": (60.0, 40.0), "spark": (700.0, 20.0)}).startswith(
        "the lines cross at 32.0 million tickets; beyond it Spark is faster"
    )
    said = crossover({"duckdb": (60.0, 40.0), "spark": (700.0, 55.0)})  # dearer fixed and per million: never
    assert said.startswith("no crossover on this machine: DuckDB is faster at every size") and "55.0 s per" in said
    # Spark cheaper at first, dearer per million: DuckDB overtakes it.
    assert crossover({"duckdb": (100.0, 40.0), "spark": (20.0, 60.0)}).startswith(
        "the lines cross at 4.0 million tickets; beyond it DuckDB is faster"
    )
    assert "Spark is faster at every size" in crossover({"duckdb": (100.0, 40.0), "spark": (20.0, 30.0)})
    assert crossover({"duckdb": (1.0, 5.0), "spark": (2.0, 5.0)}).startswith("no crossover: parallel lines")
