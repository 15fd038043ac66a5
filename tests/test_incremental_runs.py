"""Daily drops: a run loads only the new day's files, and after the drop the marts equal one full build of the
same records (the session lake is built from the very extract replayed here). One held-back day, not two: the
second daily run took the same incremental path as the first and cost the suite ~200 s of a worker (D775)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from tests.conftest import SESSION_SCALE, SESSION_SEED
from tests.lake_helpers import BuiltLake, assert_same_marts, lake_env


def _last_run_files(build_db) -> dict[str, int]:
    with duckdb.connect(str(build_db), read_only=True) as con:
        return dict(
            con.execute(
                "SELECT status, count(*) FROM meta.load_report "
                "WHERE load_id = (SELECT load_id FROM meta.load_report ORDER BY loaded_at DESC LIMIT 1) GROUP BY 1"
            ).fetchall()
        )


def test_daily_drops_run_incrementally_and_end_equal_to_a_full_build(request: pytest.FixtureRequest, tmp_path):
    from dagster_project.cli import run_pipeline
    from dagster_project.sample_data import generate
    from dagster_project.sample_data.daily_drops import deliver_next_day, hold_back

    home = tmp_path / "lake"
    with lake_env(home) as settings:
        generate(settings.landing_dir, scale=SESSION_SCALE, seed=SESSION_SEED, progress=False)
        shutil.rmtree(settings.landing_dir / "_truth")
        days = hold_back(settings.landing_dir, settings.incoming_dir, 1)
        assert len(days) == 1
        assert run_pipeline()
        for day in days:
            delivery = deliver_next_day(settings.incoming_dir, settings.landing_dir)
            assert delivery is not None and delivery.day == day
            assert run_pipeline()
            # Only the day's files were read; every other file was recognised as already loaded.
            assert _last_run_files(settings.build_db) == {"loaded": len(delivery.files)}
        # The session lake only now (not as an argument): this test's two runs need not wait for its build.
        built_lake: BuiltLake = request.getfixturevalue("built_lake")
        compared = assert_same_marts(settings.serving_db, built_lake.settings.serving_db)
    assert compared > 30
