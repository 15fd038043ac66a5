"""Action triggers: the alert log and its notifications, with real DuckDB files, real apprise, a real local
HTTP server and (sparingly: ~1 min per run) the real pipeline on a clone of the session lake.

The log and notify functions are tested directly against a small DuckDB file; the pipeline runs twice on
one clone: once unchanged (nothing raised twice, nothing notified twice) and once with a planted NPS drop and
sending switched on (exactly one new alert, exactly one POST to the local webhook, a dead URL recorded as
failed while the run still succeeds).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import socket
import threading
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from scipy.stats import poisson

from dagster_project.alerts import NotifySettings, log, notify_pending, sync_alert_log
from dagster_project.alerts.notify import redact
from dagster_project.settings import DBT_PROJECT_DIR
from tests.lake_helpers import BuiltLake, clone_lake, run_lake

ALERT_ENV = ("EMPATHY_LAKE_ALERT_SEND", "EMPATHY_LAKE_ALERT_URLS")


# ------------------------------------------------------------------------------------------- helpers


class _Hook(BaseHTTPRequestHandler):
    received: list[tuple[str, dict]]

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append((self.path, json.loads(body or b"{}")))  # type: ignore[attr-defined]
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):  # keep test output quiet
        pass


class LocalWebhook:
    """A real HTTP server on 127.0.0.1 recording every POST."""

    def __enter__(self) -> LocalWebhook:
        self.server = HTTPServer(("127.0.0.1", 0), _Hook)
        self.server.received = []  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_port}/hook"

    @property
    def received(self) -> list[tuple[str, dict]]:
        return self.server.received  # type: ignore[attr-defined]

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


BREACH_DDL = """
CREATE SCHEMA IF NOT EXISTS marts;
CREATE OR REPLACE TABLE marts.alert_breaches (
    alert_key VARCHAR, rule_id VARCHAR, severity VARCHAR, kpi VARCHAR, scope VARCHAR, scope_value VARCHAR,
    period DATE, kpi_value DOUBLE, previous_value DOUBLE, threshold DOUBLE, min_count INTEGER, base_count DOUBLE,
    previous_base_count DOUBLE, base_unit VARCHAR, z_score DOUBLE, p_value DOUBLE, certainty VARCHAR,
    reason VARCHAR, owner VARCHAR, rule_description VARCHAR)
"""


def set_breaches(con: duckdb.DuckDBPyConnection, *keys: str) -> None:
    """The mart as dbt would leave it: one CSAT breach per key."""
    con.execute("DELETE FROM marts.alert_breaches")
    for key in keys:
        con.execute(
            "INSERT INTO marts.alert_breaches VALUES (?, 'csat_below_location', 'medium', 'csat_pct', 'location', "
            "?, DATE '2025-03-01', 50.0, NULL, 55, 20, 30, NULL, 'answers', 2.6, 0.004, 'rare by chance', "
            "'CSAT at ' || ? || ' was 50.0 %', "
            "'Store manager, ' || ?, 'd')",
            [key, key, key, key],
        )


@pytest.fixture
def log_db(tmp_path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    con.execute(BREACH_DDL)
    yield con
    con.close()


@pytest.fixture(autouse=True)
def _no_alert_env(monkeypatch):
    """Every test starts without sending configured, whatever the developer's shell has."""
    for var in ALERT_ENV:
        monkeypatch.delenv(var, raising=False)


def alerts(con) -> dict[str, tuple]:
    return {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT alert_key, status, first_seen_at, last_seen_at, resolved_at, first_run_id, notification_status "
            "FROM meta.alerts"
        ).fetchall()
    }


# ------------------------------------------------------------------------------- the log, directly


def test_a_breach_is_logged_once_and_resolved_when_it_goes_away(log_db):
    set_breaches(log_db, "Leeds", "York")
    first = sync_alert_log(log_db, "run1", now=datetime(2025, 4, 1))
    assert (first.opened, first.seen_again, first.resolved, first.open_total) == (2, 0, 0, 2)

    second = sync_alert_log(log_db, "run2", now=datetime(2025, 4, 2))
    assert (second.opened, second.seen_again, second.resolved) == (0, 2, 0)
    logged = alerts(log_db)
    assert len(logged) == 2
    assert logged["Leeds"][:5] == ("open", datetime(2025, 4, 1), datetime(2025, 4, 2), None, "run1")

    # The data was corrected: York no longer breaches.
    set_breaches(log_db, "Leeds")
    third = sync_alert_log(log_db, "run3", now=datetime(2025, 4, 3))
    assert (third.opened, third.resolved, third.open_total) == (0, 1, 1)
    assert alerts(log_db)["York"][:4] == ("resolved", datetime(2025, 4, 1), datetime(2025, 4, 2), datetime(2025, 4, 3))

    # Broken again: the same row reopens, first seen unchanged.
    set_breaches(log_db, "Leeds", "York")
    fourth = sync_alert_log(log_db, "run4", now=datetime(2025, 4, 4))
    assert (fourth.opened, fourth.reopened) == (0, 1)
    assert alerts(log_db)["York"][:4] == ("open", datetime(2025, 4, 1), datetime(2025, 4, 4), None)
    assert log_db.execute("SELECT count(*) FROM meta.alerts").fetchone()[0] == 2


def test_a_failing_sync_changes_nothing(log_db):
    set_breaches(log_db, "Leeds")
    sync_alert_log(log_db, "run1")
    log_db.execute("DROP TABLE marts.alert_breaches")
    with pytest.raises(duckdb.CatalogException):
        sync_alert_log(log_db, "run2")
    assert alerts(log_db)["Leeds"][0] == "open"


# ------------------------------------------------------------------------------ notifications, directly


def test_dry_run_is_the_default_and_sends_nothing(log_db):
    set_breaches(log_db, "Leeds")
    sync_alert_log(log_db, "run1")
    calls = []
    logged = []
    run = notify_pending(log_db, "run1", log=logged.append, sender=lambda *a: calls.append(a) or (True, ""))
    assert NotifySettings.from_env() == NotifySettings(urls=(), send=False)
    assert (run.dry_run, run.sent, run.failed, calls) == (1, 0, 0, [])
    assert "CSAT at Leeds was 50.0 %" in logged[0] and "dry run" in logged[0]
    rows = log_db.execute("SELECT alert_key, channel, status, message FROM meta.alert_notifications").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [("Leeds", "dry-run", "dry_run")]
    assert "Owner: Store manager, Leeds" in rows[0][3]
    # Handled: the next run records nothing more.
    assert notify_pending(log_db, "run2", log=logged.append).pending == 0
    assert alerts(log_db)["Leeds"][5] == "dry_run"


def test_an_unnamed_owner_reads_in_words_in_the_notification(log_db):
    """alert_owners.csv names nobody for this team: the message names the owner as the Alerts page does."""
    set_breaches(log_db, "Leeds")
    log_db.execute("UPDATE marts.alert_breaches SET scope = 'team', owner = 'team manager: Store Bath'")
    sync_alert_log(log_db, "run1")
    notify_pending(log_db, "run1", log=lambda m: None)  # a dry run records the message it would send
    [(message,)] = log_db.execute("SELECT message FROM meta.alert_notifications").fetchall()
    assert "Owner: The owner of team Store Bath" in message
    assert "manager:" not in message


def test_sending_posts_once_per_new_alert_to_a_real_webhook(log_db):
    set_breaches(log_db, "Leeds", "York")
    sync_alert_log(log_db, "run1")
    with LocalWebhook() as hook:
        settings = NotifySettings(urls=(hook.url,), send=True)
        run = notify_pending(log_db, "run1", settings, log=lambda m: None)
        assert (run.sent, run.failed) == (2, 0)
        assert sorted(body["title"] for _, body in hook.received) == [
            "[MEDIUM] Empathy Lake alert — Leeds (Mar 2025)",
            "[MEDIUM] Empathy Lake alert — York (Mar 2025)",
        ]
        assert {path for path, _ in hook.received} == {"/hook"}
        # Seen again next run: no second notification.
        sync_alert_log(log_db, "run2")
        assert notify_pending(log_db, "run2", settings, log=lambda m: None).pending == 0
        assert len(hook.received) == 2
    statuses = log_db.execute("SELECT status, count(*) FROM meta.alert_notifications GROUP BY 1").fetchall()
    assert statuses == [("sent", 2)]


def test_an_unreachable_url_is_recorded_failed_and_retried_on_that_channel_only(log_db):
    set_breaches(log_db, "Leeds")
    sync_alert_log(log_db, "run1")
    dead = f"json://127.0.0.1:{closed_port()}/hook"
    with LocalWebhook() as hook:
        settings = NotifySettings(urls=(hook.url, dead), send=True)
        run = notify_pending(log_db, "run1", settings, log=lambda m: None)  # never raises
        assert (run.sent, run.failed) == (0, 1)
        assert len(hook.received) == 1
        assert alerts(log_db)["Leeds"][5] == "failed"
        # Next run: retried, but only on the channel that failed; the live webhook is not posted twice.
        again = notify_pending(log_db, "run2", settings, log=lambda m: None)
        assert (again.pending, again.failed) == (1, 1)
        assert len(hook.received) == 1
        # The dead channel comes back: delivered, and the alert counts as sent.
        fixed = notify_pending(log_db, "run3", NotifySettings(urls=(hook.url,), send=True), log=lambda m: None)
        assert (fixed.pending, fixed.sent, fixed.failed) == (1, 1, 0)
    rows = log_db.execute(
        "SELECT channel, status FROM meta.alert_notifications ORDER BY attempted_at, status"
    ).fetchall()
    assert [status for channel, status in rows if channel == redact(dead)] == ["failed", "failed"]
    assert [status for channel, status in rows if channel == redact(hook.url)] == ["sent"]
    assert alerts(log_db)["Leeds"][0] == "open"  # the alert is never lost


def test_sending_without_urls_fails_visibly_and_is_retried(log_db):
    set_breaches(log_db, "Leeds")
    sync_alert_log(log_db, "run1")
    run = notify_pending(log_db, "run1", NotifySettings(urls=(), send=True), log=lambda m: None)
    assert run.failed == 1 and alerts(log_db)["Leeds"][5] == "failed"
    assert notify_pending(log_db, "run2", NotifySettings(urls=(), send=True), log=lambda m: None).pending == 1


def test_channels_are_recorded_without_credentials():
    channel = redact("mailto://user:s3cret@mail.example.org:587/?to=ops@example.org")
    assert channel.startswith("mailto://mail.example.org:587#")
    assert "s3cret" not in channel and "user" not in channel


# --------------------------------------------------------------------------- the session lake (built)


def test_the_session_lake_raises_a_handful_of_owned_explained_alerts(built_lake: BuiltLake):
    assert built_lake.success
    rows = built_lake.query("SELECT rule_id, status, owner, reason, notification_status FROM meta.alerts", serving=True)
    assert 0 < len(rows) < 50
    assert all(status == "open" and owner and reason for _, status, owner, reason, _ in rows)
    # Dry run by default: every alert handled, nothing sent.
    assert {r[4] for r in rows} == {"dry_run"}
    assert built_lake.query("SELECT DISTINCT status FROM meta.alert_notifications", serving=True) == [("dry_run",)]
    # The log holds exactly the breaches in the published mart.
    assert set(built_lake.query("SELECT alert_key FROM meta.alerts", serving=True)) == set(
        built_lake.query("SELECT alert_key FROM marts.alert_breaches", serving=True)
    )


def test_suppressed_employee_groups_never_raise_an_alert(built_lake: BuiltLake):
    suppressed = built_lake.query(
        "SELECT group_value, wave_month FROM marts.employee_enps_wave WHERE breakdown = 'team' AND suppressed"
    )
    assert suppressed, "the session lake should have suppressed team groups for this test to mean anything"
    leaked = built_lake.query(
        "SELECT a.alert_key FROM meta.alerts a JOIN marts.employee_enps_wave w "
        "ON w.breakdown = 'team' AND w.group_value = a.scope_value AND w.wave_month = a.period "
        "WHERE a.rule_id = 'enps_below_team' AND w.suppressed"
    )
    assert leaked == []
    # And nothing in an alert's text reveals a suppressed group's number.
    enps_alerts = built_lake.query(
        "SELECT count(*) FROM meta.alerts a JOIN marts.employee_enps_wave w ON w.breakdown = 'team' "
        "AND w.group_value = a.scope_value AND w.wave_month = a.period AND NOT w.suppressed "
        "WHERE a.rule_id = 'enps_below_team'"
    )[0][0]
    assert enps_alerts == built_lake.query("SELECT count(*) FROM meta.alerts WHERE rule_id = 'enps_below_team'")[0][0]


# ------------------------------------------------------- alerts that know sampling error (the tested rules)

EVIDENCE_MODEL = DBT_PROJECT_DIR / "models" / "intermediate" / "alerts" / "int_alert_evidence.py"


def _load_evidence_model():
    """The dbt Python model as a module: its functions run here on pandas frames with the real scipy and
    statsmodels, as dbt runs them on the marts."""
    spec = importlib.util.spec_from_file_location("int_alert_evidence", EVIDENCE_MODEL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


evidence_model = _load_evidence_model()


def shipped_rules(**changes) -> pd.DataFrame:
    """The rules as shipped (seeds/alert_rules.csv), with `changes` applied to every row."""
    rules = pd.read_csv(DBT_PROJECT_DIR / "seeds" / "alert_rules.csv")
    return rules.assign(**changes)


def nps_rows(location: str, months: dict[str, tuple[int, int, int]]) -> list[dict]:
    """{month: (answers, promoters, detractors)} as customer_nps_monthly rows."""
    return [
        {"month": f"{m}-01", "location": location, "responses": n, "promoters": p, "detractors": d}
        for m, (n, p, d) in months.items()
    ]


NO_CSAT = pd.DataFrame(columns=["month", "location", "responses", "satisfied_responses"])
# The case: NPS at Cambridge 13.3 from 30 answers, then -31.8 from 22 answers; the months before
# (outside the one-month baseline) are the history the usual swing is judged from.
CAMBRIDGE = nps_rows("Cambridge", {"2025-01": (30, 15, 5), "2025-02": (30, 8, 12), "2025-05": (30, 12, 8),
                                   "2025-06": (22, 4, 11)})  # fmt: skip


def nps_evidence(rows: list[dict], rules: pd.DataFrame | None = None) -> pd.DataFrame:
    frame = evidence_model.evidence(shipped_rules() if rules is None else rules, pd.DataFrame(rows), NO_CSAT)
    return frame[frame["rule_id"] == "nps_drop_location"].set_index(["scope_value", "period"])


def test_a_noisy_small_sample_drop_does_not_fire():
    """30 -> 22 answers, 13.3 -> -31.8: about two standard errors of a difference, which chance alone gives
    about 1 time in 50: the shipped rule (p < 0.01) does not fire, where the fixed 30-point rule did."""
    row = nps_evidence(CAMBRIDGE).loc[("Cambridge", date(2025, 6, 1))]
    assert round(row["kpi_value"], 1) == -31.8 and round(row["baseline_value"], 1) == 13.3
    assert (row["base_count"], row["baseline_count"]) == (22, 30)
    assert row["z_score"] < 2.2 and row["p_value"] > 0.01
    assert not row["fires"]
    # Without the test (any p-value passes, as the old fixed rule did) the same drop fires: the p-value is
    # what keeps this noise quiet.
    old_rule = nps_evidence(CAMBRIDGE, shipped_rules(max_p_value=1.0))
    assert old_rule.loc[("Cambridge", date(2025, 6, 1)), "fires"]


def test_a_real_large_drop_with_many_answers_fires_as_very_rare_by_chance():
    months = {"2025-02": (400, 200, 40), "2025-03": (400, 200, 40), "2025-04": (400, 200, 40),
              "2025-05": (400, 200, 40),
              "2025-06": (400, 120, 100)}  # fmt: skip
    frame = nps_evidence(nps_rows("Leeds", months))
    row = frame.loc[("Leeds", date(2025, 6, 1))]
    # The month against the 3 months before, pooled (1,200 answers at NPS 40).
    assert (row["baseline_start"], row["baseline_end"]) == (date(2025, 3, 1), date(2025, 5, 1))
    assert (row["baseline_value"], row["baseline_count"], row["kpi_value"]) == (40.0, 1200, 5.0)
    assert row["z_score"] > 8 and row["p_value"] < 1e-10
    assert row["fires"] and row["almost_certain"] and row["certainty"] == "very rare by chance"
    # A stable month never fires; a drop smaller than the threshold never fires however sure.
    assert not frame.loc[("Leeds", date(2025, 5, 1)), "fires"]
    small_drop = nps_evidence(nps_rows("Leeds", {**months, "2025-06": (4000, 1600, 400)}))
    assert small_drop.loc[("Leeds", date(2025, 6, 1)), "p_value"] < 0.001
    assert not small_drop.loc[("Leeds", date(2025, 6, 1)), "fires"]  # 40 -> 30: 10 points, under 20


def test_small_months_are_judged_on_their_trailing_window():
    """8 answers a month is under min_count (20): each month is pooled with the two before it, and the
    baseline is the three months before that window."""
    months = {f"2025-{m:02d}": (8, 6, 0) for m in range(1, 4)}
    months |= {f"2025-{m:02d}": (8, 0, 7) for m in range(4, 7)}
    frame = nps_evidence(nps_rows("Ely", months))
    assert date(2025, 1, 1) not in frame.loc["Ely"].index.tolist()  # 8 answers, nothing before it
    row = frame.loc[("Ely", date(2025, 6, 1))]
    assert (row["window_start"], row["window_months"], row["base_count"]) == (date(2025, 4, 1), 3, 24)
    assert (row["baseline_start"], row["baseline_count"]) == (date(2025, 1, 1), 24)
    assert row["fires"] and row["kpi_value"] == -87.5 and row["baseline_value"] == 75.0


def test_csat_below_the_floor_fires_only_when_unlikely_by_chance():
    csat = pd.DataFrame(
        [
            {"month": "2025-06-01", "location": "Leeds", "responses": 200, "satisfied_responses": 90},  # 45 %
            {"month": "2025-06-01", "location": "York", "responses": 20, "satisfied_responses": 10},  # 50 %
        ]
    )
    frame = evidence_model.evidence(shipped_rules(), pd.DataFrame(columns=CAMBRIDGE[0].keys()), csat)
    frame = frame.set_index("scope_value")
    assert frame.loc["Leeds", "fires"] and frame.loc["Leeds", "p_value"] < 0.01
    assert round(frame.loc["Leeds", "z_score"], 1) == 2.8  # (55 - 45) / (100 * sqrt(.55 * .45 / 200))
    # 10 of 20 is under 55 %, but 20 answers cannot tell 50 % from 55 %: no alert (the old rule fired).
    assert not frame.loc["York", "fires"] and frame.loc["York", "certainty"] == "common by chance"


def brand_rows(source: str, months: dict[str, tuple[int, int, int, int]]) -> pd.DataFrame:
    """{month: (texts, scored, positive, negative)} as brand_sentiment_monthly rows, split over two platforms
    (the tests sum them)."""
    rows = []
    for month, counts in months.items():
        for half in (0, 1):
            texts, scored, positive, negative = (c // 2 + (c % 2) * (1 - half) for c in counts)
            rows.append({"month": f"{month}-01", "source": source, "texts": texts, "scored_texts": scored,
                         "positive_texts": positive, "negative_texts": negative})  # fmt: skip
    return pd.DataFrame(rows)


def brand_evidence(brand: pd.DataFrame, rule_id: str) -> pd.DataFrame:
    empty_nps = pd.DataFrame(columns=CAMBRIDGE[0].keys())
    frame = evidence_model.evidence(shipped_rules(), empty_nps, NO_CSAT, brand)
    return frame[frame["rule_id"] == rule_id].set_index("period")


def test_a_mention_spike_fires_against_a_steady_baseline_and_not_against_a_bursty_one():
    steady = [100, 110, 95, 105, 98, 102]
    months = {f"2025-{m:02d}": (n, 0, 0, 0) for m, n in enumerate([*steady, 200, 130], start=1)}
    frame = brand_evidence(brand_rows("mention", months), "brand_mentions_spike")
    spike = frame.loc[date(2025, 7, 1)]
    assert round(spike["baseline_value"], 2) == 101.67
    assert spike["fires"] and spike["almost_certain"] and spike["scope_value"] == "social mentions"
    # 130 after a month of 200 (the baseline now holds the spike): 30 % up at most, under the 50 % threshold.
    assert not frame.loc[date(2025, 8, 1), "fires"]
    # The same 200 after bursty months (40..160): the usual swing explains it, so no alert, although a plain
    # Poisson limit (variance = mean) would call it certain.
    bursty = [40, 160, 60, 140, 50, 150]
    months = {f"2025-{m:02d}": (n, 0, 0, 0) for m, n in enumerate([*bursty, 200], start=1)}
    row = brand_evidence(brand_rows("mention", months), "brand_mentions_spike").loc[date(2025, 7, 1)]
    assert row["p_value"] > 0.01 and not row["fires"]
    assert poisson.sf(199, row["baseline_value"]) < 1e-15


def test_the_usual_month_is_an_estimate_so_the_mention_limit_is_wider():
    """20 mentions in each of 6 months, then 32: a Poisson limit around a known mean of 20 gives p = 0.008,
    but the usual month is estimated from 6 months, so its spread is inflated by (1 + 1/6): p = 0.014, no
    alert; 35 mentions still fire."""
    months = {f"2025-{m:02d}": (20, 0, 0, 0) for m in range(1, 7)}
    frame = brand_evidence(brand_rows("mention", {**months, "2025-07": (32, 0, 0, 0)}), "brand_mentions_spike")
    row = frame.loc[date(2025, 7, 1)]
    assert poisson.sf(31, 20) < 0.01 < row["p_value"] and not row["fires"]
    frame = brand_evidence(brand_rows("mention", {**months, "2025-07": (35, 0, 0, 0)}), "brand_mentions_spike")
    assert frame.loc[date(2025, 7, 1), "fires"]


def test_a_brand_sentiment_drop_fires_only_when_unlikely_by_chance():
    # Sentiment 40 from 600 scored texts in the 6 months before (a year of steady history).
    baseline = {f"{2024 + m // 12}-{m % 12 + 1:02d}": (120, 100, 60, 20) for m in range(6, 18)}
    real = brand_evidence(brand_rows("review", {**baseline, "2025-07": (120, 100, 20, 50)}), "brand_sentiment_drop")
    row = real.loc[date(2025, 7, 1)]
    assert (row["scope_value"], row["kpi_value"], row["baseline_value"]) == ("reviews", -30.0, 40.0)
    assert row["fires"] and row["p_value"] < 0.001
    # The same drop in a month of 12 scored texts (under min_count 30): judged on its 6 months together with
    # the five before, the drop is diluted and does not fire.
    small = brand_evidence(brand_rows("review", {**baseline, "2025-07": (12, 12, 2, 6)}), "brand_sentiment_drop")
    row = small.loc[date(2025, 7, 1)]
    assert row["window_months"] == 6 and not row["fires"]


def swinging_reviews(sentiments: list[int], scored: int = 600) -> pd.DataFrame:
    """Reviews with `scored` scored texts a month at the given monthly sentiments (positive - negative in %)."""
    months = {}
    for m, s in enumerate(sentiments):
        negative = scored * (50 - s) // 200  # positive + negative = half the texts
        months[f"{2024 + m // 12}-{m % 12 + 1:02d}"] = (scored, scored, scored // 2 - negative, negative)
    return brand_rows("review", months)


# A business with hundreds of scored reviews a month whose sentiment swings between ~20 and ~45 every month.
ORDINARY_SWINGS = [40, 20, 45, 24, 42, 18, 38, 22, 44, 20, 40, 24, 42, 20]


def test_ordinary_month_to_month_swings_on_big_samples_do_not_fire():
    """With 600 scored texts a month, sampling error alone is ~3 points, so a sampling-only test calls every
    low month of an ordinary ±12-point swing "almost certain". The between-month variance of the trailing
    history is part of the test: a month at the low end of the usual swing does not fire; a real shift does."""
    ordinary = brand_evidence(swinging_reviews([*ORDINARY_SWINGS, 14]), "brand_sentiment_drop")
    row = ordinary.loc[date(2025, 3, 1)]
    assert row["baseline_value"] - row["kpi_value"] > 15  # over the threshold: the test decides
    assert not ordinary["fires"].any() and row["p_value"] > 0.01
    shifted = brand_evidence(swinging_reviews([*ORDINARY_SWINGS, -40]), "brand_sentiment_drop")
    assert shifted.loc[date(2025, 3, 1), "fires"]
    # The same holds for NPS at a big location.
    nps = [
        {"month": r["month"], "location": "Leeds", "responses": r["scored_texts"], "promoters": r["positive_texts"],
         "detractors": r["negative_texts"]}
        for r in swinging_reviews([*ORDINARY_SWINGS, 14]).to_dict("records")
    ]  # fmt: skip
    assert not nps_evidence(nps)["fires"].any()


# ------------------------------------------------------------- the pipeline re-run, then with a planted breach

PLANTED_LOCATION, PLANTED_MONTHS = "Brighton", ("2025-06", "2025-07")


def plant_nps_drop(landing: Path) -> None:
    """25 promoters at Brighton in one month and 25 detractors the next: an NPS drop far over the rule's. The
    session lake's months are small, so the 3-month windows that hold the planted month can raise a second
    alert later (D177); the test expects the planted month's alert among the new ones."""
    path = landing / "customer_responses" / "customer_responses_planted.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["response_id", "customer_id", "ticket_id", "survey_type", "score", "comment", "touchpoint",
                         "location", "responded_at"])  # fmt: skip
        for month, score in zip(PLANTED_MONTHS, (10, 0), strict=True):
            for i in range(25):
                writer.writerow([f"PLANT-{month}-{i}", "", "", "NPS", score, "", "store", PLANTED_LOCATION,
                                 f"{month}-1{i % 10} 12:00:00"])  # fmt: skip


@pytest.fixture(scope="module")
def alerts_rerun(built_lake: BuiltLake, rerun_lake: BuiltLake, tmp_path_factory):
    """The session lake before and after its unchanged re-run (dry run; tests/conftest.py rerun_lake), then a
    clone of the re-run lake run again with a planted NPS drop and sending on to a live local webhook plus a
    dead URL. Snapshots of meta.alerts / meta.alert_notifications after each."""

    def snapshot(build: Path):
        with duckdb.connect(str(build), read_only=True) as con:
            return {
                "alerts": {
                    r[0]: r[1:]
                    for r in con.execute(
                        "SELECT alert_key, first_seen_at, first_run_id, status, rule_id, scope_value, period, "
                        "notification_status FROM meta.alerts"
                    ).fetchall()
                },  # fmt: skip
                "notifications": con.execute(
                    "SELECT alert_key, channel, status FROM meta.alert_notifications ORDER BY attempted_at"
                ).fetchall(),
            }

    before = snapshot(built_lake.settings.build_db)
    after_rerun = snapshot(rerun_lake.settings.build_db)
    home = clone_lake(rerun_lake, tmp_path_factory.mktemp("alerts_lake"))
    build = home / "warehouse" / "build.duckdb"
    saved = {v: os.environ.get(v) for v in ALERT_ENV}
    try:
        plant_nps_drop(home / "landing")
        dead = f"json://127.0.0.1:{closed_port()}/hook"
        with LocalWebhook() as hook:
            os.environ["EMPATHY_LAKE_ALERT_SEND"] = "1"
            os.environ["EMPATHY_LAKE_ALERT_URLS"] = f"{hook.url},{dead}"
            planted_ok = run_lake(home)
            received = list(hook.received)
            live_channel = redact(hook.url)
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value
    with duckdb.connect(str(home / "warehouse" / "serving" / "empathy_lake.duckdb"), read_only=True) as con:
        served = con.execute("SELECT count(*) FROM meta.alerts").fetchone()[0]
    return {
        "before": before,
        "rerun_ok": rerun_lake.success,
        "after_rerun": after_rerun,
        "planted_ok": planted_ok,
        "after_planted": snapshot(build),
        "received": received,
        "live_channel": live_channel,
        "dead_channel": redact(dead),
        "served": served,
    }


def test_rerunning_the_pipeline_raises_and_notifies_nothing_twice(alerts_rerun):
    assert alerts_rerun["rerun_ok"]
    before, after = alerts_rerun["before"], alerts_rerun["after_rerun"]
    assert before["alerts"] and after["alerts"] == before["alerts"]  # same keys, first_seen_at, first run
    assert after["notifications"] == before["notifications"]


def test_a_planted_breach_opens_its_alerts_once_with_one_post_each(alerts_rerun):
    assert alerts_rerun["planted_ok"], "a dead notification URL must not fail the run"
    before, after = alerts_rerun["after_rerun"]["alerts"], alerts_rerun["after_planted"]["alerts"]
    new = {k: v for k, v in after.items() if k not in before}
    # The planted month, and at most the later windows that hold it (D177), all NPS drops at Brighton.
    assert 1 <= len(new) <= 3
    assert {(v[2], v[3], v[4], v[6]) for v in new.values()} == {
        ("open", "nps_drop_location", PLANTED_LOCATION, "failed")  # the dead URL: retried on the next run
    }
    assert "2025-07-01" in {str(v[5]) for v in new.values()}
    # Existing alerts untouched.
    assert {k: v[:2] for k, v in after.items() if k in before} == {k: v[:2] for k, v in before.items()}
    # The live webhook got exactly one POST per new alert; the dead one is recorded as failed for each.
    assert len(alerts_rerun["received"]) == len(new)
    assert all("NPS at Brighton fell" in body["message"] for _, body in alerts_rerun["received"])
    for key in new:
        attempts = [n for n in alerts_rerun["after_planted"]["notifications"] if n[0] == key]
        assert sorted(attempts) == sorted(
            [(key, alerts_rerun["live_channel"], "sent"), (key, alerts_rerun["dead_channel"], "failed")]
        )
    # Old alerts were handled as dry runs and are not sent now that sending is on.
    notified = len(alerts_rerun["after_planted"]["notifications"]) - len(alerts_rerun["after_rerun"]["notifications"])
    assert notified == 2 * len(new)
    assert alerts_rerun["served"] == len(after)


def test_a_log_from_before_the_tested_rules_gains_their_columns(tmp_path):
    """A lake whose meta.alerts predates z_score / p_value / certainty keeps its alerts and gets the columns."""
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute(BREACH_DDL)
    con.execute("CREATE SCHEMA meta")
    old = log.CREATE_ALERTS
    for column in ("    z_score DOUBLE,", "    p_value DOUBLE,", "    certainty VARCHAR,"):
        old = "\n".join(line for line in old.splitlines() if not line.startswith(column))
    con.execute(old)
    con.execute("INSERT INTO meta.alerts (alert_key, rule_id, status, first_seen_at, last_seen_at) "
                "VALUES ('k0', 'csat_below_location', 'open', now(), now())")  # fmt: skip
    set_breaches(con, "Leeds")
    sync_alert_log(con, "run-2")
    rows = con.execute("SELECT alert_key, status, certainty FROM meta.alerts ORDER BY alert_key").fetchall()
    assert rows == [("Leeds", "open", "rare by chance"), ("k0", "resolved", None)]
    con.close()


def test_a_customer_alert_never_names_the_customers_pseudonym_in_the_notification(log_db):
    """Walk s19: a customer's "cus_..." code must not be in text a person reads, even from a log raised before the
    rule's sentence left it out: the message says "A customer" (labels.alert_reason_words, the dashboard's words)."""
    set_breaches(log_db, "Leeds")
    code = "cus_0123456789abcdef"
    log_db.execute(
        "UPDATE marts.alert_breaches SET scope = 'customer', scope_value = ?, reason = ?",
        [code, f"Customer {code} (Leeds) gave 5 negative feedback events in a row"],
    )
    sync_alert_log(log_db, "run1")
    notify_pending(log_db, "run1", log=lambda m: None)
    [(message,)] = log_db.execute("SELECT message FROM meta.alert_notifications").fetchall()
    assert "cus_" not in message and "A customer (Leeds) gave 5 negative" in message
