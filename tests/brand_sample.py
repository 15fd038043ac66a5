"""A small, consistent fictional brand for the dashboard tests: the four brand marts with the counts the
pipeline would publish (every row passes the marts' dbt tests: positive + neutral + negative = scored,
scored + unscored = texts, the star counts add up to reviews, every theme has a row per cell).

Planted for the Brand & voice tests: review platforms (Google, Trustpilot) and mention-only platforms (X,
Instagram), so a mention platform shows no rating ("—"); locations that differ in sentiment; a month
(March 2025) where Instagram in Toronto has only unscored texts, so its sentiment has nothing to divide by.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

MONTHS = [m.date() for m in pd.date_range("2025-01-01", "2025-06-01", freq="MS")]
LOCATIONS = ["Berlin", "Lisbon", "Toronto"]
REVIEW_PLATFORMS = ["Google", "Trustpilot"]
MENTION_PLATFORMS = ["X", "Instagram"]
THEMES = ["delivery", "price", "staff_attitude", "waiting"]
_MOOD = {"Berlin": 0.7, "Lisbon": 0.5, "Toronto": 0.3}  # share of positive texts
_SNIPPETS = {
    "positive": [
        "Lovely staff, they really listened.",
        "Quick delivery and a kind note.",
        "Fair price, friendly help.",
    ],
    "neutral": ["It was fine.", "Order arrived.", "Average visit."],
    "negative": ["Waited an hour, nobody cared.", "Rude at the counter.", "Refund still missing."],
}


def _sentiment_rows(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    cells = [(m, "review", p, loc) for m, p, loc in itertools.product(MONTHS, REVIEW_PLATFORMS, LOCATIONS)]
    cells += [(m, "mention", p, loc) for m, p, loc in itertools.product(MONTHS, MENTION_PLATFORMS, LOCATIONS)]
    for month, source, platform, location in cells:
        texts = int(rng.integers(4, 30))
        unscored = int(rng.integers(0, 4))
        if (month, platform, location) == (MONTHS[2], "Instagram", "Toronto"):
            unscored = texts  # nothing scored: no sentiment for this cell
        scored = texts - unscored
        positive = int(rng.binomial(scored, _MOOD[location]))
        negative = int(rng.binomial(scored - positive, 0.6))
        neutral = scored - positive - negative
        empathy = int(rng.binomial(texts, 0.35 if source == "review" else 0.15))
        anti = int(rng.binomial(texts - empathy, 0.1))
        reach = int(rng.integers(100, 5000)) * texts if source == "mention" else 0
        rows.append(
            (month, source, platform, location, texts, scored, positive, neutral, negative, unscored, empathy, anti)
            + (reach, 100.0 * (positive - negative) / scored if scored else None)
            + (100.0 * empathy / texts, 100.0 * anti / texts)
        )
    return pd.DataFrame(
        rows,
        columns=["month", "source", "platform", "location", "texts", "scored_texts", "positive_texts"]
        + ["neutral_texts", "negative_texts", "unscored_texts", "empathy_texts", "anti_empathy_texts", "reach"]
        + ["sentiment_score", "empathy_share_pct", "anti_empathy_share_pct"],
    )


def _reviews_rows(sentiment: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for r in sentiment[sentiment["source"] == "review"].itertuples():
        p = np.array([1, 1, 2, 3, 4], dtype=float) + (np.array([3, 2, 1, 0, -1]) if r.location == "Toronto" else 0)
        stars = rng.multinomial(r.texts, p / p.sum())
        reviews = int(stars.sum())
        rating_sum = float((stars * np.arange(1, 6)).sum())
        top_box, bottom_box = int(stars[3:].sum()), int(stars[:2].sum())
        answers = int(rng.integers(0, reviews + 1))
        recommended = int(rng.binomial(answers, 0.6))
        rows.append(
            (r.month, r.platform, r.location, reviews, rating_sum, top_box, bottom_box, *map(int, stars))
            + (answers, recommended, rating_sum / reviews, 100.0 * top_box / reviews)
            + (100.0 * recommended / answers if answers else None,)
        )
    return pd.DataFrame(
        rows,
        columns=["month", "platform", "location", "reviews", "rating_sum", "top_box_reviews", "bottom_box_reviews"]
        + [f"rating_{s}_reviews" for s in range(1, 6)]
        + ["recommend_answers", "recommended_reviews", "rating_mean", "top_box_pct", "recommended_pct"],
    )


def _themes_rows(sentiment: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for r in sentiment.itertuples():
        for theme in THEMES:
            theme_texts = int(rng.binomial(r.texts, 0.2 if theme != "delivery" else 0.4))
            scored = min(theme_texts, r.scored_texts)
            positive = int(rng.binomial(scored, 0.5))
            negative = int(rng.binomial(scored - positive, 0.5))
            rows.append(
                (r.month, r.source, r.platform, r.location, theme, r.texts, theme_texts, scored, positive, negative)
                + (100.0 * theme_texts / r.texts, 100.0 * (positive - negative) / scored if scored else None)
            )
    return pd.DataFrame(
        rows,
        columns=["month", "source", "platform", "location", "theme", "texts", "theme_texts", "scored_theme_texts"]
        + ["positive_theme_texts", "negative_theme_texts", "theme_share_pct", "theme_sentiment_score"],
    )


def _examples_rows(reviews: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    labels = ["positive", "neutral", "negative", "unscored"]
    for r in reviews.itertuples():
        for i in range(int(rng.integers(1, 4))):  # a few of the cell's reviews
            label = labels[int(rng.integers(0, 4))]
            text = _SNIPPETS["neutral" if label == "unscored" else label][i % 3]
            score = {"positive": 0.6, "neutral": 0.0, "negative": -0.6}.get(label)
            rows.append(
                (f"RV-{r.month:%Y%m}-{r.platform[:2]}-{r.location[:3]}-{i}", r.month, r.platform, r.location)
                + (float(rng.integers(1, 6)), "en" if label != "unscored" else "und", label, score)
                + (label == "positive", label == "negative", "staff_attitude" if i == 0 else "", text)
            )
    return pd.DataFrame(
        rows,
        columns=["review_id", "month", "platform", "location", "rating", "language", "sentiment_label"]
        + ["sentiment_score", "has_empathy", "has_anti_empathy", "themes", "review_text"],
    )


def brand_marts(seed: int = 5) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    sentiment = _sentiment_rows(rng)
    reviews = _reviews_rows(sentiment, rng)
    return {
        "marts.brand_sentiment_monthly": sentiment,
        "marts.brand_reviews_monthly": reviews,
        "marts.brand_themes_monthly": _themes_rows(sentiment, rng),
        "marts.brand_review_examples": _examples_rows(reviews, rng),
    }
