"""The comparison the engines' equality rests on (dagster_project/spark/equality.py), seen failing on planted
differences. The six Python models themselves run on Spark inside the pipeline's spark run and are compared with
DuckDB relation by relation in tests/test_engines_equal.py (which also plants a difference in one of them); the
separate per-model Spark harness this module had was folded into that run to keep the suite within its budget."""

from __future__ import annotations

import pandas as pd

from dagster_project.spark.equality import differences


def test_differences_in_words():
    """Keys exactly, floats to 1e-9, NULL only equal to NULL, lists element by element, row order ignored."""
    left = pd.DataFrame({"k": ["a", "b"], "x": [1.0, 2.0], "l": [["p", "q"], None]})
    assert differences(left, left.iloc[::-1]) == []
    assert differences(left, left.assign(x=[1.0 + 1e-12, 2.0])) == []
    (found,) = differences(left, left.assign(x=[1.0 + 1e-6, 2.0]))
    assert found.endswith("x: duckdb 1.0, spark 1.000001"), found
    assert differences(left, left.assign(x=[None, 2.0]))
    assert differences(left, left.assign(k=["a", "c"]))
    assert differences(left, left.assign(l=[["p"], None]))
    assert differences(left, left.iloc[:1]) == ["2 rows in duckdb, 1 in spark"]


def test_a_run_stops_the_spark_sessions_it_started(monkeypatch):
    """stop_sessions stops every session the process keeps and forgets them (a process that goes on after its run,
    `empathy-lake demo` serving the dashboard, then holds no JVM; cli.run_pipeline calls it on the spark engine)."""
    from dagster_project.spark import session as sessions

    class Started:
        stopped = False

        def stop(self):
            self.stopped = True

    started = [Started(), Started()]
    monkeypatch.setattr(sessions, "_SESSIONS", {("a",): started[0], ("b",): started[1]})
    sessions.stop_sessions()
    assert all(s.stopped for s in started) and sessions._SESSIONS == {}
