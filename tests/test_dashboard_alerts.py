"""The Alerts page (streamlit_app/app_pages/alerts.py) on the session lake's real serving copy: what it shows
equals SQL on meta.alerts, filters narrow the table, the "why" of an alert is its reason and numbers, and a
publication without alerts or without an alert log says so."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from tests.dashboard_expectations import assert_shows
from tests.lake_helpers import BuiltLake
from tests.test_dashboard_apptest import metric, open_app_page, rerun, run_app

PAGE = "app_pages/alerts.py"


@pytest.fixture(scope="module")
def db(built_lake: BuiltLake) -> Path:
    assert built_lake.success
    return built_lake.settings.serving_db


def sql(db: Path, query: str, params=None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def alerts_table(at):
    [table] = [d.value for d in at.dataframe if "rule_id" in d.value.columns]
    return table


def test_open_alerts_equal_sql(monkeypatch, db):
    at = open_app_page(monkeypatch, db, PAGE)
    expected = sql(
        db, "SELECT alert_key, severity, rule_id, scope_value, owner, kpi_value FROM meta.alerts WHERE status = 'open'"
    )
    assert expected, "the session lake should raise alerts"
    assert metric(at, "Open alerts").value == str(len(expected))
    high = sum(1 for row in expected if row[1] == "high")
    assert metric(at, "Open, high severity").value == str(high)
    table = alerts_table(at)
    shown = {(r.rule_id, r.scope_value, r.owner, round(r.kpi_value, 6)) for r in table.itertuples()}
    assert shown == {(r[2], r[3], r[4], round(r[5], 6)) for r in expected}
    assert set(table["status"]) == {"open"}


def test_a_severity_filter_narrows_the_table(monkeypatch, db):
    at = open_app_page(monkeypatch, db, PAGE)
    at.multiselect(key="alert_severity").set_value(["high"])
    rerun(at)
    [(high,)] = sql(db, "SELECT count(*) FROM meta.alerts WHERE status = 'open' AND severity = 'high'")
    if high:
        assert set(alerts_table(at)["severity"]) == {"high"} and len(alerts_table(at)) == high
    else:
        assert "No alert matches these filters." in [i.value for i in at.info]


def test_the_why_of_each_alert_is_its_reason_and_numbers(monkeypatch, db):
    at = open_app_page(monkeypatch, db, PAGE)
    picker = at.selectbox(key="alert_key")
    for index in (0, len(picker.options) - 1):
        at.selectbox(key="alert_key").select_index(index)
        rerun(at)
        key = at.selectbox(key="alert_key").value
        [(reason, value, threshold, base_count, owner)] = sql(
            db, "SELECT reason, kpi_value, threshold, base_count, owner FROM meta.alerts WHERE alert_key = ?", [key]
        )
        assert reason in [i.value for i in at.info]
        cards = {m.label: m.value for m in at.metric}
        value_label = next(label for label in cards if label not in {"Open alerts", "Open, high severity", "Resolved",
                                                                     "Month before", "Threshold"}
                           and not label.startswith("Computed from"))  # fmt: skip
        assert_shows(cards[value_label], value)
        assert float(cards["Threshold"]) == threshold
        assert_shows(next(v for k, v in cards.items() if k.startswith("Computed from")), base_count)
        assert any(owner in c.value for c in at.caption)


def test_the_trend_reads_only_published_team_groups(monkeypatch, db):
    """The eNPS trend behind an alert holds the team's unsuppressed waves only."""
    from streamlit_app import alerts
    from streamlit_app.access import Scope

    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(db))
    teams = sql(db, "SELECT DISTINCT scope_value FROM meta.alerts WHERE rule_id = 'enps_below_team'")
    if not teams:
        pytest.skip("no eNPS alert in the session lake")
    for (team,) in teams:
        trend = alerts.trend("enps_below_team", team, Scope.all_rows())
        published = sql(
            db,
            "SELECT wave_month, enps FROM marts.employee_enps_wave WHERE breakdown = 'team' AND group_value = ? "
            "AND NOT suppressed ORDER BY wave_month",
            [team],
        )
        assert [(m.date(), v) for m, v in zip(trend["month"], trend["value"], strict=True)] == published
        assert trend["value"].notna().all()


def test_no_alerts_and_no_alert_log_say_so(tmp_path, monkeypatch, db):
    quiet = tmp_path / "quiet.duckdb"
    shutil.copy(db, quiet)
    with duckdb.connect(str(quiet)) as con:
        con.execute("DELETE FROM meta.alerts")
    at = open_app_page(monkeypatch, quiet, PAGE)
    assert any("No alert has been raised" in s.value for s in at.success)
    assert not at.dataframe

    older = tmp_path / "older.duckdb"
    shutil.copy(db, older)
    with duckdb.connect(str(older)) as con:
        con.execute("DROP TABLE meta.alerts")
    at = open_app_page(monkeypatch, older, PAGE)
    assert any("no alert log" in i.value for i in at.info)


def test_nothing_published_shows_how_to_build_it(tmp_path, monkeypatch):
    at = run_app(monkeypatch, tmp_path / "nothing_here.duckdb").switch_page(PAGE)
    at.run()
    assert not at.exception
    assert "No warehouse has been published yet" in " ".join(i.value for i in at.info)
