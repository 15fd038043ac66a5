"""The dashboard at scale (docs/dashboard.md "Speed at 10M tickets", decisions D135–D139): cached reads that a new
publication invalidates, long lists filtered and cut in SQL under the viewer's row scope, and the alerts paged
with their count shown. Real DuckDB files (tests/serving_fixture.py), the real pages through AppTest."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from streamlit_app import alerts, brand_marts, customer_marts, kpis, warehouse
from streamlit_app.access import Scope
from tests.dashboard_login import LOCATION as MANAGER_LOCATION
from tests.serving_fixture import FIXTURE_RUN_ID, sample_marts, sample_serving_db, write_serving_db
from tests.test_dashboard_apptest import metric, open_app_page, rerun, run_app

NPS_TABLE = "marts.customer_nps_monthly"
UNKNOWN = "(unknown)"
LOCATION = "Toronto"  # a location of both the customer and the brand sample marts


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return sample_serving_db(tmp_path_factory.mktemp("cache"))


def sql(db: Path, query: str, params=None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def copy_with_responses(path: Path, responses: int, run_id: str = FIXTURE_RUN_ID) -> Path:
    """A publication whose NPS mart holds one row with `responses` answers."""
    frame = sample_marts()[NPS_TABLE].head(1).assign(responses=responses, promoters=0, passives=0, detractors=0)
    return write_serving_db(path, {NPS_TABLE: frame}, run_id=run_id)


def served_responses() -> int:
    return int(warehouse.query(f"SELECT sum(responses) AS n FROM {NPS_TABLE}")["n"].iloc[0])


# --- the cache and new publications ---------------------------------------------------------------------------
def test_a_repeated_read_is_answered_from_the_cache(tmp_path, monkeypatch):
    """The second identical query does not reach DuckDB: with the handle's connection closed it still answers."""
    path = tmp_path / "serving.duckdb"
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(path))
    copy_with_responses(path, responses=7, run_id="run-cache-1")
    assert served_responses() == 7
    warehouse._handle.connection.close()
    assert served_responses() == 7, "answered from the cache, not from the (now closed) connection"
    with pytest.raises(duckdb.Error):
        warehouse.query(f"SELECT count(*) AS n FROM {NPS_TABLE}")  # a query not asked before needs the file


@pytest.mark.parametrize("run_id", ["run-cache-2", FIXTURE_RUN_ID], ids=["new run id", "same run id"])
def test_a_new_publication_never_shows_the_cached_numbers_of_the_old_one(tmp_path, monkeypatch, run_id):
    """A publication renamed over the old copy is a new file: the cache key (path, file identity, run id)
    changes, so the same query reads the new copy, also when a re-published copy carries the same run id."""
    path = tmp_path / "serving.duckdb"
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(path))
    copy_with_responses(path, responses=11, run_id="run-cache-1")
    assert served_responses() == 11
    old_key = warehouse.publication_key()
    copy_with_responses(path, responses=22, run_id=run_id)
    assert warehouse.publication_key() != old_key
    assert served_responses() == 22


def test_an_open_page_shows_the_new_publication_on_its_next_run(tmp_path, monkeypatch):
    """The Overview, rendered on one copy (its reads cached), run again after a new copy was published, shows
    the new copy's numbers and run id."""
    path = tmp_path / "serving.duckdb"
    copy_with_responses(path, responses=31, run_id="run-page-1")
    at = open_app_page(monkeypatch, path, "app_pages/overview.py")
    assert metric(at, "NPS answers").value == "31"
    copy_with_responses(path, responses=45, run_id="run-page-2")
    at.run()
    assert not at.exception
    assert metric(at, "NPS answers").value == "45"
    assert any("run-page-2" in c.proto.help for c in at.sidebar.caption)  # the run id is in the caption's help
    assert not any("run-page" in c.value for c in at.sidebar.caption)  # not on the page itself (a raw code)


def test_a_scoped_viewer_never_gets_another_viewers_cached_rows(db, monkeypatch):
    """The row scope is part of the SQL (a bound parameter), so it is part of the cache key: the owner's rows,
    read first and cached, are never what a location manager gets."""
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(db))
    mart = customer_marts.MARTS["nps"]
    everyone = customer_marts.load_mart(mart, Scope.all_rows())
    assert set(everyone["location"]) - {LOCATION}, "the fixture holds other locations"
    theirs = customer_marts.load_mart(mart, Scope(location=LOCATION))
    assert set(theirs["location"]) == {LOCATION}
    [(expected,)] = sql(db, f"SELECT count(*) FROM {NPS_TABLE} WHERE location = ?", [LOCATION])
    assert len(theirs) == expected


# --- long lists: counted, filtered, ordered and cut in SQL under the scope ---------------------------------------
LISTS = [
    (customer_marts.MARTS["detractors"], "responded_at DESC, response_id", "responded_at"),
    (brand_marts.MARTS["examples"], "month DESC, review_id", "month"),
]


@pytest.mark.parametrize(("mart", "order", "newest"), LISTS, ids=["detractor comments", "example reviews"])
def test_a_long_list_is_counted_and_cut_in_sql_like_the_rows_it_stands_for(db, monkeypatch, mart, order, newest):
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(db))
    counts = customer_marts.load_mart(mart, Scope.all_rows())
    assert "rows" in counts and int(counts["rows"].sum()) == sql(db, f"SELECT count(*) FROM {mart.qualified}")[0][0]
    months = (counts["month"].min(), counts["month"].max())
    listed = customer_marts.list_rows(mart, Scope.all_rows(), months, {}, order, 3)
    expected = sql(db, f"SELECT {mart.other[0]} FROM {mart.qualified} ORDER BY {order} LIMIT 3")
    assert list(listed[mart.other[0]]) == [r[0] for r in expected]
    assert listed[newest].is_monotonic_decreasing


@pytest.mark.parametrize(("mart", "order", "newest"), LISTS, ids=["detractor comments", "example reviews"])
def test_a_scoped_viewers_list_never_holds_another_location(db, monkeypatch, mart, order, newest):
    """The scope is applied in SQL before the filters, the order and the limit: a manager's list and counts hold
    only their location's rows, and choosing another location cannot widen them."""
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(db))
    scope = Scope(location=LOCATION)
    everywhere = customer_marts.load_mart(mart, Scope.all_rows())
    months = (everywhere["month"].min(), everywhere["month"].max())
    others = sorted(set(everywhere["location"]) - {LOCATION})
    assert others, "the fixture lists rows of other locations"
    customer_marts.list_rows(mart, Scope.all_rows(), months, {}, order, 10_000)  # cached for everyone first

    counts = customer_marts.load_mart(mart, scope)
    listed = customer_marts.list_rows(mart, scope, months, {}, order, 10_000)
    [(theirs,)] = sql(db, f"SELECT count(*) FROM {mart.qualified} WHERE location = ?", [LOCATION])
    assert set(counts["location"]) == set(listed["location"]) == {LOCATION}
    assert int(counts["rows"].sum()) == len(listed) == theirs
    assert customer_marts.list_rows(mart, scope, months, {"location": others}, order, 10_000).empty
    assert customer_marts.list_rows(mart, Scope(team="Customer Support"), months, {}, order, 10).empty
    assert customer_marts.list_rows(mart, Scope(), months, {}, order, 10).empty


def test_list_filters_select_the_rows_the_page_filters_selected(db, monkeypatch):
    """list_rows' SQL filters equal filter_rows over the whole mart: month range, chosen values, '(unknown)'."""
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(db))
    mart = customer_marts.MARTS["detractors"]
    whole = customer_marts.load_mart(
        customer_marts.Mart(mart.table, mart.label, mart.dimensions, (), mart.other), Scope.all_rows()
    )
    months = sorted(whole["month"].unique())
    period = (pd.Timestamp(months[1]), pd.Timestamp(months[-2]))
    choices = {"segment": [whole["segment"].iloc[0], UNKNOWN], "location": sorted(set(whole["location"]))[:2]}
    expected = customer_marts.filter_rows(whole, period, choices).sort_values(
        ["responded_at", "response_id"], ascending=[False, True]
    )
    assert len(expected) > 1
    listed = customer_marts.list_rows(mart, Scope.all_rows(), period, choices, "responded_at DESC, response_id", 10_000)
    assert list(listed["response_id"]) == list(expected["response_id"])


# --- paging and default periods -------------------------------------------------------------------------------
def test_alert_pages_cover_every_alert_once_and_say_how_many():
    log = pd.DataFrame({"alert_key": [f"a{i:04d}" for i in range(2 * alerts.PAGE_SIZE + 29)]})
    pages = alerts.page_count(len(log))
    assert pages == 3 and alerts.page_count(0) == 1 and alerts.page_count(alerts.PAGE_SIZE) == 1
    listed = pd.concat([alerts.page_of(log, page) for page in range(1, pages + 1)])
    assert list(listed["alert_key"]) == list(log["alert_key"])
    assert alerts.page_text(len(log), 3) == (
        f"Alerts 201–229 of 229 matching the filters (page 3 of 3, {alerts.PAGE_SIZE} a page: open first, then by "
        "severity and latest period). The download holds all 229."
    )
    assert alerts.page_text(1, 1) == "1 alert matches the filters."


def test_a_default_period_starts_on_a_month_the_viewer_has():
    """A location counted with other small groups in some months has gaps: the default start must be one of its
    months, or the period slider cannot take it (the Employee page failed for such a manager)."""
    months = [pd.Timestamp(m) for m in ("2024-01-01", "2024-02-01", "2024-06-01", "2024-12-01", "2025-03-01")]
    assert kpis.period_start(months, pd.Timestamp("2025-03-01"), 12) == pd.Timestamp("2024-06-01")
    assert kpis.period_start(months, pd.Timestamp("2024-02-01"), 12) == pd.Timestamp("2024-01-01")
    assert kpis.period_start(months, pd.Timestamp("2025-03-01"), 1) == pd.Timestamp("2025-03-01")


ALERTS_DDL = """alert_key VARCHAR, rule_id VARCHAR, severity VARCHAR, kpi VARCHAR, scope VARCHAR, scope_value VARCHAR,
    period DATE, kpi_value DOUBLE, previous_value DOUBLE, threshold DOUBLE, min_count INTEGER, base_count DOUBLE,
    previous_base_count DOUBLE, base_unit VARCHAR, reason VARCHAR, owner VARCHAR, rule_description VARCHAR,
    status VARCHAR, first_seen_at TIMESTAMP, last_seen_at TIMESTAMP, resolved_at TIMESTAMP, first_run_id VARCHAR,
    last_run_id VARCHAR, notified_at TIMESTAMP, notification_status VARCHAR"""  # meta.alerts as a run publishes it


def test_the_alerts_page_lists_a_page_at_a_time_and_always_says_how_many(tmp_path, monkeypatch):
    """230 open alerts (a location manager may read 90 of them): the table lists 100, the caption gives the
    count, the last page holds the rest, and the manager's pages count only their own alerts."""
    path = sample_serving_db(tmp_path)
    with duckdb.connect(str(path)) as con:
        con.execute(f"CREATE TABLE meta.alerts ({ALERTS_DDL})")
        con.execute(
            "INSERT INTO meta.alerts (alert_key, rule_id, severity, kpi, scope, scope_value, period, kpi_value, "
            "threshold, min_count, base_count, base_unit, reason, owner, rule_description, status, first_seen_at, "
            "last_seen_at) SELECT 'key-' || i, 'customer_negative_run', 'low', 'negative_events', 'location', "
            "CASE WHEN i < 90 THEN ? ELSE 'Berlin' END, DATE '2025-06-01', 3, 3, 3, 3, 'events', "
            "'Three negative events in a row.', 'Support lead', 'Negative events in a row.', 'open', "
            "TIMESTAMP '2025-07-02 06:00', TIMESTAMP '2025-07-02 06:00' FROM range(230) t(i)",
            [MANAGER_LOCATION],
        )
    at = open_app_page(monkeypatch, path, "app_pages/alerts.py")
    assert metric(at, "Open alerts").value == "230"
    assert len(alerts_listed(at)) == alerts.PAGE_SIZE
    assert any(c.value.startswith("Alerts 1–100 of 230 matching the filters (page 1 of 3") for c in at.caption)
    assert len(at.selectbox(key="alert_key").options) == alerts.PAGE_SIZE
    at.number_input(key="alert_page").set_value(3).run()
    assert not at.exception
    assert len(alerts_listed(at)) == 30
    assert any(c.value.startswith("Alerts 201–230 of 230") for c in at.caption)

    at.multiselect(key="alert_status").set_value(["resolved"]).run()  # nothing matches: no page box is left over
    assert "No alert matches these filters." in [i.value for i in at.info]

    manager = rerun(run_app(monkeypatch, path, "location-manager").switch_page("app_pages/alerts.py"))
    listed = alerts_listed(manager)
    assert len(listed) == 90 and set(listed["where"]) == {f"Location: {MANAGER_LOCATION}"}
    assert "90 alerts match the filters." in [c.value for c in manager.caption]
    assert not [w for w in manager.number_input if w.key == "alert_page"]


def alerts_listed(at) -> pd.DataFrame:
    [table] = [d.value for d in at.dataframe if "what" in d.value.columns]
    return table
