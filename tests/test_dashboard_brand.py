"""The Brand & voice page: every card and the example table equal SQL over the same serving file.

The page runs headless with Streamlit's AppTest against a serving file written by tests/serving_fixture.py
(brand rows from tests/brand_sample.py); every expected number is recomputed here with SQL (sum the
counts, divide last), never with the app's pandas code. The pure arithmetic is tested at the end.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from streamlit_app import brand_kpis
from tests.brand_gx_cases import BRAND_MART_COLUMNS
from tests.dashboard_expectations import assert_shows, month_before, sql
from tests.serving_fixture import sample_serving_db, sample_tables, write_serving_db
from tests.test_dashboard_apptest import dataframe_with, metric, open_app_page

PAGE = "app_pages/brand_voice.py"
# Card label -> (mart, numerator, denominator), restated from the brand marts' dbt docs, not from the app.
BRAND_CARD_SQL = {
    "Brand sentiment": (
        "brand_sentiment_monthly", "100 * (sum(positive_texts) - sum(negative_texts))", "sum(scored_texts)"
    ),
    "Mean rating": ("brand_reviews_monthly", "sum(rating_sum)", "sum(reviews)"),
    "Rated 4–5 %": ("brand_reviews_monthly", "100 * sum(top_box_reviews)", "sum(reviews)"),
    "Empathy language %": ("brand_sentiment_monthly", "100 * sum(empathy_texts)", "sum(texts)"),
    "Mention volume": ("brand_sentiment_monthly", "sum(texts) FILTER (WHERE source = 'mention')", ""),
}  # fmt: skip


def sql_card(db: Path, label: str, month: dt.date, platform: str | None = None) -> float | None:
    table, numerator, denominator = BRAND_CARD_SQL[label]
    where = "WHERE month = ? AND (?::VARCHAR IS NULL OR platform = ?)"
    if label == "Mention volume":  # a count: 0 when there are texts but no mentions, no data without texts
        statement = f"SELECT CASE WHEN sum(texts) > 0 THEN coalesce({numerator}, 0) END FROM marts.{table} {where}"
    else:
        statement = f"SELECT ({numerator})::DOUBLE / nullif({denominator}, 0) FROM marts.{table} {where}"
    value = sql(db, statement, [month, platform, platform])[0][0]
    return None if value is None else float(value)


def latest_month(db: Path) -> dt.date:
    """The latest month every brand count mart has reached (the page's default card month)."""
    return min(
        sql(db, f"SELECT max(month) FROM marts.{t}")[0][0]
        for t in ("brand_sentiment_monthly", "brand_reviews_monthly", "brand_themes_monthly")
    )


def open_page(monkeypatch, db: Path):
    return open_app_page(monkeypatch, db, PAGE)


def assert_cards(at, db: Path, month: dt.date, platform: str | None = None) -> None:
    assert sorted(m.label for m in at.metric) == sorted(BRAND_CARD_SQL)
    for label in BRAND_CARD_SQL:
        shown = metric(at, label)
        now = sql_card(db, label, month, platform)
        before = sql_card(db, label, month_before(month), platform)
        assert_shows(shown.value.replace("★", ""), now)
        assert shown.help, f"{label}: no formula tooltip"
        if now is None or before is None:
            assert not shown.proto.delta, f"{label}: a change from no data"
        else:
            assert_shows(shown.proto.delta.split()[0].lstrip("+").replace("★", ""), now - before)


@pytest.fixture
def serving_db(tmp_path) -> Path:
    return sample_serving_db(tmp_path)


def test_every_card_equals_sql_over_the_latest_month(monkeypatch, serving_db):
    at = open_page(monkeypatch, serving_db)
    month = latest_month(serving_db)
    assert f"{month:%b %Y}" in [h.value for h in at.subheader]
    assert_cards(at, serving_db, month)
    assert "100 × (positive − negative) / scored" in metric(at, "Brand sentiment").help


@pytest.mark.parametrize("platform", ["Google", "X"])
def test_cards_for_one_platform_recompute_from_its_counts(monkeypatch, serving_db, platform):
    month = latest_month(serving_db)
    at = open_page(monkeypatch, serving_db)
    at.multiselect(key="brand_platforms").select(platform)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert_cards(at, serving_db, month, platform)
    if platform == "X":  # a mention-only platform: no ratings, shown as no data rather than 0
        assert metric(at, "Mean rating").value == "—"


def test_the_example_table_equals_the_sql_rows_for_the_filter(monkeypatch, serving_db):
    month = latest_month(serving_db)
    start = (pd.Timestamp(month) - pd.DateOffset(months=11)).date()
    at = open_page(monkeypatch, serving_db)
    at.multiselect(key="brand_platforms").select("Trustpilot")
    at.multiselect(key="brand_locations").select("Lisbon")
    at.run()
    shown = dataframe_with(at, "review_text")
    expected = sql(
        serving_db,
        "SELECT review_id, review_text FROM marts.brand_review_examples WHERE platform = 'Trustpilot' "
        "AND location = 'Lisbon' AND month BETWEEN ? AND ? ORDER BY month DESC, review_id",
        [start, month],
    )
    assert expected, "the sample must hold examples for the filter"
    assert list(zip(shown["review_id"], shown["review_text"], strict=True)) == expected
    assert not {"customer_id", "customer_key"} & set(shown.columns)


def test_a_publication_without_brand_marts_renders_a_message(tmp_path, monkeypatch):
    brand = [t for t in BRAND_MART_COLUMNS if t.startswith("marts.brand_")]
    tables = {k: v for k, v in sample_tables().items() if k not in brand}
    db = write_serving_db(tmp_path / "serving" / "empathy_lake.duckdb", tables, omit=brand)
    at = open_page(monkeypatch, db)
    assert any("has nothing for brand sentiment" in w.value for w in at.warning)
    assert any("no monthly rows" in i.value for i in at.info)


def test_no_social_mentions_in_the_data_is_no_data_not_zero(tmp_path, monkeypatch, serving_db):
    """A business whose data has reviews but no social mentions (the real-data lake) shows — with a reason."""
    tables = sample_tables()
    for name in ("marts.brand_sentiment_monthly", "marts.brand_themes_monthly"):
        tables[name] = tables[name][tables[name]["source"] != "mention"]
    db = write_serving_db(tmp_path / "serving" / "empathy_lake.duckdb", tables)
    at = open_page(monkeypatch, db)
    assert metric(at, "Mention volume").value == "—"
    assert not metric(at, "Mention volume").proto.delta
    assert "This business's data has no social mentions" in [c.value for c in at.caption]
    assert_shows(metric(at, "Brand sentiment").value, sql_card(db, "Brand sentiment", latest_month(db)))


def test_review_examples_read_in_plain_words(monkeypatch, serving_db):
    at = open_page(monkeypatch, serving_db)
    shown = dataframe_with(at, "review_text")
    codes = sql(serving_db, "SELECT DISTINCT sentiment_label FROM marts.brand_review_examples")
    assert {"Positive", "Not scored"} <= set(shown["sentiment_label"])
    assert not {c for (c,) in codes} & set(shown["sentiment_label"]), "sentiment codes shown raw"
    assert "Staff attitude" in set(shown["themes"]) and "No recognised theme" in set(shown["themes"])
    assert not {"staff_attitude", "", None} & set(shown["themes"])
    assert {"English", "Unknown language"} <= set(shown["language"])


def test_theme_words():
    assert brand_kpis.theme_words("price, staff_attitude") == "Price, Staff attitude"
    assert brand_kpis.theme_words("") == "No recognised theme"
    assert brand_kpis.theme_words(None) == "No recognised theme"


# --- pure arithmetic ------------------------------------------------------------------------------------
def test_ratios_sum_counts_then_divide_and_zero_denominators_give_none():
    rows = pd.DataFrame(
        {"positive_texts": [9, 0], "negative_texts": [0, 1], "scored_texts": [10, 1], "empathy_texts": [1, 0]}
        | {"texts": [10, 1], "source": ["review", "review"]}
    )
    assert brand_kpis.value_of(rows, brand_kpis.SENTIMENT) == pytest.approx(100 * 8 / 11)  # not (90 − 100) / 2
    assert brand_kpis.value_of(rows, brand_kpis.EMPATHY) == pytest.approx(100 / 11)
    nothing = rows.assign(positive_texts=0, negative_texts=0, scored_texts=0, texts=0, empathy_texts=0)
    assert brand_kpis.value_of(nothing, brand_kpis.SENTIMENT) is None
    assert brand_kpis.value_of(nothing, brand_kpis.EMPATHY) is None
    reviews = pd.DataFrame({"rating_sum": [0.0], "top_box_reviews": [0], "reviews": [0]})
    assert brand_kpis.value_of(reviews, brand_kpis.RATING) is None
    assert brand_kpis.value_of(reviews, brand_kpis.TOP_BOX) is None


def test_mention_volume_is_none_when_the_data_has_no_mentions_at_all():
    rows = pd.DataFrame({"source": ["review"], "texts": [4]})
    assert brand_kpis.mention_volume(rows) == 0  # reviews and no mention this month: a real 0
    assert not brand_kpis.has_mentions(rows)
    assert brand_kpis.mention_volume(rows, mentions_in_data=False) is None


def test_mention_volume_counts_mentions_and_is_none_without_texts():
    rows = pd.DataFrame({"source": ["review", "mention", "mention"], "texts": [5, 2, 3]})
    assert brand_kpis.mention_volume(rows) == 5
    assert brand_kpis.mention_volume(rows[rows["source"] == "review"]) == 0
    assert brand_kpis.mention_volume(rows.iloc[0:0]) is None


def test_rating_distribution_and_theme_shares_from_summed_counts():
    stars = {f"rating_{s}_reviews": [s % 2, 1] for s in range(1, 6)}
    distribution = brand_kpis.rating_distribution(pd.DataFrame(stars))
    assert distribution["reviews"].tolist() == [2, 1, 2, 1, 2]
    assert distribution["share_pct"].iloc[0] == pytest.approx(25.0)
    empty = brand_kpis.rating_distribution(pd.DataFrame({c: [0] for c in stars}))
    assert empty["share_pct"].isna().all()
    themes = pd.DataFrame(
        {"theme": ["price", "price", "waiting"], "texts": [10, 30, 0], "theme_texts": [5, 3, 0]}
        | {"scored_theme_texts": [5, 3, 0], "positive_theme_texts": [1, 3, 0], "negative_theme_texts": [4, 0, 0]}
    )
    shares = brand_kpis.theme_shares(themes).set_index("theme")
    assert shares.loc["price", "theme_share_pct"] == pytest.approx(100 * 8 / 40)
    assert shares.loc["price", "theme_sentiment_score"] == pytest.approx(0.0)
    assert pd.isna(shares.loc["waiting", "theme_share_pct"])


def test_a_reviews_title_and_text_are_set_apart(tmp_path, monkeypatch):
    """Walk s19: "Disappointed I felt ignored, ..." — a review's title and text are published joined by a line break,
    which a table cell drops, so they ran together. The page sets them apart: "Disappointed — I felt ignored"."""
    tables = sample_tables()
    examples = tables["marts.brand_review_examples"].copy()
    latest = examples["month"].max()
    first = examples.index[examples["month"] == latest][0]
    examples.loc[first, "review_text"] = "Disappointed\nI felt ignored, waited forever and nobody called back."
    tables["marts.brand_review_examples"] = examples
    db = write_serving_db(tmp_path / "serving" / "empathy_lake.duckdb", tables)
    shown = dataframe_with(open_page(monkeypatch, db), "review_text")
    assert "Disappointed — I felt ignored, waited forever and nobody called back." in set(shown["review_text"])
    assert not [t for t in shown["review_text"] if "\n" in str(t)]
    assert brand_kpis.review_words("A\n\nB\nC") == "A — B — C"
