"""bench/engines.py's arithmetic: each engine's line through (million tickets, seconds) and where two lines cross."""

from __future__ import annotations

import pytest

from bench.engines import crossover, fit_line


def test_a_line_through_the_scales_and_none_from_one_scale():
    fixed, marginal = fit_line([(0.02, 60.0), (1.0, 100.0), (10.0, 460.0)])
    assert marginal == pytest.approx(40.0, rel=0.02) and fixed == pytest.approx(60.0, abs=3.0)
    assert fit_line([(1.0, 10.0), (1.0, 12.0)]) is None


def test_the_crossover_only_when_spark_grows_slower():
    assert crossover({"duckdb": (60.0, 40.0), "spark": (700.0, 20.0)}) == "the lines cross at 32.0 million tickets"
    said = crossover({"duckdb": (60.0, 40.0), "spark": (700.0, 55.0)})
    assert said.startswith("no crossover on this machine") and "55.0 s per million" in said
