"""The Alerts page (streamlit_app/app_pages/alerts.py) on the session lake's real serving copy: what it shows
equals SQL on meta.alerts, filters narrow the table, the "why" of an alert is its reason and numbers, and a
publication without alerts or without an alert log says so."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from streamlit_app import alerts
from tests.dashboard_expectations import assert_shows
from tests.lake_helpers import BuiltLake
from tests.test_dashboard_apptest import chart_specs, metric, open_app_page, rerun, run_app, vega_lite_errors

PAGE = "app_pages/alerts.py"
PSEUDONYM = "cus_0123456789abcdef"  # a customer alert's scope value, as the rules write it (a keyed hash)


@pytest.fixture(scope="module")
def db(built_lake: BuiltLake) -> Path:
    assert built_lake.success
    return built_lake.settings.serving_db


def owner_shown(owner: str) -> str:
    """What the page shows for an owner, restated: a name from alert_owners.csv as written; the code the rules
    write when it names nobody ("team manager: X") as who that is: the login file's role label for the place
    (tests/dashboard_login.py scopes its "Location or team manager" users to LOCATION and TEAM), else "The
    owner of ..."."""
    from tests.dashboard_login import LOCATION, TEAM

    kind, _, place = owner.partition(" manager: ")
    if not place:
        return owner
    where = {"location": place, "team": f"team {place}", "brand": "the brand"}[kind]
    if (kind, place) in {("location", LOCATION), ("team", TEAM)}:
        return f"Location or team manager for {where}"
    return f"The owner of {where}"


def sql(db: Path, query: str, params=None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


def alerts_table(at):
    [table] = [d.value for d in at.dataframe if "what" in d.value.columns]
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
    shown = {(r.what, r.owner, round(r.kpi_value, 6)) for r in table.itertuples()}
    assert shown == {(alerts.rule_title(r[2]), owner_shown(r[4]), round(r[5], 6)) for r in expected}
    assert not [o for o in table["owner"] if "manager:" in o], "an owner's code shown raw"
    assert set(table["status_words"]) == {"Open"}


def test_a_severity_filter_narrows_the_table(monkeypatch, db):
    at = open_app_page(monkeypatch, db, PAGE)
    at.multiselect(key="alert_severity").set_value(["high"])
    rerun(at)
    [(high,)] = sql(db, "SELECT count(*) FROM meta.alerts WHERE status = 'open' AND severity = 'high'")
    if high:
        assert set(alerts_table(at)["severity_words"]) == {"High"} and len(alerts_table(at)) == high
    else:
        assert "No alert matches these filters." in [i.value for i in at.info]


def test_the_why_of_each_alert_is_its_reason_and_numbers(monkeypatch, db):
    at = open_app_page(monkeypatch, db, PAGE)
    picker = at.selectbox(key="alert_key")
    for index in (0, len(picker.options) - 1):
        at.selectbox(key="alert_key").select_index(index)
        rerun(at)
        key = at.selectbox(key="alert_key").value
        [(reason, value, previous, threshold, base_count, owner)] = sql(
            db,
            "SELECT reason, kpi_value, previous_value, threshold, base_count, owner FROM meta.alerts "
            "WHERE alert_key = ?",
            [key],
        )
        assert reason in [i.value for i in at.info]
        cards = {m.label: m.value for m in at.metric}
        other_cards = {"Open alerts", "Open, high severity", "Resolved", "Usual level before", "Alert line",
                       "How often by chance"}  # fmt: skip
        value_label = next(label for label in cards
                           if label not in other_cards and not label.startswith("Based on"))  # fmt: skip
        assert_shows(cards[value_label], value)
        assert [errors for spec in chart_specs(at) if (errors := vega_lite_errors(spec))] == []  # charts.unvalidated
        if previous is None:
            assert_shows(cards["Alert line"], threshold)
        else:
            assert_shows(cards["Usual level before"], previous)
        assert_shows(next(v for k, v in cards.items() if k.startswith("Based on")), base_count)
        assert any(f"Owner: **{owner_shown(owner)}**" in c.value for c in at.caption)


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
    assert any("holds no alerts yet" in i.value for i in at.info)


def test_nothing_published_shows_how_to_build_it(tmp_path, monkeypatch):
    at = run_app(monkeypatch, tmp_path / "nothing_here.duckdb").switch_page(PAGE)
    at.run()
    assert not at.exception
    assert "No warehouse has been published yet" in " ".join(i.value for i in at.info)


# --- plain words and the drill-down, on a synthetic serving copy (no pipeline run) ------------------------
def synthetic_alerts_db(directory: Path) -> Path:
    """The fixture's serving copy with three alerts (a tested NPS drop at the login fixture's location with its
    detractor comments, another location's comment, a brand sentiment drop, an untested team alert)."""
    from dagster_project.alerts.log import CREATE_ALERTS
    from tests.dashboard_login import LOCATION, TEAM
    from tests.serving_fixture import sample_serving_db

    db = sample_serving_db(directory)
    seen = "TIMESTAMP '2025-07-02 06:30:00'"
    with duckdb.connect(str(db)) as con:
        con.execute(CREATE_ALERTS)
        con.execute(
            f"""INSERT INTO meta.alerts (alert_key, rule_id, severity, kpi, scope, scope_value, period, kpi_value,
                previous_value, threshold, min_count, base_count, previous_base_count, base_unit, z_score, p_value,
                certainty, reason, owner, rule_description, status, first_seen_at, last_seen_at,
                notification_status) VALUES
            ('k-nps', 'nps_drop_location', 'high', 'nps', 'location', '{LOCATION}', DATE '2025-06-01', -31.8,
             13.3, 20, 20, 22, 90, 'answers', 3.4, 0.0003, 'very rare by chance',
             'NPS at {LOCATION} fell to -31.8 in Jun 2025', 'Store manager, {LOCATION}',
             'NPS fell by more than 20 points', 'open', {seen}, {seen}, 'dry_run'),
            ('k-brand', 'brand_sentiment_drop', 'medium', 'brand_sentiment', 'brand', 'reviews', DATE '2025-06-01',
             -30, 40, 15, 30, 100, 600, 'scored texts', 5.1, 0.0000001, 'very rare by chance',
             'Brand sentiment in reviews fell', 'Brand and marketing lead', 'Brand sentiment fell', 'open', {seen},
             {seen}, 'dry_run'),
            ('k-team', 'team_turnover_above', 'high', 'turnover_pct_3m', 'team', '{TEAM}', DATE '2025-06-01', 30,
             NULL, 20, 8, 10, NULL, 'average headcount', NULL, NULL, NULL, 'Turnover in team {TEAM} was 30 %',
             'Head of {TEAM}', 'A team''s turnover over the last 3 months is above 20 %', 'open', {seen}, {seen},
             NULL),
            ('k-cust', 'customer_negative_run', 'medium', 'negative_run', 'customer', '{PSEUDONYM}',
             DATE '2025-06-01', 5, NULL, 5, 1, 5, NULL, 'events', NULL, NULL, NULL,
             'Customer {PSEUDONYM} ({LOCATION}) gave 5 negative feedback events in a row from 2 May 2025 to 9 Jun 2025',
             'Store manager, {LOCATION}', 'A customer gave at least 5 negative feedback events in a row', 'open',
             {seen}, {seen}, 'dry_run')"""
        )
        con.execute("DELETE FROM marts.customer_nps_detractor_comments")
        con.execute(
            f"""INSERT INTO marts.customer_nps_detractor_comments (response_id, month, responded_at, score, comment,
                location, touchpoint) VALUES
            ('r1', DATE '2025-06-01', TIMESTAMP '2025-06-03 10:00:00', 2, 'Nobody helped me at the till',
             '{LOCATION}', 'store'),
            ('r2', DATE '2025-06-01', TIMESTAMP '2025-06-04 10:00:00', 1, 'Another town entirely', 'York', 'store')"""
        )
    return db


def page_words(at) -> str:
    """Everything a person reads on the page: text, cards, pickers and table cells."""
    parts = [e.value for group in (at.markdown, at.caption, at.info, at.title, at.subheader) for e in group]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [str(o) for w in (*at.selectbox, *at.multiselect) for o in w.options]
    parts += [str(v) for d in at.dataframe for v in d.value.astype(str).to_numpy().ravel()]
    return "\n".join(parts)


RULE_OF = {"k-nps": "nps_drop_location", "k-brand": "brand_sentiment_drop", "k-team": "team_turnover_above",
           "k-cust": "customer_negative_run"}  # fmt: skip
RAW = [*alerts.RULE_TITLES, "dbt_project", "alert_rules", ".csv", "docs/", "dry_run", "{", "threshold", "min_count",
       "None", "rule_id", "meta.alerts"]  # fmt: skip


@pytest.mark.parametrize("key", ["k-nps", "k-brand", "k-team", "k-cust"])
def test_the_page_speaks_plain_words(tmp_path, monkeypatch, key):
    """No raw code, and no customer's pseudonym: an alert about a customer names "A customer" in its sentence, its
    row and its picker, even in a log written when the sentence held the code (walk s19)."""
    at = open_app_page(monkeypatch, synthetic_alerts_db(tmp_path), PAGE)
    at.selectbox(key="alert_key").set_value(key)
    rerun(at)
    words = page_words(at)
    assert [raw for raw in RAW if raw in words] == []
    assert PSEUDONYM not in words and "cus_" not in words
    assert alerts.rule_title(RULE_OF[key]) in words
    if key in ("k-nps", "k-brand"):
        assert "Not sent: notifications are in test mode" in words and "Very rare by chance" in words
    elif key == "k-team":
        # Why there is no chance test, in words (walk s19: a bare "Not tested" on every turnover alert).
        assert "Not sent yet" in words and "No chance test: every leaver is counted, not sampled" in words
        assert "Not tested" not in words
    else:
        assert "gave 5 negative" in words and "A customer (owner: Store manager, " in words
        assert "No chance test: one customer's own messages in a row" in words


def test_an_alert_leads_to_the_comments_behind_it_within_the_viewers_rows(tmp_path, monkeypatch):
    from tests.dashboard_login import LOCATION

    db = synthetic_alerts_db(tmp_path)
    at = open_app_page(monkeypatch, db, PAGE)
    at.selectbox(key="alert_key").set_value("k-nps")
    rerun(at)
    [comments] = [d.value for d in at.dataframe if "Comment" in d.value.columns]
    assert list(comments["Comment"]) == ["Nobody helped me at the till"]  # that location and month only
    # A manager of that location: their alert and its comments, never the brand's or another team's alert.
    at = rerun(run_app(monkeypatch, db, "location-manager").switch_page(PAGE))
    picker = at.selectbox(key="alert_key")
    assert picker.value == "k-nps" and len(picker.options) == 1 and LOCATION in picker.options[0]
    [comments] = [d.value for d in at.dataframe if "Comment" in d.value.columns]
    assert list(comments["Comment"]) == ["Nobody helped me at the till"]


def test_a_csat_alert_says_its_comments_are_nps_detractors(tmp_path, monkeypatch):
    """CSAT answers carry no published comments: under a CSAT alert the page shows the location's NPS detractor
    comments of that month and its heading says that is what they are."""
    db = synthetic_alerts_db(tmp_path)
    with duckdb.connect(str(db)) as con:
        con.execute(
            """INSERT INTO meta.alerts SELECT * REPLACE ('k-csat' AS alert_key, 'csat_below_location' AS rule_id,
               'csat_pct' AS kpi) FROM meta.alerts WHERE alert_key = 'k-nps'"""
        )
    at = open_app_page(monkeypatch, db, PAGE)
    at.selectbox(key="alert_key").set_value("k-csat")
    rerun(at)
    headings = [m.value for m in at.markdown]
    assert any("CSAT answers have no published comments" in h and "NPS detractors" in h for h in headings)
    [comments] = [d.value for d in at.dataframe if "Comment" in d.value.columns]
    assert list(comments["Comment"]) == ["Nobody helped me at the till"]


def test_a_turnover_trend_draws_no_zero_before_the_staff_records_start(tmp_path, monkeypatch):
    """Walk s19: the selected turnover alert's chart drew 0 % for 2017-2023, years in which the HR extract records no
    one leaving (it lists the staff employed since). The trend now starts at the first 3 months on or after the
    first recorded leaver, and a month without a figure is a gap (NULL), never 0."""
    from streamlit_app.access import Scope
    from tests.dashboard_login import TEAM

    db = synthetic_alerts_db(tmp_path)
    months = pd.date_range("2022-01-01", "2025-06-01", freq="MS")
    rows = pd.DataFrame(
        {
            "month": months.date,
            "team": TEAM,
            "location": "HQ",
            "separations": [0 if m < pd.Timestamp("2024-01-01") else 1 for m in months],
            "headcount_start": 10,
            "headcount_end": 10,
            "avg_headcount": 10.0,
            "employees": 11,
        }
    )
    rows = rows[rows["month"] != dt.date(2025, 2, 1)]  # a month the extract lacks: a gap, not a zero
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM marts.employee_headcount_monthly")
        con.register("rows", rows)
        con.execute("INSERT INTO marts.employee_headcount_monthly BY NAME SELECT * FROM rows")
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(db))
    trend = alerts.trend("team_turnover_above", TEAM, Scope.all_rows())
    assert trend["month"].min() == pd.Timestamp("2024-03-01"), "windows before the first leaver are unknown"
    assert not (trend["value"] == 0).any()
    gaps = trend.loc[trend["value"].isna(), "month"].dt.strftime("%Y-%m").tolist()
    assert gaps == ["2025-02", "2025-03", "2025-04"], gaps  # every window holding the missing month
    at = open_app_page(monkeypatch, db, PAGE)
    at.selectbox(key="alert_key").set_value("k-team")
    rerun(at)
    note = " ".join(c.value for c in at.caption)
    assert "record no one leaving before Jan 2024" in note and "A gap is a month without a figure" in note
    assert [errors for spec in chart_specs(at) if (errors := vega_lite_errors(spec))] == []
