"""The walking skeleton end to end: generated extracts -> DuckDB -> dbt -> checks -> published copy."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import duckdb
import pytest

from dagster_project.contract import load_contract
from dagster_project.run_inputs import record_path
from tests.lake_helpers import BuiltLake, clone_lake, lake_env, publication_run_id, run_lake


def _count_records(path: Path) -> int:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.reader(fh)) - 1


def test_definitions_load_as_one_graph(dbt_manifest):
    from dagster_project.assets.dbt import dbt_models
    from dagster_project.assets.raw import raw_assets
    from dagster_project.definitions import defs

    job = defs.resolve_job_def("empathy_lake")
    assert job is not None
    raw_keys = {a.key for a in raw_assets}
    assert len(raw_keys) == len(load_contract().entities)
    # Every staging model reads a loader's asset: dbt sources and loaders share keys.
    upstream_of_dbt = {dep for deps in dbt_models.asset_deps.values() for dep in deps}
    assert raw_keys <= upstream_of_dbt
    graph_keys = {spec.key for spec in defs.resolve_all_asset_specs()}
    assert {"marts/customer_nps_monthly", "marts/customer_csat_monthly", "serving/warehouse"} <= {
        k.to_user_string() for k in graph_keys
    }


def test_full_run_publishes_serving_copy(built_lake: BuiltLake):
    assert built_lake.success
    tables = {
        f"{s}.{t}"
        for s, t in built_lake.query("SELECT table_schema, table_name FROM information_schema.tables", serving=True)
    }
    assert {
        "marts.customer_nps_monthly",
        "marts.customer_csat_monthly",
        "meta.publication",
        "meta.load_report",
        "meta.quarantine",
        "meta.check_results",
    } <= tables
    # Raw and staging data (raw survey answers among them) stay in the build warehouse.
    assert not any(t.startswith(("raw_", "staging.")) for t in tables)
    assert built_lake.query("SELECT count(*) FROM marts.customer_nps_monthly", serving=True)[0][0] > 0


def test_published_columns_have_one_type_whatever_the_data(built_lake: BuiltLake, real_data_lake: BuiltLake):
    """DuckDB sums integers into HUGEINT (128 bits): pandas then reads a count as a float (12.0), and the spark
    engine publishes the same column as BIGINT (D774). A column that is NULL in every row of a run (a survey wave
    with no suppressed cell) must not be published with DuckDB's type "NULL" either."""
    for lake in (built_lake, real_data_lake):
        odd = lake.query(
            "SELECT table_name || '.' || column_name || ' ' || data_type FROM information_schema.columns "
            "WHERE table_schema = 'marts' AND data_type IN ('HUGEINT', 'UHUGEINT', 'NULL', '\"NULL\"') ORDER BY 1",
            serving=True,
        )
        assert odd == [], f"{len(odd)} published columns of a 128-bit or no type: {odd[:20]}"


def test_rows_read_equal_loaded_plus_quarantined(built_lake: BuiltLake):
    landing = built_lake.settings.landing_dir
    for entity in load_contract().entities.values():
        files = sorted((landing / entity.name).glob("*.csv"))
        assert files, f"the generator wrote no {entity.name} files"
        independent = sum(_count_records(f) for f in files)
        read, loaded, quarantined = built_lake.query(
            "SELECT sum(rows_read), sum(rows_loaded), sum(rows_quarantined) FROM meta.ingestion_ledger "
            "WHERE entity = ?",
            [entity.name],
        )[0]
        stored = built_lake.query(f"SELECT count(*) FROM {entity.raw_table}")[0][0]
        assert read == independent, entity.name
        assert read == loaded + quarantined, entity.name
        assert stored == loaded, entity.name


def test_rerun_adds_nothing_and_changed_file_replaces_its_rows(built_lake: BuiltLake, rerun_lake: BuiltLake, tmp_path):
    # The re-run with nothing new is the session's shared one (tests/conftest.py rerun_lake: the session lake
    # cloned and run again through the CLI), so this test pays for one run, not two.
    before = _table_counts(built_lake.settings.build_db)
    assert rerun_lake.success
    assert _table_counts(rerun_lake.settings.build_db) == before

    home = clone_lake(rerun_lake, tmp_path / "lake")
    with lake_env(home) as settings:
        # A corrected re-delivery of one file: same name, one row fewer -> its rows are replaced.
        target = sorted((settings.landing_dir / "tickets").glob("*.csv"))[0]
        lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
        target.write_text("".join(lines[:-1]), encoding="utf-8")
        # Loading only: raw tables, quarantine and ledger, all asserted below, are written by the loaders alone.
        assert run_lake(home, stage="load")
        after = _table_counts(settings.build_db)
    assert after["raw_crm.tickets"] == before["raw_crm.tickets"] - 1
    assert {k: v for k, v in after.items() if k != "raw_crm.tickets"} == {
        k: v for k, v in before.items() if k != "raw_crm.tickets"
    }


def _table_counts(build_db: Path) -> dict[str, int]:
    with duckdb.connect(str(build_db), read_only=True) as con:
        counts = {
            e.raw_table: con.execute(f"SELECT count(*) FROM {e.raw_table}").fetchone()[0]
            for e in load_contract().entities.values()
        }
        counts["meta.quarantine"] = con.execute("SELECT count(*) FROM meta.quarantine").fetchone()[0]
        counts["meta.ingestion_ledger"] = con.execute("SELECT count(*) FROM meta.ingestion_ledger").fetchone()[0]
    return counts


BROKEN_RESPONSES = """response_id,customer_id,ticket_id,survey_type,score,comment,touchpoint,location,responded_at
BAD-1,,,NPS,9,fine,web,,2024-03-01 10:00:00
BAD-2,,,NPS,11,too high,web,,2024-03-01 10:00:00
BAD-3,,,CSAT,4,,web,,not-a-time
BAD-4,,,XYZ,4,,web,,2024-03-01 10:00:00
BAD-5,,,NPS,3
BAD-1,,,NPS,2,duplicate key,web,,2024-03-02 10:00:00
BAD-6,,,CES,7,easy,web,,2024-03-03 10:00:00
"""


def test_broken_rows_are_quarantined_with_reasons(built_lake: BuiltLake, tmp_path):
    home = clone_lake(built_lake, tmp_path / "lake")
    with lake_env(home) as settings:
        (settings.landing_dir / "customer_responses" / "broken_drop.csv").write_text(BROKEN_RESPONSES)
        # Loading only (D140, D145): the quarantine, raw rows and ledger asserted below are written by the loaders,
        # and the load stage runs every check on the loaded data (conservation, dbt source tests, raw GX suites).
        # A whole run with quarantined rows: the session real-data lake (342 unanswered NPS rows; test_real_data_marts).
        assert run_lake(home, stage="load"), "bad rows are quarantined; they do not fail the load or its checks"
        with duckdb.connect(str(settings.build_db), read_only=True) as con:
            quarantined = con.execute(
                "SELECT source_row, column_name, reason FROM meta.quarantine "
                "WHERE source_file = 'customer_responses/broken_drop.csv' ORDER BY source_row"
            ).fetchall()
            loaded = con.execute(
                "SELECT response_id FROM raw_survey.customer_responses "
                "WHERE _source_file = 'customer_responses/broken_drop.csv' ORDER BY 1"
            ).fetchall()
            ledger = con.execute(
                "SELECT rows_read, rows_loaded, rows_quarantined FROM meta.ingestion_ledger "
                "WHERE source_file = 'customer_responses/broken_drop.csv'"
            ).fetchone()
    assert loaded == [("BAD-1",), ("BAD-6",)]
    assert [(row, col) for row, col, _ in quarantined] == [
        (3, "score"),
        (4, "responded_at"),
        (5, "survey_type"),
        (6, "comment"),  # a short record is named by the first field it lacks
        (7, "response_id"),
    ]
    assert "NPS score must be a whole number 0..10" in quarantined[0][2]
    assert quarantined[3][2] == "too few fields"
    assert "not a valid timestamp" in quarantined[1][2] and "not-a-time" not in quarantined[1][2]
    assert ledger == (7, 2, 5)


def test_missing_required_column_fails_naming_file_and_column(built_lake: BuiltLake, tmp_path, capsys):
    home = clone_lake(built_lake, tmp_path / "lake")
    with lake_env(home) as settings:
        published_before = publication_run_id(settings.serving_db)
        (settings.landing_dir / "customers" / "no_segment.csv").write_text(
            "customer_id,signup_date\nNEW-1,2024-01-01\n"
        )
        assert record_path(settings).exists(), "the session lake's run recorded what it published"
        assert not run_lake(home)
        output = capsys.readouterr().out
        assert "no_segment.csv" in output and "segment" in output
        # The last good copy keeps serving, and the failed run left no record an unchanged re-run could skip on.
        assert publication_run_id(settings.serving_db) == published_before
        assert not record_path(settings).exists()


def test_one_dbt_step_runs_the_source_tests_and_every_model(dbt_manifest):
    """One `dbt build` per run (docs/decisions.md D73): the source tests are checks of the dbt step, wait for
    text scoring like every model, and are not blocking in Dagster's sense (dbt itself skips a failing
    source's models), so Dagster plans one dbt step, not two."""
    from dagster_project.assets.dbt import TEXT_SCORES_KEY, dbt_models
    from dagster_project.assets.raw import raw_assets
    from dagster_project.definitions import defs

    job = defs.resolve_job_def("empathy_lake")
    assert [node.name for node in job.graph.node_defs if node.name.startswith("dbt_models")] == ["dbt_models"]
    raw_keys = {a.key for a in raw_assets}
    source_checks = [spec for spec in dbt_models.check_specs if spec.asset_key in raw_keys]
    assert len(source_checks) >= 60
    for spec in source_checks:
        assert TEXT_SCORES_KEY in {dep.asset_key for dep in spec.additional_deps} and not spec.blocking


def test_dbt_test_failure_stops_publishing(built_lake: BuiltLake, tmp_path, capsys):
    home = clone_lake(built_lake, tmp_path / "lake")
    with lake_env(home) as settings:
        published_before = publication_run_id(settings.serving_db)
        # Bad data that bypassed the loader (a manual insert): a survey answer without a type.
        with duckdb.connect(str(settings.build_db)) as con:
            con.execute(
                "INSERT INTO raw_survey.customer_responses (response_id, survey_type, score, responded_at, "
                "_source_file, _source_row, _load_id, _loaded_at) "
                "VALUES ('PLANTED', NULL, 9, TIMESTAMP '2024-05-01', 'manual', 1, 'manual', now())"
            )
        assert not run_lake(home)
        assert publication_run_id(settings.serving_db) == published_before
    # The source test ran inside the one `dbt build` and failed there.
    assert "FAILED survey/customer_responses:source_not_null_survey_customer_responses_survey_type" in (
        capsys.readouterr().out
    )


def test_gx_check_failure_stops_publishing(built_lake: BuiltLake, tmp_path):
    home = clone_lake(built_lake, tmp_path / "lake")
    with lake_env(home) as settings:
        published_before = publication_run_id(settings.serving_db)
        with duckdb.connect(str(settings.build_db)) as con:
            con.execute(
                "UPDATE raw_crm.tickets SET handle_time_minutes = 100000 WHERE ticket_id IN "
                "(SELECT ticket_id FROM raw_crm.tickets USING SAMPLE 20 PERCENT (reservoir, 1))"
            )
        assert not run_lake(home)
        assert publication_run_id(settings.serving_db) == published_before
        with duckdb.connect(str(settings.build_db), read_only=True) as con:
            failed = con.execute(
                "SELECT count(*) FROM meta.check_results WHERE NOT success AND table_name = 'raw_crm.tickets'"
            ).fetchone()[0]
    assert failed >= 1


def _truth(built_lake: BuiltLake) -> dict:
    return json.loads((built_lake.settings.landing_dir / "_truth" / "ground_truth.json").read_text())


def test_monthly_nps_equals_the_generators_ground_truth(built_lake: BuiltLake):
    """The generator counts promoters and detractors from the rows it writes; the mart must agree exactly,
    overall and per segment, every month."""
    truth = _truth(built_lake)["monthly_nps"]
    rows = built_lake.query(
        "SELECT strftime(month, '%Y-%m'), segment, sum(promoters), sum(passives), sum(detractors), sum(responses) "
        "FROM marts.customer_nps_monthly GROUP BY GROUPING SETS ((month), (month, segment))",
        serving=True,
    )
    mart = {
        f"{month}|{segment or 'ALL'}": {"promoters": p, "passives": pa, "detractors": d, "responses": n}
        for month, segment, p, pa, d, n in rows
    }
    assert len(mart) == len(truth) > 24
    for key, expected in truth.items():
        got = mart[key]
        assert {k: got[k] for k in ("promoters", "passives", "detractors", "responses")} == {
            k: expected[k] for k in ("promoters", "passives", "detractors", "responses")
        }, key
        assert 100.0 * (got["promoters"] - got["detractors"]) / got["responses"] == pytest.approx(
            expected["nps"], abs=1e-4
        )  # truth is rounded to 4 places


def test_monthly_csat_equals_the_generators_ground_truth(built_lake: BuiltLake):
    truth = _truth(built_lake)["monthly_csat"]
    rows = built_lake.query(
        "SELECT strftime(month, '%Y-%m'), coalesce(segment, 'ALL'), sum(responses), sum(satisfied_responses) "
        "FROM marts.customer_csat_monthly GROUP BY GROUPING SETS ((month), (month, segment))",
        serving=True,
    )
    mart = {f"{month}|{segment}": (n, s) for month, segment, n, s in rows}
    assert mart == {key: (v["responses"], v["satisfied"]) for key, v in truth.items()}


def test_planted_churn_effect_is_recovered_from_customer_360(built_lake: BuiltLake):
    """Customers at risk and lost before/after the initiative, at treated and control locations, equal the
    generator's realised counts: the published customer rows carry the planted churn effect intact."""
    truth = _truth(built_lake)["planted_effects"]["empathy_training"]
    treated = truth["treated_locations"]
    start = truth["start_month"] + "-01"
    generator = _truth(built_lake)["generator"]
    first = generator["start"] + "-01"
    for cell, expected in truth["realised_churn"].items():
        arm, period = cell.split("_")
        lo, hi = (start, "9999-12-31") if period == "after" else (first, start)
        at_risk, lost = built_lake.query(
            f"""SELECT count(*), count(*) FILTER (WHERE lost_date >= CAST(? AS DATE) AND lost_date < CAST(? AS DATE))
            FROM marts.customer_360
            WHERE {"" if arm == "treated" else "NOT "}list_contains(?, location)
              AND signup_date < CAST(? AS DATE) AND (lost_date IS NULL OR lost_date >= CAST(? AS DATE))""",
            [lo, hi, treated, lo, lo],
            serving=True,
        )[0]
        assert (at_risk, lost) == (expected["customers_at_start"], expected["lost"]), cell
