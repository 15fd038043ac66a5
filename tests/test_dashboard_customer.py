"""The Customer empathy page: every number on it equals the mart it comes from.

The page runs headless with Streamlit's AppTest against a serving file written by tests/serving_fixture.py;
every expected number is recomputed here with SQL over the same file (sum the counts, divide last), never
with the app's pandas code. The pure arithmetic and filter rules are tested without Streamlit at the end.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from streamlit_app import customer_kpis, customer_marts, mart_loading
from streamlit_app.formatting import format_delta, format_value
from streamlit_app.labels import plain
from tests.dashboard_expectations import (
    CUSTOMER_KPI_SQL,
    assert_shows,
    customer_default_month,
    customer_default_start,
    month_before,
    sql,
    sql_customer_kpi,
)
from tests.dashboard_login import submit_login, write_users
from tests.serving_fixture import SERVING_TABLES, read_serving_tables, sample_serving_db, write_serving_db
from tests.test_dashboard_apptest import APP, TIMEOUT, dataframe_with, metric, open_app_page, rerun

PAGE = "app_pages/customer_empathy.py"
SUPPORT_CARDS = ["FCR %", "First reply time", "AHT", "Cost per interaction"]
ACQUISITION_CARDS = ["NPS", "CSAT %", "CES mean", "CES easy %", "Churn %", "Repeat purchase %", "Conversion %"]


def open_page(monkeypatch, db: Path):
    return open_app_page(monkeypatch, db, PAGE)


def assert_card(at, db: Path, label: str, month: dt.date, **where) -> None:
    """The card's value and its change against the month before, both from SQL over `db`."""
    shown = metric(at, label)
    now = sql_customer_kpi(db, label, month, **where)
    before = sql_customer_kpi(db, label, month_before(month), **where)
    assert_shows(shown.value, now)
    if now is None or before is None:
        assert not shown.proto.delta, f"{label}: a change from no data"
    else:
        assert_shows(shown.proto.delta.split()[0].lstrip("+"), now - before)


def values(db: Path, statement: str, params: list | None = None) -> list:
    return [r[0] for r in sql(db, statement, params)]


@pytest.fixture
def serving_db(tmp_path) -> Path:
    return sample_serving_db(tmp_path)


# --- the cards -------------------------------------------------------------------------------------------
def test_every_card_equals_sql_over_the_latest_month(monkeypatch, serving_db):
    at = open_page(monkeypatch, serving_db)
    month = customer_default_month(serving_db)
    assert f"{month:%b %Y}" in [h.value for h in at.subheader]
    to_date = [
        "Customers to date",
        "Churn to date %",
        "Repeat purchase to date %",
        "Historical CLTV",
        "Predictive CLTV",
    ]
    assert sorted(m.label for m in at.metric) == sorted([*CUSTOMER_KPI_SQL, *to_date])
    for label in CUSTOMER_KPI_SQL:
        assert_card(at, serving_db, label, month)


def test_the_default_month_is_the_latest_every_mart_has_reached(monkeypatch, serving_db):
    latest_anywhere = values(serving_db, "SELECT max(month) FROM marts.customer_retention_monthly")[0]
    assert latest_anywhere > customer_default_month(serving_db), "the data must hold a partial month"
    at = open_page(monkeypatch, serving_db)
    start, end = at.select_slider(key="customer_period").value
    assert (start.date(), end.date()) == (customer_default_start(serving_db), customer_default_month(serving_db))


def test_cards_for_a_segment_and_a_location_recompute_from_their_counts(monkeypatch, serving_db):
    month = customer_default_month(serving_db)
    overall = sql_customer_kpi(serving_db, "NPS", month)
    pairs = sql(
        serving_db,
        "SELECT DISTINCT segment, location FROM marts.customer_nps_monthly WHERE month = ? ORDER BY ALL",
        [month],
    )
    candidates = [
        (segment, location, value)
        for segment, location in pairs
        if (value := sql_customer_kpi(serving_db, "NPS", month, segment=segment, location=location)) is not None
    ]
    # The pair whose NPS differs most from the total, so a filter that did nothing would be caught.
    segment, location, expected = max(candidates, key=lambda c: abs(c[2] - overall))
    assert abs(expected - overall) > 0.1, "the data cannot show that the filters work"

    at = open_page(monkeypatch, serving_db)
    at.multiselect(key="customer_segments").select(segment)
    at.multiselect(key="customer_locations").select(location)
    rerun(at)
    for label in CUSTOMER_KPI_SQL:
        assert_card(at, serving_db, label, month, segment=segment, location=location)


def test_a_location_a_mart_does_not_hold_shows_no_data_not_zero(monkeypatch, serving_db):
    month = customer_default_month(serving_db)
    locations = values(serving_db, "SELECT DISTINCT location FROM marts.customer_nps_monthly ORDER BY 1")
    gaps = [
        (label, location)
        for label in CUSTOMER_KPI_SQL
        for location in locations
        if sql_customer_kpi(serving_db, label, month, location=location) is None
    ]
    assert gaps, "the data must hold a card without data for a location"
    label, location = gaps[0]

    at = open_page(monkeypatch, serving_db)
    at.multiselect(key="customer_locations").select(location)
    rerun(at)
    assert metric(at, label).value == "—"
    assert not metric(at, label).proto.delta


@pytest.mark.parametrize(
    ("key", "table", "filtered"),
    [
        ("contact_channels", "customer_support_monthly", SUPPORT_CARDS),
        ("sales_channels", "customer_orders_monthly", ["AOV"]),
        ("acquisition_channels", "customer_nps_monthly", ACQUISITION_CARDS),
    ],
)
def test_each_channel_filter_applies_only_to_its_meaning_of_channel(monkeypatch, serving_db, key, table, filtered):
    month = customer_default_month(serving_db)
    card = filtered[0]
    channels = values(serving_db, f"SELECT DISTINCT channel FROM marts.{table} WHERE month = ? ORDER BY 1", [month])
    overall = sql_customer_kpi(serving_db, card, month)
    channel = max(channels, key=lambda c: abs((sql_customer_kpi(serving_db, card, month, channel=c) or 0) - overall))
    assert abs(sql_customer_kpi(serving_db, card, month, channel=channel) - overall) > 0.01

    at = open_page(monkeypatch, serving_db)
    at.multiselect(key=key).select(channel)
    rerun(at)
    for label in CUSTOMER_KPI_SQL:
        if label in filtered:
            assert_card(at, serving_db, label, month, channel=channel)
        else:
            assert_card(at, serving_db, label, month)  # another meaning of "channel": not filtered


def test_the_period_end_picks_the_cards_month(monkeypatch, serving_db):
    month = customer_default_month(serving_db)
    earlier = month_before(month_before(month))
    at = open_page(monkeypatch, serving_db)
    start = at.select_slider(key="customer_period").value[0]
    at.select_slider(key="customer_period").set_range(start, pd.Timestamp(earlier))
    rerun(at)
    for label in CUSTOMER_KPI_SQL:
        assert_card(at, serving_db, label, earlier)


# --- trends, handle time, comments -----------------------------------------------------------------------
def test_every_trend_table_equals_sql_per_month(monkeypatch, serving_db):
    start, end = customer_default_start(serving_db), customer_default_month(serving_db)
    at = open_page(monkeypatch, serving_db)
    for kpi in customer_kpis.CARD_KPIS:
        at.selectbox(key="customer_trend").set_value(kpi.key)
        rerun(at)
        table, numerator, denominator = CUSTOMER_KPI_SQL[kpi.label]
        expected = sql(
            serving_db,
            f"SELECT month, {denominator}, ({numerator})::DOUBLE / nullif({denominator}, 0) FROM marts.{table} "
            "WHERE month BETWEEN ? AND ? GROUP BY month ORDER BY month DESC",
            [start, end],
        )
        shown = dataframe_with(at, kpi.key)
        assert [pd.Timestamp(m).date() for m in shown["month"]] == [m for m, _, _ in expected], kpi.label
        assert shown[kpi.denominator].tolist() == [d for _, d, _ in expected], kpi.label
        for value, (_, _, sql_value) in zip(shown[kpi.key], expected, strict=True):
            assert (pd.isna(value) and sql_value is None) or value == pytest.approx(sql_value), kpi.label


def handle_time_sql(db: Path, start: dt.date, end: dt.date, location: str | None = None) -> dict[str, tuple]:
    rows = sql(
        db,
        "SELECT handle_time_band, sum(tickets), sum(scored_tickets), "
        "100.0 * (sum(positive_tickets) - sum(negative_tickets)) / nullif(sum(scored_tickets), 0), "
        "100.0 * sum(negative_tickets) / nullif(sum(scored_tickets), 0), sum(handle_minutes_sum) / sum(tickets) "
        "FROM marts.customer_handle_time_sentiment WHERE month BETWEEN ? AND ? "
        "AND (?::VARCHAR IS NULL OR location = ?) GROUP BY 1",
        [start, end, location, location],
    )
    return {band: rest for band, *rest in rows}


@pytest.mark.parametrize("filtered", [False, True], ids=["all", "location-and-segment"])
def test_handle_time_by_band_equals_sql(monkeypatch, serving_db, filtered):
    start, end = customer_default_start(serving_db), customer_default_month(serving_db)
    location = values(serving_db, "SELECT min(location) FROM marts.customer_handle_time_sentiment")[0]
    at = open_page(monkeypatch, serving_db)
    if filtered:
        at.multiselect(key="customer_locations").select(location)
        at.multiselect(key="customer_segments").select(at.multiselect(key="customer_segments").options[0])
        rerun(at)
    expected = handle_time_sql(serving_db, start, end, location if filtered else None)

    shown = dataframe_with(at, "sentiment_score").set_index("band")
    assert list(shown.index) == [
        b for b in ["0-5 min", "5-10 min", "10-20 min", "20-40 min", "40+ min"] if b in expected
    ]
    for band, (tickets, scored, sentiment, negative, minutes) in expected.items():
        row = shown.loc[band]
        assert (row["tickets"], row["scored_tickets"]) == (tickets, scored), band
        assert row["sentiment_score"] == pytest.approx(sentiment), band
        assert row["negative_pct"] == pytest.approx(negative), band
        assert row["handle_minutes_avg"] == pytest.approx(minutes), band
    captions = " ".join(c.value for c in at.caption)
    assert ("segment filter does not apply" in captions) == filtered
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"), "the overlay chart is drawn"


def detractor_sql(db: Path, start: dt.date, end: dt.date, **where: str) -> list[tuple]:
    conditions = "".join(f" AND {column} = ?" for column in where)
    return sql(
        db,
        "SELECT responded_at, score, comment, segment, location, touchpoint, channel "
        f"FROM marts.customer_nps_detractor_comments WHERE month BETWEEN ? AND ?{conditions} ORDER BY ALL",
        [start, end, *where.values()],
    )


def shown_detractors(at) -> list[tuple]:
    """The listed comments, their codes read back as the page writes them (labels.plain)."""
    table = dataframe_with(at, "comment")
    columns = ["responded_at", "score", "comment", "segment", "location", "touchpoint", "acquisition_channel"]
    rows = [(pd.Timestamp(r[0]).to_pydatetime(), *r[1:]) for r in table[columns].itertuples(index=False)]
    return sorted(rows)


def plain_rows(rows: list[tuple], codes: slice = slice(3, None)) -> list[tuple]:
    return sorted((*r[: codes.start], *(plain(v) for v in r[codes])) for r in rows)


def test_detractor_comments_equal_sql_rows_for_the_period_and_filters(monkeypatch, serving_db):
    start, end = customer_default_start(serving_db), customer_default_month(serving_db)
    at = open_page(monkeypatch, serving_db)
    expected = plain_rows(detractor_sql(serving_db, start, end))
    assert expected, "the data must hold detractor comments"
    assert shown_detractors(at) == expected
    assert f"{len(expected):,} NPS detractors" in " ".join(c.value for c in at.caption)

    segment, location = sql(
        serving_db,
        "SELECT segment, location FROM marts.customer_nps_detractor_comments WHERE month BETWEEN ? AND ? "
        "GROUP BY ALL ORDER BY count(*) DESC, segment, location LIMIT 1",
        [start, end],
    )[0]
    at.multiselect(key="customer_segments").select(segment)
    at.multiselect(key="customer_locations").select(location)
    rerun(at)
    filtered = plain_rows(detractor_sql(serving_db, start, end, segment=segment, location=location))
    assert 0 < len(filtered) < len(expected)
    assert shown_detractors(at) == filtered


def test_definitions_are_where_the_user_looks(monkeypatch, serving_db):
    at = open_page(monkeypatch, serving_db)
    for label in CUSTOMER_KPI_SQL:
        assert metric(at, label).help, f"{label} has no tooltip"
    definitions = " ".join(m.value for m in at.expander[0].markdown)
    assert "KPI definitions" in at.expander[0].label
    for kpi in customer_kpis.CARD_KPIS:
        assert f"**{kpi.label}**" in definitions
    assert "Σ first_contact_resolved_tickets / Σ resolved_tickets" in definitions


# --- plain words and honest numbers (issue 14) -----------------------------------------------------------
RAW = ("survey_comment", "survey_score", "staff_attitude", "no_theme", "marts.", "_")
MISSING_WORDS = re.compile(r"\b(None|nan|NaN|null)\b")  # a missing value shown as a word
FREE_TEXT = {"comment", "review_text"}  # what customers wrote, shown as written


def shown_texts(at) -> list[str]:
    """Every piece of text a person reads on the page: headings, captions, alerts, cards, table cells of text."""
    texts = [e.value for kind in ("title", "header", "subheader", "caption", "info", "warning") for e in at.get(kind)]
    texts += [f"{m.label} {m.value}" for m in at.metric]
    for table in at.dataframe:
        for column in table.value.select_dtypes(include=["object", "string"]).columns:
            if column not in FREE_TEXT:
                texts += [str(v) for v in table.value[column]]
    return texts


def assert_plain(at) -> None:
    for text in shown_texts(at):
        if re.fullmatch(r"cus_[0-9a-f]{16}", text):
            continue  # a customer's published pseudonym: the key to look them up by, not a code
        for raw in RAW:
            assert raw not in text, f"{raw!r} shown raw in {text!r}"
        assert not MISSING_WORDS.search(text), f"a missing value shown raw in {text!r}"


def test_the_page_reads_in_plain_words(monkeypatch, serving_db):
    at = open_page(monkeypatch, serving_db)
    assert_plain(at)
    tickets = dataframe_with(at, "ticket_id")["ticket_id"]
    assert tickets.notna().all() and "No ticket" in set(tickets), "a comment without a ticket says so"
    assert "Website" in at.multiselect(key="acquisition_channels").options  # the code `web`, in words


def test_money_carries_the_currency(monkeypatch, serving_db):
    monkeypatch.setenv("EMPATHY_LAKE_CURRENCY", "€")
    at = open_page(monkeypatch, serving_db)
    month = customer_default_month(serving_db)
    for label in ("AOV", "Cost per interaction"):
        assert metric(at, label).value.startswith("€"), metric(at, label).value
        assert_card(at, serving_db, label, month)
        delta = metric(at, label).proto.delta
        assert delta[1] == "€" and delta[0] in "+-", delta
    assert metric(at, "NPS").value[0] != "€"


def test_trend_table_labels_small_samples(monkeypatch, serving_db):
    monkeypatch.setenv("EMPATHY_LAKE_MIN_ANSWERS", "100000")  # every month is then a small sample
    at = open_page(monkeypatch, serving_db)
    table = dataframe_with(at, "responses_sample")
    assert all(label.startswith("Few answers (") for label in table["responses_sample"]), table["responses_sample"]
    monkeypatch.setenv("EMPATHY_LAKE_MIN_ANSWERS", "1")
    at = open_page(monkeypatch, serving_db)
    assert set(dataframe_with(at, "responses_sample")["responses_sample"]) == {""}


def to_date_sql(db: Path, location: str | None = None) -> dict[str, float | None]:
    where = "WHERE (?::VARCHAR IS NULL OR location = ?)"
    churn, customers = sql(
        db,
        "SELECT 100.0 * sum(lost_customers) / sum(customers), sum(customers) "
        f"FROM marts.customer_churn_summary {where}",
        [location, location],
    )[0]
    historical, predictive = sql(
        db,
        "SELECT sum(net_revenue) / sum(customers), sum(predictive_cltv * customers) / "
        f"sum(customers) FILTER (WHERE predictive_cltv IS NOT NULL) FROM marts.customer_value_summary {where}",
        [location, location],
    )[0]
    (repeat,) = sql(
        db,
        f"SELECT 100.0 * sum(repeat_buyers) / sum(buyers) FROM marts.customer_repeat_purchase_to_date {where}",
        [location, location],
    )[0]
    return {
        "Churn to date %": churn,
        "Repeat purchase to date %": repeat,
        "Historical CLTV": historical,
        "Predictive CLTV": predictive,
        "n": customers,
    }


def test_churn_to_date_and_lifetime_value_equal_sql(monkeypatch, serving_db):
    at = open_page(monkeypatch, serving_db)
    expected = to_date_sql(serving_db)
    for label in ("Churn to date %", "Repeat purchase to date %", "Historical CLTV", "Predictive CLTV"):
        assert_shows(metric(at, label).value, expected[label])
        assert metric(at, label).help, label
    assert metric(at, "Historical CLTV").value.startswith("£")
    assert metric(at, "Customers to date").value == f"{expected['n']:,}"
    location = values(serving_db, "SELECT min(location) FROM marts.customer_value_summary")[0]
    at.multiselect(key="customer_locations").select(location)
    rerun(at)
    for label, value in to_date_sql(serving_db, location).items():
        if label != "n":
            assert_shows(metric(at, label).value, value)
    table = dataframe_with(at, "historical_cltv")
    assert table["customers"].sum() == to_date_sql(serving_db, location)["n"]


def snapshot_db(tmp_path: Path, serving_db: Path) -> Path:
    """The fixture as a snapshot CRM export gives it: every loss dated to one month (the first), none in the
    others, so monthly churn would read 0.0 % in the months the cards show."""
    tables = read_serving_tables(serving_db)
    retention = tables["marts.customer_retention_monthly"]
    later = retention["month"] > retention["month"].min()
    retention.loc[later, ["lost_customers", "lost_from_start", "churn_pct"]] = 0
    tables["marts.customer_retention_monthly"] = retention
    # What dbt's rule (marts.kpi_snapshot_sources, unit-tested in dbt) publishes for such an export.
    flags = tables["marts.kpi_snapshot_sources"]
    flags.loc[flags["kpi"] == "churn_pct", ["months_with_losses", "is_snapshot"]] = [1, True]
    tables["marts.kpi_snapshot_sources"] = flags
    return write_serving_db(tmp_path / "snapshot.duckdb", tables)


def test_a_snapshot_export_shows_churn_to_date_not_zero_monthly_churn(tmp_path, monkeypatch, serving_db):
    db = snapshot_db(tmp_path, serving_db)
    at = open_page(monkeypatch, db)
    labels = [m.label for m in at.metric]
    assert "Churn %" not in labels, "a snapshot has no monthly churn: 0.0 % would mislead"
    cards = [m for m in at.metric if m.label == "Churn to date %"]
    assert len(cards) == 2 and not cards[0].proto.delta  # the headline card, and the customers-to-date card
    assert_shows(cards[0].value, to_date_sql(db)["Churn to date %"])
    assert "not a monthly rate" in " ".join(c.value for c in at.caption)
    # The fixture as published (losses in its months) keeps the monthly card.
    at = open_page(monkeypatch, serving_db)
    assert "Churn %" in [m.label for m in at.metric]


def test_detractor_themes_equal_sql(monkeypatch, serving_db):
    start, end = customer_default_start(serving_db), customer_default_month(serving_db)
    at = open_page(monkeypatch, serving_db)
    expected = sql(
        serving_db,
        "SELECT theme, sum(theme_comments), sum(detractor_comments), "
        "100.0 * sum(theme_comments) / sum(detractor_comments) FROM marts.customer_nps_detractor_themes "
        "WHERE month BETWEEN ? AND ? GROUP BY theme ORDER BY 4 DESC, theme",
        [start, end],
    )
    assert expected
    shown = dataframe_with(at, "theme_comments")
    assert list(shown["theme"]) == [plain(t) for t, *_ in expected]
    assert "No recognised theme" in set(shown["theme"]) and "Staff attitude" in set(shown["theme"])
    for (_, themed, comments, share), row in zip(expected, shown.itertuples(), strict=True):
        assert (row.theme_comments, row.detractor_comments) == (themed, comments)
        assert row.theme_share_pct == pytest.approx(share)


def follow_up_sql(db: Path, location: str | None = None) -> list[str]:
    rows = sql(
        db,
        "SELECT customer_id FROM marts.customer_sentiment_follow_up WHERE (?::VARCHAR IS NULL OR location = ?) "
        "ORDER BY recent_negative_pct DESC, last_negative_at DESC, customer_id",
        [location, location],
    )
    return [r[0] for r in rows]


def test_the_call_back_list_equals_sql_and_keeps_to_the_viewers_rows(tmp_path, monkeypatch, serving_db):
    at = open_page(monkeypatch, serving_db)
    assert list(dataframe_with(at, "recent_negative_pct")["customer_id"]) == follow_up_sql(serving_db)
    assert all(c.startswith("cus_") for c in follow_up_sql(serving_db)), "pseudonyms only, as published"
    users = write_users(
        tmp_path, [{"username": "lisbon", "role": "manager", "name": "Lis Manager", "location": "Lisbon"}]
    )
    monkeypatch.setenv("EMPATHY_LAKE_AUTH_CONFIG", str(users.config))
    manager = submit_login(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), users["lisbon"])
    manager = rerun(manager.switch_page(PAGE))
    shown = list(dataframe_with(manager, "recent_negative_pct")["customer_id"])
    assert shown == follow_up_sql(serving_db, "Lisbon") and len(shown) == 1


# --- sparse publications ---------------------------------------------------------------------------------
def test_nothing_published_says_how_to_build_it(tmp_path, monkeypatch):
    at = open_page(monkeypatch, tmp_path / "nothing_here.duckdb")
    assert "No warehouse has been published yet" in " ".join(i.value for i in at.info)
    assert not at.metric and not at.dataframe


def test_a_missing_mart_is_named_and_its_cards_show_no_data(tmp_path, monkeypatch, serving_db):
    tables = read_serving_tables(serving_db)
    missing = "marts.customer_support_monthly"
    db = write_serving_db(
        tmp_path / "no_support.duckdb", {k: v for k, v in tables.items() if k != missing}, omit=[missing]
    )
    at = open_page(monkeypatch, db)
    assert "This publication has nothing for support" in " ".join(w.value for w in at.warning)
    month = customer_default_month(db)
    for label in CUSTOMER_KPI_SQL:
        if label in SUPPORT_CARDS:
            assert metric(at, label).value == "—"
        else:
            assert_card(at, db, label, month)


def test_an_empty_mart_is_named_and_its_cards_show_no_data(tmp_path, monkeypatch, serving_db):
    tables = read_serving_tables(serving_db)
    empty = "marts.customer_conversion_monthly"
    db = write_serving_db(tmp_path / "empty.duckdb", {k: v for k, v in tables.items() if k != empty})
    at = open_page(monkeypatch, db)
    shown = " ".join(i.value for i in at.info)
    assert "This business's data has no sales leads, so their figures show — (no data)." in shown
    assert "marts." not in shown and "mart" not in shown.lower()
    assert metric(at, "Conversion %").value == "—"
    assert_card(at, db, "NPS", customer_default_month(db))


def test_a_mart_without_a_column_the_page_needs_is_named(tmp_path, monkeypatch, serving_db):
    db = write_serving_db(tmp_path / "old.duckdb", read_serving_tables(serving_db))
    with duckdb.connect(str(db)) as con:  # a publication from before the marts gained `touchpoint`
        con.execute("ALTER TABLE marts.customer_nps_monthly DROP COLUMN touchpoint")
    at = open_page(monkeypatch, db)
    assert "This publication's NPS data is in an older shape" in " ".join(w.value for w in at.warning)
    assert metric(at, "NPS").value == "—"
    assert_card(at, db, "CSAT %", customer_default_month(db))


@pytest.mark.parametrize("omit", [False, True], ids=["marts-without-rows", "no-customer-marts"])
def test_no_customer_rows_at_all_renders_a_message(tmp_path, monkeypatch, serving_db, omit):
    tables = {k: v for k, v in read_serving_tables(serving_db).items() if k.startswith("meta.")}
    marts = [t for t in SERVING_TABLES if t.startswith("marts.")]
    db = write_serving_db(tmp_path / "bare.duckdb", tables, omit=marts if omit else [])
    at = open_page(monkeypatch, db)
    assert "hold no monthly rows" in " ".join(i.value for i in at.info)
    assert not at.metric


# --- the fixture stands in for a publish -----------------------------------------------------------------
def mart_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "SELECT table_schema || '.' || table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'marts' ORDER BY table_schema, table_name, ordinal_position"
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        out.setdefault(table, []).append((column, data_type))
    return out


def test_fixture_marts_have_the_columns_and_types_the_pipeline_publishes(built_lake):
    """Against a real pipeline run's serving copy: every customer mart it publishes is in the fixture, and
    every fixture mart has the published columns, in order, with their types."""
    assert built_lake.success
    with duckdb.connect(str(built_lake.settings.serving_db), read_only=True) as con:
        published = mart_columns(con)
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA marts")
        for table, columns in SERVING_TABLES.items():
            if table.startswith("marts."):
                con.execute(f"CREATE TABLE {table} ({columns})")
        fixture = mart_columns(con)
    customer = {t for t in published if t.startswith("marts.customer_")}
    assert customer <= set(fixture), f"customer marts the fixture lacks: {sorted(customer - set(fixture))}"
    for table, columns in fixture.items():
        assert table in published, f"{table} is not published"
        assert columns == published[table], table


# --- the arithmetic, without Streamlit -------------------------------------------------------------------
def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_zero_or_missing_denominators_give_none_not_zero():
    assert customer_kpis.ratio(5, 0) is None
    assert customer_kpis.ratio(0, 0, 100.0) is None
    assert customer_kpis.ratio(5, float("nan")) is None
    assert customer_kpis.ratio(0, 4, 100.0) == 0.0  # nobody churned is a real 0
    empty = frame(lost_from_start=[0, 0], customers_at_start=[0, 0])
    assert customer_kpis.value_of(empty, customer_kpis.CHURN) is None
    assert customer_kpis.value_of(empty.iloc[0:0], customer_kpis.CHURN) is None
    for kpi in customer_kpis.CARD_KPIS:
        assert customer_kpis.value_of(pd.DataFrame({c: [0] for c in kpi.counts}), kpi) is None, kpi.label


def test_kpis_sum_counts_then_divide_never_average_ratios():
    small_fast = (10.0, 1)  # 10 min for one reply
    large_slow = (6000.0, 20)  # 300 min per reply
    rows = frame(first_reply_minutes_sum=[small_fast[0], large_slow[0]], replied_tickets=[small_fast[1], large_slow[1]])
    assert customer_kpis.value_of(rows, customer_kpis.FIRST_REPLY) == pytest.approx(6010 / 21)
    assert customer_kpis.value_of(rows, customer_kpis.FIRST_REPLY) != pytest.approx((10 + 300) / 2)


def test_subtracted_counts_and_scale():
    rows = frame(promoters=[5, 0], detractors=[1, 4], responses=[10, 10])
    assert customer_kpis.value_of(rows, customer_kpis.NPS) == pytest.approx(100 * (5 - 5) / 20)
    sentiment = frame(positive_tickets=[3], negative_tickets=[1], scored_tickets=[4])
    assert customer_kpis.value_of(sentiment, customer_kpis.SENTIMENT) == pytest.approx(50.0)


def test_aggregate_keeps_groups_without_a_denominator_as_missing():
    rows = frame(month=["m1", "m1", "m2"], converted_leads=[1, 2, 0], leads=[4, 6, 0], segment=["A", "B", "A"])
    result = customer_kpis.aggregate(rows, customer_kpis.CONVERSION, ["month"]).set_index("month")
    assert result.loc["m1", "conversion_pct"] == pytest.approx(30.0)
    assert result.loc["m1", "leads"] == 10
    assert pd.isna(result.loc["m2", "conversion_pct"])
    both = customer_kpis.aggregate(
        frame(
            band=["a"],
            tickets=[2],
            handle_minutes_sum=[9.0],
            scored_tickets=[0],
            positive_tickets=[0],
            negative_tickets=[0],
        ),
        [customer_kpis.HANDLE_MINUTES, customer_kpis.SENTIMENT],
        ["band"],
    )
    assert both["handle_minutes_avg"].iloc[0] == pytest.approx(4.5)
    assert pd.isna(both["sentiment_score"].iloc[0])


def test_changes_of_percentages_are_in_points_and_units_are_written():
    assert customer_kpis.CSAT.delta_unit == " pts"
    assert customer_kpis.NPS.delta_unit == " pts"
    assert customer_kpis.AHT.delta_unit == " min"
    assert format_value(None, 2, "%") == "—"
    assert format_value(1234.567, 2) == "1,234.57"
    assert format_value(148.94, 1, " min") == "148.9 min"
    assert format_delta(-0.171, "", 2) == "-0.17"


def test_filters_apply_where_the_mart_has_the_dimension():
    rows = frame(
        month=pd.to_datetime(["2025-01-01", "2025-02-01", "2025-02-01"]),
        location=["X", "X", "Y"],
        contact_channel=["phone", "chat", "phone"],
    )
    choices = {"segment": ["A"], "location": ["X"], "contact_channel": ["phone"], "sales_channel": []}
    kept = customer_marts.filter_rows(rows, choices=choices)  # no segment column: that filter filters nothing
    assert kept["month"].dt.month.tolist() == [1]
    assert len(customer_marts.filter_rows(rows, choices={"location": ["Z"]})) == 0  # absent value: no data
    assert len(customer_marts.filter_rows(rows, choices={"location": []})) == 3  # empty choice: all
    assert customer_marts.ignored_filters("handle_time", choices) == ["Segment"]
    assert customer_marts.ignored_filters("support", choices) == []


def test_what_the_data_lacks_is_one_plain_sentence():
    assert (
        mart_loading.lacking_sentence(["orders"])
        == "This business's data has no orders, so their figures show — (no data)."
    )
    assert mart_loading.lacking_sentence(["orders", "sales leads", "support tickets"]).startswith(
        "This business's data has no orders, sales leads or support tickets, so"
    )


def test_default_period_ends_on_the_latest_month_every_mart_reached():
    def months(*ms: str) -> pd.DataFrame:
        return frame(month=pd.to_datetime(list(ms)))

    frames = {
        "nps": months("2024-01-01", "2025-12-01"),
        "retention": months("2022-01-01", "2026-01-01"),  # runs into the partial as-of month
        "detractors": months("2025-06-01"),  # single events: a month without any is not missing
        "support": months(*[]),  # empty marts do not hold the period back
    }
    # The 12 months up to Dec 2025 start in Jan 2025, which no mart holds here: the period starts on the first
    # month inside them that the slider offers (D139).
    assert customer_marts.default_period(frames) == (pd.Timestamp("2025-06-01"), pd.Timestamp("2025-12-01"))
    short = {"nps": months("2025-05-01", "2025-06-01")}
    assert customer_marts.default_period(short) == (pd.Timestamp("2025-05-01"), pd.Timestamp("2025-06-01"))


# --- the built lakes: the generated business and the real public data -----------------------------------
def check_built_lake_page(monkeypatch, db: Path) -> AppTest:
    """The page on a pipeline's serving copy: no raw code anywhere, every card and the to-date figures as SQL
    gives them."""
    at = open_page(monkeypatch, db)
    assert_plain(at)
    expected = to_date_sql(db)
    for label in ("Churn to date %", "Predictive CLTV"):
        assert_shows([m for m in at.metric if m.label == label][-1].value, expected[label])
    return at


def check_real_data_page(monkeypatch, db: Path) -> None:
    """IBM Telco is a snapshot export (a churn status, no dates of leaving): the churn card is the share to date,
    26.54 %, never 0.0 % monthly; the data has no orders, so lifetime value is no data, not £0.00."""
    at = check_built_lake_page(monkeypatch, db)
    assert "Churn %" not in [m.label for m in at.metric]
    headline = [m for m in at.metric if m.label == "Churn to date %"][0]
    (expected,) = values(db, "SELECT 100.0 * sum(lost_customers) / sum(customers) FROM marts.customer_churn_summary")
    assert expected == pytest.approx(26.54, abs=0.01) and headline.value == f"{expected:.1f}%"
    assert metric(at, "Historical CLTV").value == "—"
    banner = " ".join(i.value for i in at.info)
    # The sources the sample lacks are named once, with how to load them (ui.report_sources), not mart by mart.
    assert "Not loaded yet: orders" in banner and "support tickets" in banner and "marts." not in banner
    assert "This business's data has no " not in banner


def test_the_page_on_the_generated_lake(monkeypatch, built_lake):
    from tests.test_kpi_catalog import assert_named_as_on_this_week

    at = check_built_lake_page(monkeypatch, built_lake.settings.serving_db)
    assert "Churn %" in [m.label for m in at.metric]  # a CRM with a monthly history keeps monthly churn
    assert_named_as_on_this_week(built_lake.settings.serving_db, at, "customer_empathy")  # one label (D302)


def test_the_page_on_the_real_data_lake(monkeypatch, real_data_lake):
    check_real_data_page(monkeypatch, real_data_lake.settings.serving_db)


def test_a_link_naming_a_location_opens_the_page_filtered_to_it(monkeypatch, serving_db):
    """The This week page's movers link here with ?location=X: the page opens filtered to X (and NPS is X's);
    a location the data does not have is ignored rather than breaking the page."""
    from tests.test_dashboard_apptest import run_app

    location = values(serving_db, "SELECT min(location) FROM marts.customer_nps_monthly")[0]
    at = run_app(monkeypatch, serving_db)
    at.query_params["location"] = [location]
    at = rerun(at.switch_page(PAGE))
    assert at.multiselect(key="customer_locations").value == [location]
    month = customer_default_month(serving_db)
    assert_card(at, serving_db, "NPS", month, location=location)

    at = run_app(monkeypatch, serving_db)
    at.query_params["location"] = ["Atlantis"]
    at = rerun(at.switch_page(PAGE))
    assert at.multiselect(key="customer_locations").value == []
