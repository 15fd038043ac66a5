"""Every dbt data test on the ROI, key-driver and service-profit-chain marts is seen failing on bad data: a copy of
the session warehouse is damaged (one damage per kind of test) and one `dbt test` over these models must fail
every one of their tests. That they pass on good data is every pipeline run's job (the session lake's build)."""

from __future__ import annotations

import json
import shutil

import duckdb

from tests.lake_helpers import BuiltLake, dbt_on_parsed_manifest

MODELS = ["initiative_roi", "roi_assumptions", "key_drivers", "service_profit_chain", "service_profit_chain_summary"]

DAMAGE = [
    # roi_assumptions: a duplicate with nothing filled in, an unknown one out of its own range, one without an id.
    "INSERT INTO marts.roi_assumptions (assumption) VALUES ('gross_margin'), (NULL)",
    "INSERT INTO marts.roi_assumptions VALUES ('discount', 'x', -1, 0, 1, 'u', 's')",
    # key_drivers: unknown outcome/type, nothing measured; no outcome at all; a duplicate; a reversed CI; a team of 2.
    "INSERT INTO marts.key_drivers (outcome, driver_type, direction) VALUES ('csat', 'manager', 0), (NULL, NULL, 1)",
    "INSERT INTO marts.key_drivers SELECT * FROM marts.key_drivers LIMIT 1",
    "UPDATE marts.key_drivers SET ci_low = ci_high + 1 WHERE rank = 2",
    "UPDATE marts.key_drivers SET n = 2 WHERE driver_type = 'survey_item' AND rank = 3",
    # service_profit_chain: an empty point with unknown measures, a duplicate, a point below the threshold.
    "INSERT INTO marts.service_profit_chain (employee_measure, customer_kpi) VALUES ('wellbeing', 'ces')",
    "INSERT INTO marts.service_profit_chain SELECT * FROM marts.service_profit_chain LIMIT 1",
    "UPDATE marts.service_profit_chain SET respondents = 2, customer_value = 150, customer_n = 0 WHERE rowid = 3",
    # service_profit_chain_summary: a duplicate and an impossible row.
    "INSERT INTO marts.service_profit_chain_summary SELECT * FROM marts.service_profit_chain_summary LIMIT 1",
    "INSERT INTO marts.service_profit_chain_summary VALUES ('enps', 'nps', NULL, 0, 1, 3, 2, NULL, 2)",
    "INSERT INTO marts.service_profit_chain_summary VALUES ('enps', 'csat_pct', 2, 0, 1, 5, 0.5, 'x', 5)",
    # initiative_roi: a duplicate, an unknown component priced on CSAT, savings out of order, ROI off the total row
    # and off its formula and range, no initiative.
    "INSERT INTO marts.initiative_roi SELECT * FROM marts.initiative_roi LIMIT 1",
    """INSERT INTO marts.initiative_roi (initiative_id, component, kpi, cost, savings_low, savings_central,
           savings_high, roi_low, roi_central, roi_high)
       VALUES ('X', 'brand', 'csat_pct', 100, 50, 10, 60, 0, 0.5, 1), (NULL, NULL, NULL, 100, 0, 0, 0, 0, 2, 1)""",
]


def test_every_data_test_of_the_roi_marts_fails_on_bad_data(built_lake: BuiltLake, tmp_path):
    db = tmp_path / "build.duckdb"
    shutil.copyfile(built_lake.settings.build_db, db)
    with duckdb.connect(str(db)) as con:
        for statement in DAMAGE:
            con.execute(statement)
    target = tmp_path / "target"
    done, _ = dbt_on_parsed_manifest(
        db, ["test", "--select", *MODELS, "--exclude", "test_type:unit", "--quiet", "--target-path", str(target)]
    )
    assert done.returncode != 0, done.stdout
    manifest = json.loads((target / "manifest.json").read_text())
    results = json.loads((target / "run_results.json").read_text())["results"]
    attached = {
        uid: node.get("attached_node", "") for uid, node in manifest["nodes"].items() if node["resource_type"] == "test"
    }
    # Tests only: dbt also reports the project's on-run-start hook (an operation, macros/spark_sources.sql).
    ours = {
        r["unique_id"]: r["status"]
        for r in results
        if r["unique_id"] in attached and attached[r["unique_id"]].split(".")[-1] in MODELS
    }
    assert len(ours) >= 40, sorted(ours)
    passing = sorted(uid for uid, status in ours.items() if status != "fail")
    assert not passing, passing
