"""The weekly digest (dagster_project/digest): built from a serving copy written here with the tables a publish
writes (marts.kpi_summary exactly as the summary contract says, the owners seed, the alert log), rendered as
HTML and text, and sent with real apprise to a real HTTP server on localhost (tests/test_alerts.LocalWebhook).

Expected numbers are read from the file with SQL; each check has its failing case (another owner's numbers,
a resolved alert, a hostile name, a dead channel, a missing table).
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from dagster_project.alerts.notify import NotifySettings
from dagster_project.digest.build import collect_digests, format_change, format_kpi
from dagster_project.digest.deliver import run_digests
from tests.test_alerts import LocalWebhook, closed_port

# marts.kpi_summary as the shared contract defines it (the summary engineer may add columns, never drop these).
KPI_SUMMARY_DDL = """area VARCHAR, kpi VARCHAR, kpi_label VARCHAR, unit VARCHAR, higher_is_better BOOLEAN,
    scope VARCHAR, scope_value VARCHAR, period_start DATE, period_end DATE, value DOUBLE, n BIGINT,
    previous_value DOUBLE, previous_n BIGINT, last_year_value DOUBLE, last_year_n BIGINT, target DOUBLE,
    status VARCHAR, decimals INTEGER, n_noun VARCHAR, measure VARCHAR"""
OWNERS_DDL = "scope VARCHAR, scope_value VARCHAR, owner VARCHAR"  # marts.alert_owners (the seed)
ALERTS_DDL = """alert_key VARCHAR, rule_id VARCHAR, severity VARCHAR, kpi VARCHAR, scope VARCHAR,
    scope_value VARCHAR, period DATE, kpi_value DOUBLE, previous_value DOUBLE, threshold DOUBLE, min_count INTEGER,
    base_count DOUBLE, previous_base_count DOUBLE, base_unit VARCHAR, reason VARCHAR, owner VARCHAR,
    rule_description VARCHAR, status VARCHAR, first_seen_at TIMESTAMP, last_seen_at TIMESTAMP,
    resolved_at TIMESTAMP, first_run_id VARCHAR, last_run_id VARCHAR, notified_at TIMESTAMP,
    notification_status VARCHAR"""  # meta.alerts as the alert log publishes it

HOSTILE = '<script>alert("x")</script> & <b>Co</b>'
LEEDS, YORK = "Store manager, Leeds", "Store manager, York"
BRAND, DIRECTOR = "Brand and marketing lead", "Managing director"  # the seed's `brand, All`; a business owner
KPIS = [  # area, kpi, label, unit, higher is better, target
    ("Customers", "nps", "NPS", "pts", True, 30.0),
    ("Customers", "csat_pct", "CSAT (top-2-box)", "%", True, None),
    ("Employees", "turnover_pct", "Turnover", "%", False, 5.0),
    ("Support", "cost_per_ticket", "Cost per ticket", "money", False, None),
]
# Each scope's latest value per KPI: distinct numbers, so one owner's can be told from another's.
VALUES = {
    ("business", "All"): (21.5, 71.25, 6.5, 12.4),
    ("location", "Leeds"): (41.3, 83.4, 4.1, 9.87),
    ("location", "York"): (-17.9, 66.1, 8.6, 15.02),
    ("location", HOSTILE): (3.3, 55.5, 2.2, 7.77),
    ("team", "Store Bath"): (12.6, 60.6, 11.1, 10.01),
}
LATEST, PREVIOUS = dt.date(2025, 11, 1), dt.date(2025, 10, 1)


def kpi_summary() -> pd.DataFrame:
    rows = []
    for (scope, value), numbers in VALUES.items():
        for (area, kpi, label, unit, better, target), number in zip(KPIS, numbers, strict=True):
            status = None if target is None else ("on target" if (number >= target) == better else "off target")
            for start, shift in ((LATEST, 0.0), (PREVIOUS, 99.0)):  # the earlier month must not be shown
                end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
                rows.append(
                    (area, kpi, label, unit, better, scope, value, start, end, number + shift, 120, number - 2.0)
                    + (100, number, 90, target, status, 2 if unit == "money" else 1, "answers", "ratio")
                )
    # A KPI with no data this month for York: "no data", never 0.
    rows.append(
        ("Brand", "brand_sentiment", "Brand sentiment", "", True, "location", "York", LATEST, dt.date(2025, 11, 30))
        + (None, 0, None, None, None, None, None, None, 1, "scored texts", "ratio")
    )
    end = dt.date(2025, 11, 30)
    # A ratio on 7 answers (below the dashboard's minimum of 30), the business's Brand KPIs (one a count on 3).
    rows.append(
        ("Support", "ces_mean", "Customer effort (CES, 1-7)", "", True, "location", "Leeds", LATEST, end, 5.86, 7)
        + (5.5, 9, None, None, None, None, 2, "answers", "ratio")
    )
    rows.append(
        ("Brand", "review_rating", "Average review rating (1-5)", "", True, "business", "All", LATEST, end, 4.23)
        + (250, 4.1, 240, None, None, None, None, 2, "reviews", "ratio")
    )
    rows.append(
        ("Brand", "mention_volume", "Mentions", "", True, "business", "All", LATEST, end, 3.0, 3)
        + (5.0, 5, None, None, None, None, 0, "mentions", "count")
    )
    columns = [c.split()[0] for c in KPI_SUMMARY_DDL.replace("\n", " ").split(",")]
    return pd.DataFrame(rows, columns=[c.strip() for c in columns])


def alert_rows() -> pd.DataFrame:
    seen = dt.datetime(2025, 12, 1, 6, 0)

    def alert(key, severity, scope, value, period, reason, owner, status="open"):
        breach = (key, "rule", severity, "nps", scope, value, period, None, None, None, None, None, None, "answers")
        return breach + (reason, owner, "d", status, seen, seen, None, "r1", "r1", seen, "dry_run")

    rows = [
        alert(
            "a1", "high", "location", "Leeds", LATEST, "NPS at Leeds fell from 60.2 to 41.3 (25 → 24 answers)", LEEDS
        ),
        alert("a2", "medium", "location", "York", LATEST, "CSAT at York was 44.4 % (9 of 20 answers)", YORK),
        alert("a3", "high", "location", "Leeds", PREVIOUS, "Leeds resolved long ago", LEEDS, status="resolved"),
        alert(
            "a4",
            "medium",
            "team",
            "Store Bath",
            LATEST,
            "eNPS of team Store Bath was -35.0",
            "team manager: Store Bath",
        ),
        alert("a5", "high", "location", HOSTILE, LATEST, f"NPS at {HOSTILE} fell", "Store manager, Hostile"),
    ]
    columns = [c.split()[0] for c in ALERTS_DDL.replace("\n", " ").split(",")]
    return pd.DataFrame(rows, columns=[c.strip() for c in columns])


def write_digest_serving(path: Path, *, omit: tuple[str, ...] = ()) -> Path:
    """The tables the digest reads, as a publish writes them (tests/serving_fixture.py's way: create, insert by
    name, meta.publication last)."""
    owners = pd.DataFrame(
        [
            ("location", "Leeds", LEEDS),
            ("location", "York", YORK),
            ("location", HOSTILE, "Store manager, Hostile"),
            ("brand", "All", BRAND),
            ("business", "All", DIRECTOR),
            ("location", "York", DIRECTOR),
        ],
        columns=["scope", "scope_value", "owner"],
    )
    tables = {
        "marts.kpi_summary": (KPI_SUMMARY_DDL, kpi_summary()),
        "marts.alert_owners": (OWNERS_DDL, owners),
        "meta.alerts": (ALERTS_DDL, alert_rows()),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        for name, (ddl, frame) in tables.items():  # noqa: B007 - `frame` is read by DuckDB's replacement scan
            if name in omit:
                continue
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {name.split('.')[0]}")
            con.execute(f"CREATE TABLE {name} ({ddl})")
            con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM frame")
        con.execute("CREATE SCHEMA IF NOT EXISTS meta")
        con.execute(
            "CREATE TABLE meta.publication (published_at TIMESTAMP, run_id VARCHAR, tables BIGINT, total_rows BIGINT)"
        )
        con.execute("INSERT INTO meta.publication VALUES (TIMESTAMP '2025-12-01 06:30:00', 'run-1', 3, 0)")
    return path


@pytest.fixture
def serving(tmp_path) -> Path:
    return write_digest_serving(tmp_path / "serving.duckdb")


@pytest.fixture(autouse=True)
def _no_alert_env(monkeypatch):
    for var in ("EMPATHY_LAKE_ALERT_SEND", "EMPATHY_LAKE_ALERT_URLS", "EMPATHY_LAKE_DIGEST_RECIPIENTS"):
        monkeypatch.delenv(var, raising=False)


def expected_values(db: Path, scope: str, value: str) -> dict[str, str]:
    """Each KPI's latest value for a scope value, by SQL, as the digest writes it."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT kpi_label, value, unit, decimals FROM marts.kpi_summary s WHERE scope = ? AND scope_value = ? "
            "AND period_start = (SELECT max(period_start) FROM marts.kpi_summary WHERE kpi = s.kpi)",
            [scope, value],
        ).fetchall()
    return {label: format_kpi(number, unit, decimals) for label, number, unit, decimals in rows}


def open_reasons(db: Path, owner: str) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            r[0]
            for r in con.execute(
                "SELECT reason FROM meta.alerts WHERE status = 'open' AND owner = ?", [owner]
            ).fetchall()
        }


def run(
    serving: Path,
    folder: Path,
    urls: tuple[str, ...] = (),
    send: bool = True,
    owner: str | None = None,
    recipients: dict | None = None,
):
    return run_digests(
        serving,
        folder,
        send=send,
        settings=NotifySettings(urls=urls, send=send),
        recipients=recipients,
        owner=owner,
        today=dt.date(2025, 12, 3),
        log=lambda line: None,
    )


# ----------------------------------------------------------------------------------------------- content


def test_each_owner_gets_their_places_latest_numbers_and_open_alerts(serving):
    digest = collect_digests(serving)
    owners = {d.owner: d for d in digest.owners}
    # The seed's owners, and the owner of an open alert the seed does not name (with that alert's team).
    assert set(owners) == {LEEDS, YORK, "Store manager, Hostile", "team manager: Store Bath", BRAND, DIRECTOR}
    leeds = owners[LEEDS]
    [block] = leeds.scopes
    assert block.heading == "Location Leeds"
    assert {k.label: k.value for k in block.kpis} == expected_values(serving, "location", "Leeds")
    assert "41.3" in {k.label: k.value for k in block.kpis}["NPS"]  # the latest month's, not the month before
    assert {a.reason for a in leeds.alerts} == open_reasons(serving, LEEDS)  # the resolved one is not listed
    york = {k.label: k for k in owners[YORK].scopes[0].kpis}
    assert york["Brand sentiment"].value == "no data"  # value NULL: no data, not 0
    [bath] = owners["team manager: Store Bath"].scopes
    assert {k.label: k.value for k in bath.kpis} == expected_values(serving, "team", "Store Bath")


def test_periods_are_written_as_months_days_or_ranges():
    from dagster_project.digest.build import _period

    assert _period(dt.date(2025, 11, 1), dt.date(2025, 11, 30)) == "Nov 2025"
    assert _period(dt.date(2025, 12, 3), dt.date(2025, 12, 3)) == "03 Dec 2025"
    assert _period(dt.date(2025, 10, 1), dt.date(2025, 12, 31)) == "01 Oct 2025 to 31 Dec 2025"


def test_changes_are_worded_with_direction_and_zero_is_neutral():
    def change(now, before, unit, better, decimals=1):
        return format_change({"value": now, "higher_is_better": better}, before, unit, decimals)

    assert change(41.3, 39.3, "pts", True) == "up 2.0 pts (better)"
    assert change(4.1, 2.1, "%", False) == "up 2.0 pts (worse)"
    assert change(30.0, 30.04, "pts", True) == "no change"
    assert change(None, 30.0, "pts", True) == ""
    assert change(12.5, 9.25, "money", False, 2).startswith("up ") and change(12.5, 9.25, "money", False, 2).endswith(
        "3.25 (worse)"
    )
    assert format_kpi(9.87, "money", 2).endswith("9.87") and not format_kpi(9.87, "money", 2).startswith("9")
    assert format_kpi(300.0, "", 0) == "300"  # a headcount is a whole number
    assert format_kpi(None, "%", 1) == "no data"


def test_a_missing_table_is_said_not_skipped(tmp_path):
    db = write_digest_serving(tmp_path / "serving.duckdb", omit=("marts.kpi_summary",))
    digest = collect_digests(db)
    assert digest.notes == ["The headline numbers (the summary table) are not in this publication."]
    run(db, tmp_path / "out", send=False)
    assert "not in this publication" in (tmp_path / "out" / "store-manager-leeds.txt").read_text()


# ------------------------------------------------------------------------------------------- sending


def test_sent_digests_reach_a_real_endpoint_each_with_only_its_owners_numbers(serving, tmp_path):
    with LocalWebhook() as hook:
        result = run(serving, tmp_path / "out", recipients={LEEDS: (hook.url,)})
        received = {payload["title"]: payload["message"] for _, payload in hook.received}
    assert not result.failed and len(result.sent) == 1 == len(received)
    [leeds] = [message for title, message in received.items() if LEEDS in title]
    assert "<table" in leeds  # the HTML part: a JSON webhook takes HTML
    for shown in expected_values(serving, "location", "Leeds").values():
        assert html.escape(shown) in leeds
    for reason in open_reasons(serving, LEEDS):
        assert html.escape(reason) in leeds
    york_only = set(expected_values(serving, "location", "York").values()) - {"no data"}
    assert not any(html.escape(value) in leeds for value in york_only | open_reasons(serving, YORK))
    assert "resolved long ago" not in leeds


def test_an_unnamed_owner_is_named_in_words_in_the_digest(serving, tmp_path):
    """The owner of an open alert the seed does not name ("team manager: Store Bath" in the alert log) reads as
    the Alerts page writes it, in the title and in the text, never as the raw string."""
    unnamed = "team manager: Store Bath"
    with LocalWebhook() as hook:
        run(serving, tmp_path / "out", recipients={unnamed: (hook.url,)})
        [(_, payload)] = hook.received
    text = (tmp_path / "out" / "team-manager-store-bath.txt").read_text()
    assert payload["title"].startswith("Empathy Lake weekly digest for The owner of team Store Bath (week of ")
    assert "For The owner of team Store Bath" in payload["message"] and "For The owner of team Store Bath" in text
    assert not any(unnamed in shown for shown in (payload["title"], payload["message"], text))


def test_each_owner_digest_goes_only_to_their_own_addresses(serving, tmp_path, monkeypatch, capsys):
    """Two owners, two endpoints (from the recipients file), and the shared alert channel: each endpoint gets its
    owner's digest alone; the shared channel only the whole-business (brand) owner's; the rest are reported."""
    from dagster_project.cli import main

    with LocalWebhook() as leeds_hook, LocalWebhook() as york_hook, LocalWebhook() as shared:
        recipients = tmp_path / "secret" / "recipients.csv"
        recipients.parent.mkdir()
        owners, urls = [LEEDS, YORK, "Left the company"], [leeds_hook.url, york_hook.url, "json://127.0.0.1:9/x"]
        pd.DataFrame({"owner": owners, "url": urls}).to_csv(recipients, index=False)
        monkeypatch.setenv("EMPATHY_LAKE_HOME", str(tmp_path / "lake"))
        monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(serving))
        monkeypatch.setenv("EMPATHY_LAKE_DIGEST_RECIPIENTS", str(recipients))
        monkeypatch.setenv("EMPATHY_LAKE_ALERT_URLS", shared.url)
        assert main(["digest", "--send"]) == 0
        got = {
            name: [p["title"] for _, p in hook.received]
            for name, hook in (("leeds", leeds_hook), ("york", york_hook), ("shared", shared))
        }
    assert len(got["leeds"]) == 1 and LEEDS in got["leeds"][0]
    assert len(got["york"]) == 1 and YORK in got["york"][0]
    assert len(got["shared"]) == 1 and BRAND in got["shared"][0]  # whole business only: no location's numbers
    out = capsys.readouterr().out
    for unrouted in ("Store manager, Hostile", "team manager: Store Bath", DIRECTOR):
        assert f"digest not sent: {unrouted}: no address" in out
    assert "sent 3, failed 0, not sent (no address) 3" in out
    assert "'Left the company', who is not an owner" in out  # a stale row is said, not ignored


def test_a_broken_recipients_file_is_said_in_plain_words(tmp_path):
    from dagster_project.digest.deliver import RecipientsError, load_recipients

    assert load_recipients(tmp_path / "absent.csv") == {}
    bad = tmp_path / "recipients.csv"
    bad.write_text("name,address\nLeeds,json://x\n")
    with pytest.raises(RecipientsError, match="needs a first line 'owner,url'"):
        load_recipients(bad)
    bad.write_text('owner,url\n"Store manager, Leeds",\n')
    with pytest.raises(RecipientsError, match="Line 2 .* lacks an owner or a URL"):
        load_recipients(bad)
    bad.write_text('owner,url\n"Store manager, Leeds",json://a\n"Store manager, Leeds",json://b\n')
    assert load_recipients(bad) == {"Store manager, Leeds": ("json://a", "json://b")}


def test_scoped_owners_never_see_the_whole_business_value(serving, tmp_path):
    owners = {d.owner: d for d in collect_digests(serving).owners}
    leeds = owners[LEEDS]
    assert all(line.business == "" for line in leeds.scopes[0].kpis) and not leeds.shows_business
    run(serving, tmp_path / "out", send=False)
    business = {v for v in expected_values(serving, "business", "All").values() if len(v) > 3 and v != "no data"}
    for stem in ("store-manager-leeds", "store-manager-york"):
        for ext in ("html", "txt"):
            page = (tmp_path / "out" / f"{stem}.{ext}").read_text()
            assert "hole business" not in page and not any(value in page for value in business)
    # An owner whose scope covers the whole business sees it beside their location.
    [york] = [b for b in owners[DIRECTOR].scopes if b.heading == "Location York"]
    assert {k.label: k.business for k in york.kpis if k.business != "no data"} == {
        label: value
        for label, value in expected_values(serving, "business", "All").items()
        if label in {k.label for k in york.kpis}
    }


def test_the_brand_owner_gets_the_business_brand_numbers_in_plain_words(serving, tmp_path):
    [brand] = [d for d in collect_digests(serving).owners if d.owner == BRAND]
    [block] = brand.scopes
    assert block.heading == "The brand, across the business" and brand.whole_business
    business = expected_values(serving, "business", "All")
    assert {k.label: k.value for k in block.kpis} == {
        label: value for label, value in business.items() if label in {"Average review rating (1-5)", "Mentions"}
    }
    run(serving, tmp_path / "out", send=False, owner=BRAND)
    page = (tmp_path / "out" / "brand-and-marketing-lead.txt").read_text()
    assert "No headline numbers" not in page and "Brand All" not in page and "4.23" in page


def test_a_value_on_few_answers_is_labelled_as_on_the_dashboard(serving, tmp_path, monkeypatch):
    from streamlit_app.formatting import small_sample_note
    from streamlit_app.settings import min_answers

    monkeypatch.delenv("EMPATHY_LAKE_MIN_ANSWERS", raising=False)
    lines = {k.label: k for d in collect_digests(serving).owners for b in d.scopes for k in b.kpis}
    assert lines["Customer effort (CES, 1-7)"].small_sample == small_sample_note(7, min_answers(), "answers")
    assert lines["NPS"].small_sample == ""  # 120 answers
    assert lines["Mentions"].small_sample == ""  # a count on 3 is not a sample
    assert lines["Brand sentiment"].small_sample == ""  # no data is not a small sample
    run(serving, tmp_path / "out", send=False, owner=LEEDS)
    for ext in ("html", "txt"):
        assert "Few answers (7 of the 30" in (tmp_path / "out" / f"store-manager-leeds.{ext}").read_text()
    monkeypatch.setenv("EMPATHY_LAKE_MIN_ANSWERS", "5")  # the dashboard's setting moves the digest's label too
    lines = {k.label: k for d in collect_digests(serving).owners for b in d.scopes for k in b.kpis}
    assert lines["Customer effort (CES, 1-7)"].small_sample == ""


def test_a_text_only_channel_gets_the_plain_text_part(serving, tmp_path):
    with LocalWebhook() as hook:
        run(serving, tmp_path / "out", recipients={LEEDS: (hook.url + "?format=text",)}, owner=LEEDS)
        [(_, payload)] = hook.received
    assert "<" not in payload["message"] and "OPEN ALERTS (1)" in payload["message"]
    assert all(value in payload["message"] for value in expected_values(serving, "location", "Leeds").values())


def test_dry_run_is_the_default_writes_files_and_sends_nothing(serving, tmp_path):
    with LocalWebhook() as hook:
        result = run(serving, tmp_path / "out", urls=(hook.url,), send=False)
        assert hook.received == []
    assert result.sent == [] and result.failed == []
    stems = ("store-manager-leeds", "store-manager-york", "store-manager-hostile", "team-manager-store-bath")
    assert sorted(p.name for p in result.written) == sorted(
        f"{stem}.{ext}" for stem in (*stems, "brand-and-marketing-lead", "managing-director") for ext in ("html", "txt")
    )
    assert "41.3" in (tmp_path / "out" / "store-manager-leeds.html").read_text()


def test_a_hostile_location_name_is_escaped_in_html(serving, tmp_path):
    run(serving, tmp_path / "out", send=False, owner="Store manager, Hostile")
    page = (tmp_path / "out" / "store-manager-hostile.html").read_text()
    assert "<script>" not in page and "<b>Co</b>" not in page
    assert html.escape(HOSTILE, quote=False) in page.replace("&#34;", '"').replace("&quot;", '"')
    assert HOSTILE in (tmp_path / "out" / "store-manager-hostile.txt").read_text()  # plain text stays as written


def test_a_failed_send_is_reported_and_fails_the_command(serving, tmp_path, monkeypatch, capsys):
    from dagster_project.cli import main

    dead = f"json://127.0.0.1:{closed_port()}/hook"
    monkeypatch.setenv("EMPATHY_LAKE_HOME", str(tmp_path / "lake"))
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(serving))
    recipients = tmp_path / "recipients.csv"
    pd.DataFrame({"owner": [LEEDS], "url": [dead]}).to_csv(recipients, index=False)
    monkeypatch.setenv("EMPATHY_LAKE_DIGEST_RECIPIENTS", str(recipients))
    assert main(["digest", "--owner", LEEDS, "--send"]) == 1
    out = capsys.readouterr().out
    assert f"digest NOT sent: {LEEDS} -> json://127.0.0.1:" in out and "sent 0, failed 1" in out
    assert main(["digest", "--owner", LEEDS]) == 0  # the dry run sends nothing, so nothing fails
    assert "dry run, nothing sent" in capsys.readouterr().out
    assert main(["digest", "--owner", "Nobody"]) == 2
    assert "the owners are: Brand and marketing lead, Managing director, Store manager, Hostile" in (
        capsys.readouterr().err
    )
    monkeypatch.delenv("EMPATHY_LAKE_DIGEST_RECIPIENTS")
    assert main(["digest", "--send"]) == 2
    assert "digest recipients file" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------ schedule


def test_weekly_schedule_is_off_by_default_and_its_job_writes_the_digests(serving, tmp_path, monkeypatch):
    from dagster_project.digest.job import weekly_digest_job
    from dagster_project.schedules import build_weekly_digest_schedule

    for var in ("EMPATHY_LAKE_DIGEST_CRON", "EMPATHY_LAKE_DIGEST_RUNNING", "EMPATHY_LAKE_TIMEZONE"):
        monkeypatch.delenv(var, raising=False)
    schedule = build_weekly_digest_schedule()
    assert schedule.cron_schedule == "0 7 * * 1" and schedule.job_name == weekly_digest_job.name
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    monkeypatch.setenv("EMPATHY_LAKE_DIGEST_CRON", "0 8 * * 5")
    monkeypatch.setenv("EMPATHY_LAKE_DIGEST_RUNNING", "1")
    tuned = build_weekly_digest_schedule()
    assert tuned.cron_schedule == "0 8 * * 5" and tuned.default_status == dg.DefaultScheduleStatus.RUNNING

    monkeypatch.setenv("EMPATHY_LAKE_HOME", str(tmp_path / "lake"))
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(serving))
    assert weekly_digest_job.execute_in_process(raise_on_error=False).success  # dry run: sending is off
    written = list((tmp_path / "lake" / "digests").rglob("*.html"))
    assert len(written) == 6
    monkeypatch.setenv("EMPATHY_LAKE_ALERT_SEND", "1")
    monkeypatch.setenv("EMPATHY_LAKE_ALERT_URLS", f"json://127.0.0.1:{closed_port()}/hook")
    assert not weekly_digest_job.execute_in_process(raise_on_error=False).success  # a failed send fails the run
    assert os.environ["EMPATHY_LAKE_ALERT_SEND"] == "1"
