"""Build a serving-copy DuckDB file for dashboard tests, with the tables and columns a publish writes.

`write_serving_db(path, tables)` creates every published table (empty unless given rows), inserts the given
DataFrames by column name, then writes `meta.publication` last and renames the file into place, as
dagster_project/publishing.py does. `sample_tables()` is a small fictional business to fill it with.

The dashboard tests only compare the pages with SQL over the same file, so a real pipeline's serving copy
can replace `sample_tables()` without changing them.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Collection
from pathlib import Path

import duckdb
import pandas as pd

from tests.brand_gx_cases import BRAND_MART_COLUMNS
from tests.brand_sample import brand_marts
from tests.customer_sample import customer_marts
from tests.employee_gx_cases import EMPLOYEE_MART_COLUMNS
from tests.impact_sample import PAGE_MART_COLUMNS

# Table -> columns, in the order the pipeline creates them (dbt marts; loader and GX ledger tables, with
# meta.quarantine's `record` withheld by the publish step).
SERVING_TABLES: dict[str, str] = {
    "marts.customer_nps_monthly": """month DATE, segment VARCHAR, region VARCHAR, location VARCHAR, channel VARCHAR,
        touchpoint VARCHAR, responses BIGINT, promoters BIGINT, passives BIGINT, detractors BIGINT, nps DOUBLE""",
    "marts.customer_csat_monthly": """month DATE, segment VARCHAR, region VARCHAR, location VARCHAR, channel VARCHAR,
        touchpoint VARCHAR, responses BIGINT, satisfied_responses BIGINT, score_sum DOUBLE, csat_pct DOUBLE,
        csat_mean DOUBLE""",
    "marts.customer_ces_monthly": """month DATE, segment VARCHAR, region VARCHAR, location VARCHAR, channel VARCHAR,
        touchpoint VARCHAR, responses BIGINT, easy_responses BIGINT, difficult_responses BIGINT, score_sum DOUBLE,
        ces_mean DOUBLE, ces_easy_pct DOUBLE, ces_difficult_pct DOUBLE""",
    "marts.customer_nps_detractor_comments": """response_id VARCHAR, month DATE, responded_at TIMESTAMP,
        score DOUBLE, comment VARCHAR, redactions INTEGER, segment VARCHAR, region VARCHAR, location VARCHAR,
        channel VARCHAR, touchpoint VARCHAR, ticket_id VARCHAR""",
    "marts.customer_retention_monthly": """month DATE, segment VARCHAR, region VARCHAR, location VARCHAR,
        channel VARCHAR, customers_at_start BIGINT, new_customers BIGINT, lost_customers BIGINT,
        lost_from_start BIGINT, customers_at_end BIGINT, churn_pct DOUBLE, retention_pct DOUBLE""",
    "marts.customer_repeat_purchase_monthly": """month DATE, segment VARCHAR, region VARCHAR, location VARCHAR,
        channel VARCHAR, buyers BIGINT, repeat_buyers BIGINT, orders BIGINT, window_months INTEGER,
        window_start_month DATE, window_complete BOOLEAN, repeat_purchase_pct DOUBLE""",
    "marts.customer_orders_monthly": """month DATE, segment VARCHAR, region VARCHAR, location VARCHAR,
        channel VARCHAR, orders_placed BIGINT, cancelled_orders BIGINT, orders BIGINT, gross_revenue DOUBLE,
        refunds DOUBLE, net_revenue DOUBLE, aov DOUBLE, aov_net DOUBLE""",
    "marts.customer_conversion_monthly": """month DATE, segment VARCHAR, region VARCHAR, location VARCHAR,
        channel VARCHAR, leads BIGINT, converted_leads BIGINT, lost_leads BIGINT, open_leads BIGINT,
        days_to_convert_sum DOUBLE, conversion_pct DOUBLE, days_to_convert_avg DOUBLE""",
    "marts.customer_support_monthly": """month DATE, segment VARCHAR, region VARCHAR, location VARCHAR,
        channel VARCHAR, category VARCHAR, tickets BIGINT, replied_tickets BIGINT, first_reply_minutes_sum DOUBLE,
        resolved_tickets BIGINT, first_resolution_hours_sum DOUBLE, fully_resolved_tickets BIGINT,
        full_resolution_hours_sum DOUBLE, first_contact_resolved_tickets BIGINT, reopened_tickets BIGINT,
        reopens BIGINT, contacts BIGINT, handled_tickets BIGINT, handle_minutes_sum DOUBLE,
        handled_contacts BIGINT, support_cost DOUBLE, first_reply_minutes_avg DOUBLE,
        first_resolution_hours_avg DOUBLE, full_resolution_hours_avg DOUBLE, fcr_pct DOUBLE, reopen_pct DOUBLE,
        aht_minutes DOUBLE, handle_minutes_per_ticket DOUBLE, cost_per_interaction DOUBLE, cost_per_ticket DOUBLE""",
    "marts.customer_handle_time_sentiment": """month DATE, channel VARCHAR, region VARCHAR, location VARCHAR,
        handle_time_band VARCHAR, sentiment_source VARCHAR, tickets BIGINT, handle_minutes_sum DOUBLE,
        scored_tickets BIGINT, positive_tickets BIGINT, neutral_tickets BIGINT, negative_tickets BIGINT,
        handle_minutes_avg DOUBLE, sentiment_score DOUBLE, negative_pct DOUBLE""",
    "marts.customer_churn_summary": """segment VARCHAR, region VARCHAR, location VARCHAR, channel VARCHAR,
        churn_basis VARCHAR, customers BIGINT, lost_customers BIGINT, active_customers BIGINT, as_of_date DATE,
        churn_pct DOUBLE""",
    "marts.customer_repeat_purchase_to_date": """segment VARCHAR, region VARCHAR, location VARCHAR, channel VARCHAR,
        buyers BIGINT, repeat_buyers BIGINT, orders BIGINT, first_order_date DATE, last_order_date DATE,
        period_start DATE, period_end DATE, repeat_purchase_pct DOUBLE""",
    "marts.customer_value_summary": """segment VARCHAR, region VARCHAR, location VARCHAR, channel VARCHAR,
        customers BIGINT, buyers BIGINT, orders BIGINT, gross_revenue DOUBLE, net_revenue DOUBLE,
        customer_years DOUBLE, lost_customers_observed BIGINT, historical_cltv DOUBLE, aov_net DOUBLE,
        orders_per_customer_year DOUBLE, annual_churn_rate DOUBLE, expected_lifespan_years DOUBLE,
        predictive_cltv DOUBLE""",
    "marts.customer_360": """customer_id VARCHAR, segment VARCHAR, region VARCHAR, location VARCHAR,
        channel VARCHAR, signup_date DATE, tenure_days BIGINT, churn_basis VARCHAR, is_lost BOOLEAN,
        lost_date DATE, lifetime_orders BIGINT, lifetime_gross_revenue DOUBLE, lifetime_net_revenue DOUBLE,
        first_order_at TIMESTAMP, last_order_at TIMESTAMP, tickets BIGINT, open_tickets BIGINT,
        oldest_open_ticket_at TIMESTAMP, last_contact_at TIMESTAMP, latest_nps_score DOUBLE,
        latest_nps_at TIMESTAMP, latest_csat_score DOUBLE, latest_csat_at TIMESTAMP, risk_inactive BOOLEAN,
        risk_detractor BOOLEAN, risk_low_csat BOOLEAN, risk_aging_ticket BOOLEAN, at_risk BOOLEAN,
        risk_flags INTEGER, as_of_date DATE""",
    "marts.support_cost_assumptions": """channel VARCHAR, agent_cost_per_hour DOUBLE, cost_per_contact DOUBLE,
        note VARCHAR""",
    "marts.kpi_snapshot_sources": "kpi VARCHAR, losses BIGINT, months_with_losses BIGINT, is_snapshot BOOLEAN",
    "meta.load_report": """load_id VARCHAR, entity VARCHAR, source_file VARCHAR, mapping VARCHAR,
        status VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT, message VARCHAR,
        loaded_at TIMESTAMP, rows_excluded BIGINT, rows_superseded BIGINT, records_loaded BIGINT""",
    "meta.quarantine": """load_id VARCHAR, entity VARCHAR, source_file VARCHAR, source_row BIGINT,
        column_name VARCHAR, reason VARCHAR, quarantined_at TIMESTAMP, source_lines BIGINT""",
    "meta.load_exclusions": "load_id VARCHAR, entity VARCHAR, source_file VARCHAR, reason VARCHAR, rows BIGINT",
    "meta.check_results": """run_id VARCHAR, checked_at TIMESTAMP, check_kind VARCHAR, suite VARCHAR,
        table_name VARCHAR, expectation VARCHAR, column_name VARCHAR, success BOOLEAN, errored BOOLEAN,
        observed VARCHAR, details VARCHAR""",
}
# The employee marts and their cost seed (tests/employee_gx_cases.py holds their columns as dbt builds them).
SERVING_TABLES.update(
    {table: ", ".join(f"{c} {t}" for c, t in cols.items()) for table, cols in EMPLOYEE_MART_COLUMNS.items()}
)
SERVING_TABLES["marts.employee_turnover_cost_assumptions"] = (
    "job_level VARCHAR, recruiting_cost DOUBLE, onboarding_cost DOUBLE, lost_productivity_cost DOUBLE, note VARCHAR"
)
# The brand and customer-text marts (tests/brand_gx_cases.py holds their columns as dbt builds them).
SERVING_TABLES.update(
    {table: ", ".join(f"{c} {t}" for c, t in cols.items()) for table, cols in BRAND_MART_COLUMNS.items()}
)
# The impact marts (tests/impact_sample.py: their agreed columns, and rows the Impact & ROI tests write in).
# sample_tables() leaves them empty, as a real business's lake without initiatives publishes them.
SERVING_TABLES.update(
    {table: ", ".join(f"{c} {t}" for c, t in cols.items()) for table, cols in PAGE_MART_COLUMNS.items()}
)
# The per-agent support mart, as dbt builds it; sample_tables() leaves it empty (tests/test_dashboard_support_team.py
# writes its rows).
SERVING_TABLES["marts.customer_support_agent_monthly"] = """month DATE, agent VARCHAR, location VARCHAR, team VARCHAR,
    tickets BIGINT, resolved_tickets BIGINT, first_contact_resolved_tickets BIGINT, fcr_pct DOUBLE,
    handled_tickets BIGINT, handle_minutes_sum DOUBLE, handle_minutes_per_ticket DOUBLE, csat_responses BIGINT,
    satisfied_responses BIGINT, csat_pct DOUBLE"""
PUBLICATION_DDL = "published_at TIMESTAMP, run_id VARCHAR, tables BIGINT, total_rows BIGINT"
FIXTURE_RUN_ID = "run-b2"
FIXTURE_PUBLISHED_AT = dt.datetime(2025, 7, 2, 6, 30, 5)


def write_serving_db(
    path: Path,
    tables: dict[str, pd.DataFrame],
    *,
    published: bool = True,
    run_id: str = FIXTURE_RUN_ID,
    published_at: dt.datetime = FIXTURE_PUBLISHED_AT,
    omit: Collection[str] = (),
) -> Path:
    """Write a serving copy at `path` (atomically replacing any file there) and return `path`.

    `tables` maps "schema.table" to rows; columns missing from a frame stay NULL. With `published=False`
    the file has no meta.publication, like a copy whose publish did not finish. Tables in `omit` are not
    created at all (a publication from a pipeline that did not build them)."""
    unknown = (set(tables) | set(omit)) - set(SERVING_TABLES)
    if unknown:
        raise ValueError(f"not a serving table: {sorted(unknown)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.tmp")
    staging.unlink(missing_ok=True)
    total_rows = 0
    with duckdb.connect(str(staging)) as con:
        for name, columns in SERVING_TABLES.items():
            if name in omit:
                continue
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {name.split('.')[0]}")
            con.execute(f"CREATE TABLE {name} ({columns})")
            if name in tables:
                frame = tables[name]  # noqa: F841 - read by DuckDB's replacement scan below
                con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM frame")
            total_rows += con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        if published:
            con.execute("CREATE SCHEMA IF NOT EXISTS meta")
            con.execute(f"CREATE TABLE meta.publication ({PUBLICATION_DDL})")
            con.execute(
                "INSERT INTO meta.publication VALUES (?, ?, ?, ?)",
                [published_at, run_id, len(SERVING_TABLES) - len(set(omit)), total_rows],
            )
        con.execute("CHECKPOINT")
    os.replace(staging, path)
    return path


# --- a small fictional business --------------------------------------------------------------------------
def sample_marts(seed: int = 3) -> dict[str, pd.DataFrame]:
    """Every customer mart and the brand marts (tests/customer_sample.py and tests/brand_sample.py say what
    is planted in them)."""
    marts = {**customer_marts(seed), **brand_marts()}
    retention = marts["marts.customer_retention_monthly"]
    losses = retention.loc[retention["lost_customers"] > 0]
    # As dbt publishes it for this monthly history (losses in many months: not a snapshot); no employee rows here.
    marts["marts.kpi_snapshot_sources"] = pd.DataFrame(
        {
            "kpi": ["churn_pct", "turnover_pct"],
            "losses": [int(losses["lost_customers"].sum()), 0],
            "months_with_losses": [losses["month"].nunique(), 0],
            "is_snapshot": [False, False],
        }
    )
    return marts


def sample_meta() -> dict[str, pd.DataFrame]:
    """Two loads (the later one is the published run) and two check runs (the later one has failures)."""
    t1, t2 = dt.datetime(2025, 6, 30, 6, 0), dt.datetime(2025, 7, 2, 6, 0)
    load_report = pd.DataFrame(
        [
            ("run-a1", "customers", "crm/customers_2025-06-30.csv", "loaded", 500, 500, 0, "", t1),
            ("run-a1", "customer_responses", "survey/responses_2025-06.csv", "loaded", 2000, 1990, 10, "", t1),
            ("run-b2", "customers", "crm/customers_2025-07-02.csv", "loaded", 120, 118, 2, "", t2),
            ("run-b2", "customer_responses", "survey/responses_2025-07a.csv", "loaded", 804, 797, 3, "", t2),
            ("run-b2", "customer_responses", "survey/responses_2025-07b.csv", "loaded", 640, 640, 0, "", t2),
            ("run-b2", "tickets", "crm/tickets_bad.csv", "failed", 0, 0, 0, "missing column: ticket_id", t2),
        ],
        columns=["load_id", "entity", "source_file", "status", "rows_read", "rows_loaded", "rows_quarantined"]
        + ["message", "loaded_at"],
    )
    load_report["mapping"] = "identity"
    # The later load excluded 4 test answers on purpose and replaced 2 customers loaded by the earlier one.
    load_report["rows_excluded"] = [0, 0, 0, 4, 0, 0]
    load_report["rows_superseded"] = [0, 0, 2, 0, 0, 0]
    load_report["records_loaded"] = load_report["rows_loaded"]
    exclusions = pd.DataFrame(
        [("run-b2", "customer_responses", "survey/responses_2025-07a.csv", "test answers", 4)],
        columns=["load_id", "entity", "source_file", "reason", "rows"],
    )
    quarantine = pd.DataFrame(
        [
            (
                "run-a1",
                "customer_responses",
                "survey/responses_2025-06.csv",
                10 + i,
                "score",
                "score: not an integer",
                t1,
            )
            for i in range(10)
        ]
        + [
            ("run-b2", "customers", "crm/customers_2025-07-02.csv", 7, "email", "email: required value is empty", t2),
            ("run-b2", "customers", "crm/customers_2025-07-02.csv", 9, "signup_date", "signup_date: not a date", t2),
        ]
        + [
            (
                "run-b2",
                "customer_responses",
                "survey/responses_2025-07a.csv",
                r,
                "score",
                "score: out of range 0..10",
                t2,
            )
            for r in (4, 8, 15)
        ],
        columns=["load_id", "entity", "source_file", "source_row", "column_name", "reason", "quarantined_at"],
    )
    quarantine["source_lines"] = [3] + [1] * (len(quarantine) - 1)  # one record grouped 3 lines (group_by)
    checks = []
    for run_id, at, outcomes in (
        ("run-a1", t1, [(True, False)] * 4),
        ("run-b2", t2, [(True, False), (False, False), (True, False), (False, True)]),
    ):
        for (success, errored), (suite, expectation, column) in zip(outcomes, _EXPECTATIONS, strict=True):
            observed = "error" if errored else ("ok" if success else "3 unexpected")
            checks.append((run_id, at, "great_expectations", suite, expectation, column, success, errored, observed))
    check_results = pd.DataFrame(
        checks,
        columns=["run_id", "checked_at", "check_kind", "suite", "expectation", "column_name", "success", "errored"]
        + ["observed"],
    )
    check_results["table_name"] = "raw_survey.customer_responses"
    return {
        "meta.load_report": load_report,
        "meta.quarantine": quarantine,
        "meta.check_results": check_results,
        "meta.load_exclusions": exclusions,
    }


_EXPECTATIONS = [
    ("customer_responses", "expect_column_values_to_not_be_null", "response_id"),
    ("customer_responses", "expect_column_values_to_be_between", "score"),
    ("customer_nps_monthly", "expect_column_values_to_be_between", "nps"),
    ("customer_nps_monthly", "expect_table_row_count_to_be_between", None),
]


def sample_tables(seed: int = 3) -> dict[str, pd.DataFrame]:
    return {**sample_marts(seed), **sample_meta()}


def read_serving_tables(path: Path) -> dict[str, pd.DataFrame]:
    """Every serving table of an existing copy (a fixture's or a real publish's), to alter and rewrite."""
    with duckdb.connect(str(path), read_only=True) as con:
        present = {r[0] for r in con.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall()}
        return {name: con.sql(f"SELECT * FROM {name}").df() for name in SERVING_TABLES if name in present}


_SAMPLE_COPIES = tempfile.TemporaryDirectory(prefix="sample_serving_")  # removed when the process ends


def sample_serving_db(directory: Path) -> Path:
    """The serving copy the dashboard tests read. To test against a real pipeline run instead, return that
    run's serving copy here: the tests derive every expected number from the file with SQL.

    Written once per process, then copied (atomically, as write_serving_db writes): writing it costs about a
    second of CPU, dozens of tests ask for a fresh one, and a copy is a new file to every cache (docs/decisions.md
    D240)."""
    written = Path(_SAMPLE_COPIES.name) / "empathy_lake.duckdb"
    if not written.exists():
        write_serving_db(written, sample_tables())
    path = directory / "serving" / "empathy_lake.duckdb"
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.name}.tmp")
    shutil.copyfile(written, staging)
    os.replace(staging, path)
    return path
