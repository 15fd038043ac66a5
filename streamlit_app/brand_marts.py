"""The brand marts the Brand & voice page reads, loaded through mart_loading.load_marts.

Only counts are loaded, never the marts' ratio columns: every ratio is recomputed from summed counts
(brand_kpis.py). Dimensions are `source` (review / mention), `platform` and `location`; the page filters on
platform and location, and every brand mart has both. The example comments are public review texts only:
the mart holds no customer key and the page reads none.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from streamlit_app.access import Scope
from streamlit_app.customer_marts import (
    Mart,
    filter_rows,
    list_rows,
    mart_statement,
    months_of,
    no_rows,
    options,
    with_months,
)
from streamlit_app.kpis import period_start
from streamlit_app.mart_loading import Loaded, load_marts

__all__ = ["FILTERS", "MARTS", "default_period", "filter_rows", "list_rows", "load_all", "months_of", "options"]

FILTERS = {"platform": "Platform", "location": "Location"}
DEFAULT_PERIOD_MONTHS = 12
_DIMENSIONS = {"source": "source", "platform": "platform", "location": "location"}

MARTS: dict[str, Mart] = {
    "sentiment": Mart(
        "brand_sentiment_monthly",
        "brand sentiment",
        _DIMENSIONS,
        ("texts", "scored_texts", "positive_texts", "neutral_texts", "negative_texts", "unscored_texts")
        + ("empathy_texts", "anti_empathy_texts", "reach"),
        subject="public reviews or social mentions",
    ),
    "reviews": Mart(
        "brand_reviews_monthly",
        "review ratings",
        {"platform": "platform", "location": "location"},
        ("reviews", "rating_sum", "top_box_reviews", "bottom_box_reviews")
        + tuple(f"rating_{s}_reviews" for s in range(1, 6)),
        subject="rated public reviews",
    ),
    "themes": Mart(
        "brand_themes_monthly",
        "brand themes",
        {**_DIMENSIONS, "theme": "theme"},
        ("texts", "theme_texts", "scored_theme_texts", "positive_theme_texts", "negative_theme_texts"),
        subject="public reviews or social mentions",
    ),
    "examples": Mart(
        "brand_review_examples",
        "review examples",
        {"platform": "platform", "location": "location"},
        (),
        other=("review_id", "rating", "language", "sentiment_label", "has_empathy", "has_anti_empathy")
        + ("themes", "review_text"),
        listed=True,
        subject="public review texts",
    ),
}


def load_all(scope: Scope) -> Loaded:
    """Every brand mart's rows `scope` may read (customer_marts.mart_statement; the examples as counts)."""
    return load_marts(
        MARTS, lambda name: mart_statement(MARTS[name], scope), no_rows, lambda _, frame: with_months(frame)
    )


def default_period(frames: Mapping[str, pd.DataFrame]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The latest month every non-empty count mart has reached (the example texts do not hold it back), and
    the 11 months before it (or the first month)."""
    months = months_of(frames)
    latest = [f["month"].max() for n, f in frames.items() if MARTS[n].counts and not f.empty]
    end = min(latest) if latest else months[-1]
    start = period_start(months, end, DEFAULT_PERIOD_MONTHS)
    return pd.Timestamp(start), pd.Timestamp(end)
