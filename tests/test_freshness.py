"""The non-blocking `freshness` check on every raw entity: the newest landing file is recent enough."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.contract import load_contract
from tests.lake_helpers import BuiltLake, lake_env

THREE_DAYS = 3 * 24 * 3600
CUSTOMERS = "customer_id,segment,signup_date\nC1,SMB,2024-01-01\nC2,Consumer,2024-03-02\n"


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _materialize(entity_name: str) -> dg.AssetCheckEvaluation:
    """The entity's loader, which evaluates its freshness check in its own step, for real, on the lake the
    environment points at."""
    from dagster_project.assets.raw import build_raw_asset
    from dagster_project.resources import LakeResource

    entity = load_contract().entity(entity_name)
    result = dg.materialize(
        [build_raw_asset(entity)], resources={"lake": LakeResource()}, instance=dg.DagsterInstance.ephemeral()
    )
    assert result.success  # a failed freshness check never fails the run
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert set(evaluations) == {"conservation", "freshness"}  # both evaluated by the loader's step
    evaluation = evaluations["freshness"]
    assert evaluation.check_name == "freshness"
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    return evaluation


@pytest.fixture
def lake(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith("EMPATHY_LAKE_FRESHNESS_HOURS"):
            monkeypatch.delenv(name)
    with lake_env(tmp_path / "lake") as settings:
        (settings.landing_dir / "customers").mkdir(parents=True)
        yield settings


def test_fresh_files_pass_with_their_metadata(lake):
    (lake.landing_dir / "customers" / "customers_old.csv").write_text(CUSTOMERS, encoding="utf-8")
    _age(lake.landing_dir / "customers" / "customers_old.csv", THREE_DAYS)
    (lake.landing_dir / "customers" / "customers_new.csv").write_text(CUSTOMERS, encoding="utf-8")
    evaluation = _materialize("customers")
    assert evaluation.passed
    meta = {k: v.value for k, v in evaluation.metadata.items()}
    assert meta["newest_file"] == "customers/customers_new.csv"
    assert meta["newest_file_age_hours"] < 1
    assert meta["max_age_hours"] == 36
    assert meta["files"] == 2
    assert meta["newest_data_timestamp"] == "2024-03-02 (signup_date)"


def test_stale_files_warn(lake):
    path = lake.landing_dir / "customers" / "customers.csv"
    path.write_text(CUSTOMERS, encoding="utf-8")
    _age(path, THREE_DAYS)
    evaluation = _materialize("customers")
    assert not evaluation.passed
    assert 71 < evaluation.metadata["newest_file_age_hours"].value < 73
    assert "stale" in evaluation.description


def test_partial_uploads_do_not_count_as_fresh(lake):
    path = lake.landing_dir / "customers" / "customers.csv"
    path.write_text(CUSTOMERS, encoding="utf-8")
    _age(path, THREE_DAYS)
    (lake.landing_dir / "customers" / "customers_today.csv.part").write_text(CUSTOMERS, encoding="utf-8")
    assert not _materialize("customers").passed


def test_an_entity_never_fed_passes_but_one_whose_files_vanished_warns(lake):
    never_fed = _materialize("mentions")
    assert never_fed.passed and "entity not fed" in never_fed.description

    path = lake.landing_dir / "customers" / "customers.csv"
    path.write_text(CUSTOMERS, encoding="utf-8")
    assert _materialize("customers").passed
    path.unlink()
    vanished = _materialize("customers")
    assert not vanished.passed and "1 loaded earlier" in vanished.description


def test_max_age_precedence(monkeypatch):
    from dagster_project.checks import freshness_max_age_hours

    contract = load_contract()
    customers, questions = contract.entity("customers"), contract.entity("survey_questions")
    for name in list(os.environ):
        if name.startswith("EMPATHY_LAKE_FRESHNESS_HOURS"):
            monkeypatch.delenv(name)
    assert freshness_max_age_hours(customers) == 36
    assert freshness_max_age_hours(questions) == 8760  # contract `freshness_hours`
    monkeypatch.setenv("EMPATHY_LAKE_FRESHNESS_HOURS", "48")
    assert freshness_max_age_hours(customers) == 48
    assert freshness_max_age_hours(questions) == 8760  # the contract's own value beats the global default
    monkeypatch.setenv("EMPATHY_LAKE_FRESHNESS_HOURS_SURVEY_QUESTIONS", "12")
    assert freshness_max_age_hours(questions) == 12


def test_stale_source_warns_and_the_run_still_publishes(rerun_lake: BuiltLake):
    """The session's re-run lake has three-day-old customers' files (tests/conftest.py rerun_lake)."""
    from dagster_project.run_history import open_instance

    assert rerun_lake.success
    with lake_env(rerun_lake.home) as settings:
        with duckdb.connect(str(settings.serving_db), read_only=True) as con:
            published_run = con.execute("SELECT run_id FROM meta.publication").fetchone()[0]
        os.environ["DAGSTER_HOME"] = str(rerun_lake.home / "dagster_home")
        instance = open_instance(settings)
        run = instance.get_run_by_id(published_run)
        assert run.tags["empathy_lake/trigger"] == "cli"  # the re-run published
        events = instance.all_logs(published_run, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    freshness = {
        e.dagster_event.event_specific_data.asset_key.to_user_string(): e.dagster_event.event_specific_data
        for e in events
        if e.dagster_event.event_specific_data.check_name == "freshness"
    }
    assert len(freshness) == len(load_contract().entities)
    stale = freshness.pop("crm/customers")
    assert not stale.passed and stale.severity == dg.AssetCheckSeverity.WARN
    assert all(e.passed for e in freshness.values()), [k for k, e in freshness.items() if not e.passed]
