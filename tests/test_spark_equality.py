"""The comparison the engines' equality rests on (dagster_project/spark/equality.py), seen failing on planted
differences. The six Python models themselves run on Spark inside the pipeline's spark run and are compared with
DuckDB relation by relation in tests/test_engines_equal.py (which also plants a difference in one of them); the
separate per-model Spark harness this module had was folded into that run to keep the suite within its budget."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from dagster_project.settings import get_settings
from dagster_project.spark.equality import differences
from dagster_project.spark.raw_export import CATALOG_MADE_IN, drop_catalog_made_elsewhere


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


def _spark_lake(home: Path, *, made_in: Path | None) -> None:
    """A lake's spark folder as a build leaves it: catalog, tables, the raw export, and the note of its folder."""
    for folder in ("metastore/seg0", "warehouse/marts.db/t", "raw/raw_crm/orders"):
        (home / "spark" / folder).mkdir(parents=True)
        (home / "spark" / folder / "part-0").write_text("x")
    if made_in is not None:
        (home / "spark" / CATALOG_MADE_IN).write_text(str(made_in / "spark"))


def test_a_copied_lake_drops_the_catalog_that_points_at_the_original(tmp_path: Path, monkeypatch):
    """Spark's catalog records absolute folders: a copy of a lake rebuilt over it wrote into the original's tables
    (seen with two local Spark sessions, docs/spark.md). A build in the copy removes the copied catalog and tables;
    a build in the lake that made them keeps them; a catalog without the note (older lakes) is removed once; a lake
    whose spark folder is a symlink, moved, counts as moved (Spark is given the path, not where it points)."""
    original, copy, older = tmp_path / "original", tmp_path / "copy", tmp_path / "older"
    _spark_lake(original, made_in=original)
    shutil.copytree(original, copy)
    _spark_lake(older, made_in=None)

    def build_in(home: Path) -> str | None:
        monkeypatch.setenv("EMPATHY_LAKE_HOME", str(home))
        return drop_catalog_made_elsewhere(get_settings())

    assert build_in(original) is None  # made here: the next build keeps it
    assert (original / "spark" / "warehouse" / "marts.db" / "t" / "part-0").exists()
    assert "another folder (a copied or moved lake): removed" in build_in(copy)
    assert not (copy / "spark" / "metastore").exists() and not (copy / "spark" / "warehouse").exists()
    assert (copy / "spark" / "raw" / "raw_crm" / "orders" / "part-0").exists()  # the export replaces it anyway
    assert (copy / "spark" / CATALOG_MADE_IN).read_text() == str(copy / "spark")
    assert build_in(copy) is None  # from now on the copy's own
    assert (original / "spark" / "metastore" / "seg0" / "part-0").exists()  # the original untouched
    assert "no record of the folder it was made in" in build_in(older) and build_in(older) is None
    assert build_in(tmp_path / "new") is None  # a first build has nothing to remove

    # A spark folder kept on another disk through a symlink: the lake moved, the target did not.
    data, linked = tmp_path / "disk" / "spark", tmp_path / "linked"
    _spark_lake(tmp_path / "disk_lake", made_in=linked)
    data.parent.mkdir()
    (tmp_path / "disk_lake" / "spark").rename(data)
    linked.mkdir()
    (linked / "spark").symlink_to(data)
    assert build_in(linked) is None
    moved = tmp_path / "moved"
    linked.rename(moved)
    assert "a copied or moved lake" in build_in(moved)
