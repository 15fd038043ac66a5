# ruff: noqa: E501 - one damage per line reads as a table; wrapping the SQL would hide the pattern
"""The brand and customer-text marts' part of tests/test_gx_checks.py: their columns as dbt builds them
(read from a real build), small consistent rows that pass every suite, and one damage per expectation that
must fail it. Kept apart like tests/employee_gx_cases.py."""

from __future__ import annotations


def _columns(spec: str) -> dict[str, str]:
    return dict(item.strip().split(" ", 1) for item in spec.split(","))


BRAND_MART_COLUMNS = {
    "marts.brand_sentiment_monthly": _columns(
        "month DATE, source VARCHAR, platform VARCHAR, location VARCHAR, texts BIGINT, scored_texts BIGINT, "
        "positive_texts BIGINT, neutral_texts BIGINT, negative_texts BIGINT, unscored_texts BIGINT, "
        "empathy_texts BIGINT, anti_empathy_texts BIGINT, reach BIGINT, sentiment_score DOUBLE, "
        "empathy_share_pct DOUBLE, anti_empathy_share_pct DOUBLE"
    ),
    "marts.brand_reviews_monthly": _columns(
        "month DATE, platform VARCHAR, location VARCHAR, reviews BIGINT, rating_sum DOUBLE, top_box_reviews BIGINT, "
        "bottom_box_reviews BIGINT, rating_1_reviews BIGINT, rating_2_reviews BIGINT, rating_3_reviews BIGINT, "
        "rating_4_reviews BIGINT, rating_5_reviews BIGINT, recommend_answers BIGINT, recommended_reviews BIGINT, "
        "rating_mean DOUBLE, top_box_pct DOUBLE, recommended_pct DOUBLE"
    ),
    "marts.brand_themes_monthly": _columns(
        "month DATE, source VARCHAR, platform VARCHAR, location VARCHAR, theme VARCHAR, texts BIGINT, "
        "theme_texts BIGINT, scored_theme_texts BIGINT, positive_theme_texts BIGINT, negative_theme_texts BIGINT, "
        "theme_share_pct DOUBLE, theme_sentiment_score DOUBLE"
    ),
    "marts.brand_review_examples": _columns(
        "review_id VARCHAR, month DATE, platform VARCHAR, location VARCHAR, rating DOUBLE, language VARCHAR, "
        "sentiment_label VARCHAR, sentiment_score DOUBLE, has_empathy BOOLEAN, has_anti_empathy BOOLEAN, "
        "themes VARCHAR, review_text VARCHAR, redactions INTEGER"
    ),
    "marts.customer_nps_detractor_themes": _columns(
        "month DATE, region VARCHAR, location VARCHAR, theme VARCHAR, detractor_comments BIGINT, "
        "theme_comments BIGINT, theme_share_pct DOUBLE"
    ),
    "marts.customer_text_sentiment": _columns(
        "customer_id VARCHAR, segment VARCHAR, region VARCHAR, location VARCHAR, channel VARCHAR, texts BIGINT, "
        "scored_texts BIGINT, positive_texts BIGINT, neutral_texts BIGINT, negative_texts BIGINT, "
        "last_text_at TIMESTAMP, recent_texts BIGINT, recent_scored_texts BIGINT, recent_negative_texts BIGINT, "
        "last_negative_at TIMESTAMP, as_of_date DATE, sentiment_score DOUBLE, recent_negative_pct DOUBLE, "
        "needs_follow_up BOOLEAN"
    ),
    "marts.customer_sentiment_follow_up": _columns(
        "customer_id VARCHAR, segment VARCHAR, region VARCHAR, location VARCHAR, channel VARCHAR, "
        "recent_scored_texts BIGINT, recent_negative_texts BIGINT, recent_negative_pct DOUBLE, "
        "last_negative_at TIMESTAMP, as_of_date DATE"
    ),
}

BRAND_GOOD_ROWS = [
    # Google: 3 scored (2 positive, 1 negative) + 1 unscored, one with empathy language; X: nothing scored.
    """INSERT INTO marts.brand_sentiment_monthly VALUES
       (DATE '2025-01-01', 'review', 'Google', 'Leeds', 4, 3, 2, 0, 1, 1, 1, 1, 0, 100.0 / 3, 25.0, 25.0),
       (DATE '2025-01-01', 'mention', 'X', 'Leeds', 1, 0, 0, 0, 0, 1, 0, 0, 120, NULL, 0.0, 0.0)""",
    """INSERT INTO marts.brand_reviews_monthly VALUES
       (DATE '2025-01-01', 'Google', 'Leeds', 5, 17.5, 3, 1, 1, 0, 1, 1, 2, 4, 2, 3.5, 60.0, 50.0),
       (DATE '2025-02-01', 'Google', 'Leeds', 1, 5.0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 5.0, 100.0, NULL)""",
    """INSERT INTO marts.brand_themes_monthly VALUES
       (DATE '2025-01-01', 'review', 'Google', 'Leeds', 'price', 2, 1, 1, 0, 1, 50.0, -100.0),
       (DATE '2025-01-01', 'review', 'Google', 'Leeds', 'delivery', 2, 0, 0, 0, 0, 0.0, NULL)""",
    """INSERT INTO marts.brand_review_examples VALUES
       ('0', DATE '2025-01-01', 'Google', 'Leeds', 5, 'en', 'positive', 0.8, true, false, 'staff_attitude',
        'Lovely staff', 0),
       ('1', DATE '2025-01-01', 'Google', 'Leeds', 2, 'de', 'unscored', NULL, false, false, '', 'Schlecht', 0)""",
    """INSERT INTO marts.customer_nps_detractor_themes VALUES
       (DATE '2025-01-01', 'North', 'Leeds', 'price', 2, 1, 50.0),
       (DATE '2025-01-01', 'North', 'Leeds', 'delivery', 2, 0, 0.0)""",
    """INSERT INTO marts.customer_text_sentiment (customer_id, texts, scored_texts, positive_texts, neutral_texts,
           negative_texts, recent_texts, recent_scored_texts, recent_negative_texts, sentiment_score,
           recent_negative_pct, needs_follow_up) VALUES
       ('c1', 3, 3, 1, 0, 2, 2, 2, 2, -100.0 / 3, 100.0, true),
       ('c2', 1, 0, 0, 0, 0, 1, 0, 0, NULL, NULL, false)""",
    """INSERT INTO marts.customer_sentiment_follow_up (customer_id, recent_scored_texts, recent_negative_texts,
           recent_negative_pct) VALUES ('c1', 2, 2, 100.0), ('c5', 4, 3, 75.0)""",
]

BRAND_BAD_CASES = [
    ("marts_brand_sentiment_monthly",
     "UPDATE marts.brand_sentiment_monthly SET texts = 0, unscored_texts = -1, empathy_share_pct = NULL, "
     "anti_empathy_share_pct = NULL WHERE source = 'mention'",
     ("expect_column_values_to_be_between", "texts")),
    ("marts_brand_sentiment_monthly", "UPDATE marts.brand_sentiment_monthly SET neutral_texts = 1 WHERE source = 'review'",
     ("expect_column_pair_values_to_be_equal", "toned_texts, scored_texts")),
    ("marts_brand_sentiment_monthly", "UPDATE marts.brand_sentiment_monthly SET unscored_texts = 0 WHERE source = 'review'",
     ("expect_column_pair_values_to_be_equal", "classified_texts, texts")),
    ("marts_brand_sentiment_monthly",
     "UPDATE marts.brand_sentiment_monthly SET empathy_texts = 2, empathy_share_pct = 200 WHERE source = 'mention'",
     ("expect_column_pair_values_a_to_be_greater_than_b", "texts, empathy_texts")),
    ("marts_brand_sentiment_monthly", "UPDATE marts.brand_sentiment_monthly SET sentiment_score = 150 WHERE source = 'review'",
     ("expect_column_values_to_be_between", "sentiment_score")),
    # The positive share (66.7) stored as the score.
    ("marts_brand_sentiment_monthly",
     "UPDATE marts.brand_sentiment_monthly SET sentiment_score = 200.0 / 3 WHERE source = 'review'",
     ("expect_column_values_to_be_between", "sentiment_score_error")),
    # Empathy share over the scored texts instead of all texts (1 / 3).
    ("marts_brand_sentiment_monthly",
     "UPDATE marts.brand_sentiment_monthly SET empathy_share_pct = 100.0 / 3 WHERE source = 'review'",
     ("expect_column_values_to_be_between", "empathy_share_pct_error")),
    ("marts_brand_reviews_monthly",
     "UPDATE marts.brand_reviews_monthly SET reviews = 0, rating_5_reviews = 0, top_box_reviews = 0, rating_mean = NULL, "
     "top_box_pct = NULL WHERE month = DATE '2025-02-01'",
     ("expect_column_values_to_be_between", "reviews")),
    ("marts_brand_reviews_monthly", "UPDATE marts.brand_reviews_monthly SET rating_3_reviews = 0 WHERE reviews = 5",
     ("expect_column_pair_values_to_be_equal", "distributed_reviews, reviews")),
    ("marts_brand_reviews_monthly", "UPDATE marts.brand_reviews_monthly SET top_box_reviews = 2, top_box_pct = 200 WHERE reviews = 1",
     ("expect_column_pair_values_a_to_be_greater_than_b", "reviews, top_box_reviews")),
    # A 1-10 scale mixed in: the mean agrees with its sum but is off the 1-5 scale.
    ("marts_brand_reviews_monthly", "UPDATE marts.brand_reviews_monthly SET rating_sum = 9, rating_mean = 9 WHERE reviews = 1",
     ("expect_column_values_to_be_between", "rating_mean")),
    ("marts_brand_reviews_monthly", "UPDATE marts.brand_reviews_monthly SET top_box_pct = -5 WHERE reviews = 5",
     ("expect_column_values_to_be_between", "top_box_pct")),
    ("marts_brand_reviews_monthly", "UPDATE marts.brand_reviews_monthly SET rating_sum = 20 WHERE reviews = 5",
     ("expect_column_values_to_be_between", "rating_mean_error")),
    ("marts_brand_reviews_monthly", "UPDATE marts.brand_reviews_monthly SET top_box_reviews = 2 WHERE reviews = 5",
     ("expect_column_values_to_be_between", "top_box_pct_error")),
    ("marts_brand_themes_monthly",
     "UPDATE marts.brand_themes_monthly SET theme_texts = 3, theme_share_pct = 150 WHERE theme = 'price'",
     ("expect_column_pair_values_a_to_be_greater_than_b", "texts, theme_texts")),
    ("marts_brand_themes_monthly", "UPDATE marts.brand_themes_monthly SET theme_share_pct = -1 WHERE theme = 'delivery'",
     ("expect_column_values_to_be_between", "theme_share_pct")),
    ("marts_brand_themes_monthly", "UPDATE marts.brand_themes_monthly SET theme_share_pct = 100 WHERE theme = 'price'",
     ("expect_column_values_to_be_between", "theme_share_pct_error")),
    ("marts_brand_review_examples", "UPDATE marts.brand_review_examples SET rating = 10 WHERE review_id = '0'",
     ("expect_column_values_to_be_between", "rating")),
    ("marts_customer_nps_detractor_themes",
     "UPDATE marts.customer_nps_detractor_themes SET detractor_comments = 0, theme_share_pct = NULL WHERE theme = 'delivery'",
     ("expect_column_values_to_be_between", "detractor_comments")),
    ("marts_customer_nps_detractor_themes",
     "UPDATE marts.customer_nps_detractor_themes SET theme_comments = 3, theme_share_pct = 150 WHERE theme = 'price'",
     ("expect_column_pair_values_a_to_be_greater_than_b", "detractor_comments, theme_comments")),
    ("marts_customer_nps_detractor_themes",
     "UPDATE marts.customer_nps_detractor_themes SET theme_share_pct = -1 WHERE theme = 'delivery'",
     ("expect_column_values_to_be_between", "theme_share_pct")),
    ("marts_customer_nps_detractor_themes",
     "UPDATE marts.customer_nps_detractor_themes SET theme_share_pct = 25 WHERE theme = 'price'",
     ("expect_column_values_to_be_between", "theme_share_pct_error")),
    ("marts_customer_text_sentiment", "UPDATE marts.customer_text_sentiment SET neutral_texts = 1 WHERE customer_id = 'c1'",
     ("expect_column_pair_values_to_be_equal", "toned_texts, scored_texts")),
    ("marts_customer_text_sentiment", "UPDATE marts.customer_text_sentiment SET recent_texts = 2 WHERE customer_id = 'c2'",
     ("expect_column_pair_values_a_to_be_greater_than_b", "texts, recent_texts")),
    ("marts_customer_text_sentiment",
     "UPDATE marts.customer_text_sentiment SET recent_negative_texts = 3, recent_negative_pct = 150 WHERE customer_id = 'c1'",
     ("expect_column_pair_values_a_to_be_greater_than_b", "recent_scored_texts, recent_negative_texts")),
    ("marts_customer_text_sentiment", "UPDATE marts.customer_text_sentiment SET sentiment_score = -150 WHERE customer_id = 'c1'",
     ("expect_column_values_to_be_between", "sentiment_score")),
    ("marts_customer_text_sentiment", "UPDATE marts.customer_text_sentiment SET sentiment_score = 0 WHERE customer_id = 'c2'",
     ("expect_column_values_to_be_between", "sentiment_score_error")),
    ("marts_customer_sentiment_follow_up",
     "UPDATE marts.customer_sentiment_follow_up SET recent_scored_texts = 1, recent_negative_texts = 1 WHERE customer_id = 'c1'",
     ("expect_column_values_to_be_between", "recent_scored_texts")),
    ("marts_customer_sentiment_follow_up",
     "UPDATE marts.customer_sentiment_follow_up SET recent_negative_pct = 50 WHERE customer_id = 'c5'",
     ("expect_column_values_to_be_between", "recent_negative_pct")),
]  # fmt: skip
