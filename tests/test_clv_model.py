"""Predictive CLTV (dagster_project/clv): the BG/NBD + Gamma-Gamma fit recovers known parameters of a simulated
cohort, only orders worth more than zero net of refunds count as purchases (buyers with none are left out and
counted), and the job on the session lake publishes group totals equal to the per-customer predictions grouped in
SQL, none under the anonymity minimum. One PyTensor compile per session (the fit is module-scoped; the cache is
~/.pytensor)."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from dagster_project.clv import model
from dagster_project.clv.run import PUBLISHED
from tests.lake_helpers import clone_lake

# A cohort drawn from the BG/NBD process (pymc-marketing's own distribution) and the Gamma-Gamma spend model.
TRUE_BGNBD = {"r": 0.6, "alpha": 5.0, "a": 0.8, "b": 2.5}
TRUE_GG = {"p": 6.0, "q": 4.0, "v": 15.0}
COHORT = 1_500


def simulated_cohort(n: int = COHORT, seed: int = 7) -> pd.DataFrame:
    import pymc as pm
    from pymc_marketing.clv.distributions import BetaGeoNBD

    rng = np.random.default_rng(seed)
    weeks = rng.uniform(20, 104, n)
    drawn = pm.draw(BetaGeoNBD.dist(T=weeks, **TRUE_BGNBD), random_seed=seed)
    recency, frequency = drawn[:, 0], drawn[:, 1]
    # Gamma-Gamma: a customer's spend scale nu ~ Gamma(q, rate v); the mean of x purchases ~ Gamma(p x, rate x nu).
    nu = rng.gamma(TRUE_GG["q"], 1 / TRUE_GG["v"], n)
    repeats = np.maximum(frequency, 1)
    spend = rng.gamma(TRUE_GG["p"] * repeats, 1 / (repeats * nu))
    return pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n)],
            "frequency": frequency,
            "recency": recency,
            "T": weeks,
            "monetary_value": np.where(frequency > 0, spend, 0.0),
            "segment": "All",
            "region": "All",
            "location": "All",
            "channel": "All",
        }
    )


@pytest.fixture(scope="module")
def fitted_cohort():
    rfm = simulated_cohort()
    return rfm, model.fit(rfm)


def test_fit_recovers_the_simulated_parameters(fitted_cohort):
    rfm, fitted = fitted_cohort
    estimates = fitted.parameters()
    assert fitted.customers == COHORT
    assert fitted.repeat_customers == int((rfm["frequency"] > 0).sum())
    for name, true in TRUE_BGNBD.items():
        assert estimates[name] == pytest.approx(true, rel=0.3), name
    # Gamma-Gamma's p, q and v trade off against each other; the mean spend per purchase, p v / (q - 1), is what the
    # model identifies and what the prediction uses.
    true_mean = TRUE_GG["p"] * TRUE_GG["v"] / (TRUE_GG["q"] - 1)
    assert estimates["p"] * estimates["v"] / (estimates["q"] - 1) == pytest.approx(true_mean, rel=0.15)


def test_predictions_carry_an_interval_from_the_posterior_draws(fitted_cohort):
    rfm, fitted = fitted_cohort
    values = model.predict(fitted, rfm)
    assert values.shape == (COHORT, model.DRAWS)
    totals = values.sum(axis=0)
    assert totals.quantile(0.05) < totals.mean() < totals.quantile(0.95)
    # More past purchases at the same age and recency mean more expected value (the model's basic monotonicity).
    assert (values.mean(axis=1) >= 0).all()


def test_only_orders_worth_more_than_zero_are_purchases_and_buyers_with_none_are_counted():
    as_of = dt.date(2025, 12, 31)
    orders = pd.DataFrame(
        [
            # c1 buys three times and returns a fourth order in full (net 0): three purchases, not four. c2 buys
            # once; c3's only order was refunded in full; c4's refund order (negative) is no purchase; c5's later
            # order was returned, so it bought once.
            ("c1", "2025-01-06", 50.0),
            ("c1", "2025-03-03", 70.0),
            ("c1", "2025-06-02", 60.0),
            ("c1", "2025-08-04", 0.0),
            ("c2", "2025-02-03", 40.0),
            ("c3", "2025-04-07", 0.0),
            ("c4", "2025-01-13", 30.0),
            ("c4", "2025-05-05", -45.0),
            ("c5", "2025-01-20", 80.0),
            ("c5", "2025-07-07", 0.0),
        ],
        columns=["customer_id", "ordered_at", "net_amount"],
    ).assign(ordered_at=lambda f: pd.to_datetime(f["ordered_at"]), segment="S", region="R", location="L", channel="C")
    result = model.buyers(orders, as_of)
    assert sorted(result.rfm["customer_id"]) == ["c1", "c2", "c4", "c5"]
    assert result.left_out == {model.LEFT_OUT_NO_PURCHASE: 1}
    rfm = result.rfm.set_index("customer_id")
    assert rfm.loc["c1", "frequency"] == 2 and rfm.loc["c1", "monetary_value"] == pytest.approx(65.0)
    assert rfm.loc["c1", "recency"] == pytest.approx((dt.date(2025, 6, 2) - dt.date(2025, 1, 6)).days / 7)
    assert rfm.loc[["c4", "c5"], "frequency"].tolist() == [0, 0]
    assert result.window_start == dt.date(2025, 1, 6) and result.window_end == as_of


def test_small_groups_are_combined_never_published_alone():
    rfm = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(13)],
            "segment": ["A"] * 6 + ["B"] * 2 + ["C"] * 3 + ["D"] * 2,
            "region": "R",
            "location": ["L1"] * 11 + ["L2"] * 2,
            "channel": "web",
        }
    )
    values = pd.DataFrame(np.arange(13 * 3, dtype=float).reshape(13, 3), index=rfm["customer_id"])
    long, unpublished = model.publishable(rfm, values, min_customers=5)
    groups = long[long["draw"] == 0].set_index(["segment", "location"])["customers"]
    # A (6) stands alone; B (2) and C (3) of L1 together make 5; L2's D (2) joins the business-wide small groups,
    # which are still under 5, so its 2 customers are in no published row and counted as such.
    assert groups.to_dict() == {("A", "L1"): 6, (model.SMALL_GROUPS, "L1"): 5}
    assert unpublished == 2
    assert long.groupby("draw")["predicted_value"].sum().tolist() == values.iloc[:11].sum(axis=0).tolist()


def test_customers_with_a_missing_group_dimension_are_still_published():
    rfm = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(12)],
            "segment": ["A"] * 6 + [None] * 6,
            "region": "R",
            "location": "L1",
            "channel": "web",
        }
    )
    values = pd.DataFrame(np.arange(12 * 2, dtype=float).reshape(12, 2), index=rfm["customer_id"])
    long, unpublished = model.publishable(rfm, values, min_customers=5)
    assert unpublished == 0
    assert long[long["draw"] == 0]["customers"].sum() == 12
    assert long.groupby("draw")["predicted_value"].sum().tolist() == values.sum(axis=0).tolist()


@pytest.fixture(scope="module")
def clv_lake(built_lake, tmp_path_factory):
    """The session lake cloned, with the CLTV job run on it (reusing the module's compiled models' cache)."""
    from dagster_project.clv.run import compute, min_customers
    from dagster_project.publishing import publish_tables

    home = clone_lake(built_lake, tmp_path_factory.mktemp("clv_lake"))
    build_db = home / built_lake.settings.build_db.relative_to(built_lake.home)
    result = compute(build_db, min_customers())
    serving_db = home / built_lake.settings.serving_db.relative_to(built_lake.home)
    assert publish_tables(build_db, serving_db, PUBLISHED)
    return build_db, serving_db, result


def test_the_job_publishes_its_tables_and_leaves_the_rest_of_the_serving_copy_as_it_was(built_lake, clv_lake):
    build_db, serving_db, _ = clv_lake
    before = built_lake.query("SELECT run_id, tables FROM meta.publication", serving=True)
    with duckdb.connect(str(serving_db), read_only=True) as con:
        assert con.execute("SELECT run_id, tables FROM meta.publication").fetchall() == before
        tables = {r[0] for r in con.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall()}
        assert {f"{schema}.{table}" for schema, table in PUBLISHED} <= tables
        assert not any(t.startswith("clv.") for t in tables), "per-customer predictions are never published"
        published = con.execute("SELECT * FROM marts.customer_clv_predicted ORDER BY ALL").fetchall()
    with duckdb.connect(str(build_db), read_only=True) as con:
        assert published == con.execute("SELECT * FROM marts.customer_clv_predicted ORDER BY ALL").fetchall()
    from tests.pii_scan import landing_names, raw_ids, scan_published

    assert scan_published(serving_db, raw_ids(build_db), landing_names(built_lake.settings.landing_dir)) == []


def test_job_publishes_group_totals_equal_to_the_customers_predictions(clv_lake):
    build_db, _, result = clv_lake
    with duckdb.connect(str(build_db), read_only=True) as con:
        fit = con.execute(
            "SELECT customers_fitted, left_out_customers, unpublished_customers FROM marts.customer_clv_model_fit"
        ).fetchone()
        # Every buyer the warehouse holds is either modelled or left out (and counted).
        buyers = con.execute(
            "SELECT count(DISTINCT customer_id) FROM staging.stg_crm__orders WHERE status IS DISTINCT FROM 'cancelled'"
        ).fetchone()[0]
        assert fit[0] + fit[1] == buyers == result.customers + result.left_out
        # Modelled: the buyers with a purchase, an order worth more than zero net of refunds (returns are none).
        purchasers = con.execute(
            "SELECT count(DISTINCT customer_id) FROM staging.stg_crm__orders "
            "WHERE status IS DISTINCT FROM 'cancelled' AND net_amount > 0"
        ).fetchone()[0]
        assert fit[0] == purchasers
        published = con.execute(
            "SELECT sum(customers), sum(predicted_value) FROM marts.customer_clv_predicted"
        ).fetchone()
        per_customer = con.execute("SELECT count(*), sum(predicted_value) FROM clv.customer_predictions").fetchone()
        assert published[0] == per_customer[0] - fit[2]
        if fit[2] == 0:  # nobody outside a published row: the totals agree exactly
            assert published[1] == pytest.approx(per_customer[1], rel=1e-9)
        # Groups the anonymity rule left alone: the published total is the customers' predictions summed in SQL.
        mismatched = con.execute(
            """
            SELECT count(*) FROM marts.customer_clv_predicted AS m
            JOIN (
                SELECT segment, region, location, channel, count(*) AS customers, sum(predicted_value) AS value
                FROM clv.customer_predictions GROUP BY ALL
            ) AS c USING (segment, region, location, channel)
            WHERE m.customers <> c.customers OR abs(m.predicted_value - c.value) > 1e-6 * greatest(1, c.value)
            """
        ).fetchone()[0]
        assert mismatched == 0
        assert con.execute(
            "SELECT bool_and(predicted_value_low <= predicted_value AND predicted_value <= predicted_value_high) "
            "FROM marts.customer_clv_predicted"
        ).fetchone()[0]


def test_no_published_group_is_under_the_anonymity_minimum(clv_lake):
    from dagster_project.clv.run import min_customers

    build_db, _, _ = clv_lake
    minimum = min_customers()
    with duckdb.connect(str(build_db), read_only=True) as con:
        smallest_published = con.execute("SELECT min(customers) FROM marts.customer_clv_predicted").fetchone()[0]
        smallest_raw = con.execute(
            "SELECT min(n) FROM (SELECT count(*) AS n FROM clv.customer_predictions GROUP BY segment, region, "
            "location, channel)"
        ).fetchone()[0]
    assert smallest_published >= minimum
    # The check has teeth: grouped without the rule, this lake's customers make groups under the minimum.
    assert smallest_raw < minimum


# --- the Customer empathy page ---------------------------------------------------------------------------
def with_model_tables(serving_db, seed: int = 11):
    """The fixture's serving copy with the model's published tables, for customers spread over the fixture's
    customer groups (the values drawn at random, the grouping and anonymity rule the job's own)."""
    with duckdb.connect(str(serving_db)) as con:
        groups = con.execute(
            "SELECT DISTINCT segment, region, location, channel FROM marts.customer_value_summary"
        ).df()
    rng = np.random.default_rng(seed)
    rfm = groups.loc[rng.integers(0, len(groups), 120)].reset_index(drop=True)
    rfm.insert(0, "customer_id", [f"c{i}" for i in range(len(rfm))])
    values = pd.DataFrame(rng.gamma(2.0, 150.0, (len(rfm), 40)), index=rfm["customer_id"])
    draws, unpublished = model.publishable(rfm, values, 5)
    fit = pd.DataFrame(
        [
            {
                "fitted_at": dt.datetime(2026, 11, 29, 5),
                "window_start": dt.date(2024, 1, 1),
                "window_end": dt.date(2025, 12, 31),
            }
        ]
    ).assign(customers_fitted=len(rfm), left_out_customers=7, left_out_reason=model.LEFT_OUT_NO_PURCHASE)
    fit = fit.assign(unpublished_customers=unpublished, min_customers=5)
    with duckdb.connect(str(serving_db)) as con:
        con.execute("CREATE TABLE marts.customer_clv_draws AS SELECT * FROM draws")
        con.execute("CREATE TABLE marts.customer_clv_model_fit AS SELECT * FROM fit")
    return serving_db


def sql_model_value(db, location: str | None = None) -> tuple[float, float, float, int]:
    """Per customer: the mean over draws of the selection's total, its 5th and 95th percentile, / customers."""
    where = "WHERE location = ?" if location else ""
    params = [location] if location else []
    with duckdb.connect(str(db), read_only=True) as con:
        mean, low, high = con.execute(
            f"SELECT avg(t), quantile_cont(t, 0.05), quantile_cont(t, 0.95) FROM (SELECT draw, sum(predicted_value) "
            f"AS t FROM marts.customer_clv_draws {where} GROUP BY draw)",
            params,
        ).fetchone()
        customers = con.execute(
            f"SELECT sum(customers) FROM marts.customer_clv_draws {where} {'AND' if where else 'WHERE'} draw = 0",
            params,
        ).fetchone()[0]
    return mean / customers, low / customers, high / customers, int(customers)


def test_the_page_shows_the_model_value_with_its_interval_and_keeps_to_the_viewers_rows(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from streamlit_app.formatting import format_money
    from tests.dashboard_login import submit_login, write_users
    from tests.serving_fixture import sample_serving_db
    from tests.test_dashboard_apptest import APP, TIMEOUT, metric, open_app_page, rerun
    from tests.test_dashboard_customer import assert_plain

    page = "app_pages/customer_empathy.py"
    bare = open_app_page(monkeypatch, sample_serving_db(tmp_path / "bare"), page)
    assert any("empathy-lake clv" in i.value for i in bare.info), "before a fit the page names the command"

    db = with_model_tables(sample_serving_db(tmp_path))
    at = open_app_page(monkeypatch, db, page)
    per_customer, low, high, customers = sql_model_value(db)
    assert metric(at, "Per customer, next 12 months").value == format_money(per_customer, "£")
    assert metric(at, "Customers modelled").value == f"{customers:,}"
    assert metric(at, "These customers, next 12 months")
    captions = " ".join(c.value for c in at.caption)
    # Beside it, the formula's figure says its own horizon: a whole relationship, not 12 months.
    assert "over a whole customer relationship" in captions
    assert f"90 % interval {format_money(low, '£')} to {format_money(high, '£')}" in captions
    assert "Model fitted on 29 Nov 2026" in captions and f"7 left out because {model.LEFT_OUT_NO_PURCHASE}" in captions
    assert_plain(at)

    users = write_users(tmp_path, [{"username": "lis", "role": "manager", "name": "Lis", "location": "Lisbon"}])
    monkeypatch.setenv("EMPATHY_LAKE_AUTH_CONFIG", str(users.config))
    manager = rerun(submit_login(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), users["lis"]).switch_page(page))
    per_customer, _, _, customers = sql_model_value(db, "Lisbon")
    assert metric(manager, "Per customer, next 12 months").value == format_money(per_customer, "£")
    assert metric(manager, "Customers modelled").value == f"{customers:,}"
    captions = " ".join(c.value for c in manager.caption)
    assert "Model fitted on 29 Nov 2026" in captions and "left out" not in captions, "business-wide counts hidden"


def test_without_a_warehouse_or_orders_the_job_says_what_to_do(tmp_path):
    from dagster_project.clv.run import NoOrdersError, compute

    with pytest.raises(NoOrdersError, match="not built yet; run `empathy-lake run` first"):
        compute(tmp_path / "missing.duckdb", 5)
    empty = tmp_path / "build.duckdb"
    with duckdb.connect(str(empty)) as con:
        con.execute("CREATE SCHEMA staging")
        con.execute(
            "CREATE TABLE staging.stg_crm__orders (customer_id VARCHAR, ordered_at TIMESTAMP, net_amount DOUBLE, "
            "status VARCHAR)"
        )
        con.execute(
            "CREATE TABLE staging.int_customer_lifecycle (customer_id VARCHAR, segment VARCHAR, region VARCHAR, "
            "location VARCHAR, channel VARCHAR, as_of_date DATE)"
        )
    with pytest.raises(NoOrdersError, match="has no orders"):
        compute(empty, 5)


def test_replacing_the_models_tables_keeps_the_run_records_claim_on_the_serving_copy(tmp_path):
    """After `empathy-lake clv` the next `empathy-lake run` is not started because the serving copy changed, unless
    the record already disowned the copy (then it stays disowned)."""
    import json
    import os
    import types

    from dagster_project.run_inputs import _file_stamp, keep_publication_stamp, record_path

    settings = types.SimpleNamespace(build_db=tmp_path / "build.duckdb", serving_db=tmp_path / "serving.duckdb")
    for claimed in (True, False):
        settings.serving_db.write_bytes(b"published by the run")
        stamp = _file_stamp(settings.serving_db) if claimed else [0, 0]
        record_path(settings).write_text(json.dumps({"run_id": "r1", "serving": stamp}))
        with keep_publication_stamp(settings):
            settings.serving_db.write_bytes(b"published by the run, with the model's tables")
            os.utime(settings.serving_db, ns=(1, 1))
        kept = json.loads(record_path(settings).read_text())["serving"]
        assert (kept == _file_stamp(settings.serving_db)) is claimed


def test_the_weekly_schedule_is_stopped_by_default_and_follows_the_environment(monkeypatch):
    import dagster as dg

    from dagster_project.schedules import build_weekly_clv_schedule

    for var in ("EMPATHY_LAKE_CLV_CRON", "EMPATHY_LAKE_CLV_RUNNING", "EMPATHY_LAKE_TIMEZONE"):
        monkeypatch.delenv(var, raising=False)
    schedule = build_weekly_clv_schedule()
    assert (schedule.name, schedule.job_name) == ("customer_clv_weekly", "customer_clv")
    assert schedule.cron_schedule == "0 5 * * 0"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    monkeypatch.setenv("EMPATHY_LAKE_CLV_CRON", "0 3 * * 6")
    monkeypatch.setenv("EMPATHY_LAKE_CLV_RUNNING", "1")
    tuned = build_weekly_clv_schedule()
    assert tuned.cron_schedule == "0 3 * * 6" and tuned.default_status == dg.DefaultScheduleStatus.RUNNING


def test_a_complete_publication_during_the_jobs_copy_is_not_overwritten(tmp_path, monkeypatch):
    """The job copies the serving file, then renames its copy over it: a complete run publishing in between would be
    undone (the old marts back). Both take the same lock, so the run's publication waits and lands last."""
    import shutil
    import threading

    from dagster_project import publishing

    build_db, serving_db = tmp_path / "build.duckdb", tmp_path / "serving" / "empathy_lake.duckdb"
    with duckdb.connect(str(build_db)) as con:
        con.execute("CREATE SCHEMA marts")
        con.execute("CREATE SCHEMA meta")
        con.execute("CREATE TABLE meta.runs AS SELECT 'run-1' AS run_id")
        con.execute("CREATE TABLE marts.kpi AS SELECT 'old' AS v")
        con.execute("CREATE TABLE marts.customer_clv_predicted AS SELECT 1.0 AS predicted_value")
    publishing.publish(build_db, serving_db, "run-1")
    with duckdb.connect(str(build_db)) as con:
        con.execute("CREATE OR REPLACE TABLE marts.kpi AS SELECT 'new' AS v")

    copy = shutil.copyfile
    runs: list[threading.Thread] = []

    def copy_then_a_run_publishes(src, dst):
        copy(src, dst)
        run = threading.Thread(target=publishing.publish, args=(build_db, serving_db, "run-2"))
        run.start()
        runs.append(run)
        run.join(timeout=1)  # unlocked, the run's publication completes here, between the job's copy and rename

    monkeypatch.setattr(shutil, "copyfile", copy_then_a_run_publishes)
    assert publishing.publish_tables(build_db, serving_db, [("marts", "customer_clv_predicted")])
    monkeypatch.undo()
    runs[0].join(timeout=60)
    assert not runs[0].is_alive()
    with duckdb.connect(str(serving_db), read_only=True) as con:
        assert con.execute("SELECT run_id FROM meta.publication").fetchall() == [("run-2",)]
        assert con.execute("SELECT v FROM marts.kpi").fetchall() == [("new",)]
