"""Brand & voice arithmetic: pure functions, no Streamlit, no I/O (tested directly).

Every ratio is declared once as a customer_kpis.Kpi, scale × (Σ added − Σ subtracted) / Σ denominator, and
computed by customer_kpis' functions: the counts of the selected rows are summed first and divided last,
never a mean of the marts' ratio columns. A denominator of 0 gives None ("—"), never 0.

The help and formula texts restate the dbt docs of the brand marts (dbt_project/models/marts/brand/*.yml)
and docs/kpi_definitions.md (Brand).
"""

from __future__ import annotations

import pandas as pd

from streamlit_app import kpi_catalog
from streamlit_app.customer_kpis import Kpi, aggregate, ratio, value_of
from streamlit_app.labels import plain

__all__ = [
    "Kpi",
    "aggregate",
    "has_mentions",
    "mention_volume",
    "rating_distribution",
    "ratio",
    "theme_shares",
    "theme_words",
    "value_of",
]

MENTION = "mention"
STARS = [1, 2, 3, 4, 5]
STAR_COUNTS = [f"rating_{s}_reviews" for s in STARS]

SENTIMENT = Kpi(
    "sentiment_score",
    kpi_catalog.label("brand_sentiment"),
    "sentiment",
    added=("positive_texts",),
    subtracted=("negative_texts",),
    denominator="scored_texts",
    decimals=kpi_catalog.decimals("brand_sentiment"),
    scale=100.0,
    help="Brand sentiment score = 100 × (positive − negative) / scored texts, −100…100, over the month's public "
    "reviews and social mentions. Unscored texts (a language without a scorer, or too short) are not in the "
    "denominator.",
    formula="Brand sentiment = 100 × (Σ positive_texts − Σ negative_texts) / Σ scored_texts, −100…100. A text "
    "is positive when its score ≥ 0.05, negative ≤ −0.05 (English VADER, French Pattern): a share of labels, "
    "not a mean of scores, so both languages add up on one scale. Unscored texts count in texts only.",
)
RATING = Kpi(
    "rating_mean",
    kpi_catalog.label("review_rating"),
    "reviews",
    added=("rating_sum",),
    denominator="reviews",
    decimals=kpi_catalog.decimals("review_rating"),
    unit=" ★",
    help="Mean review rating = Σ rating_sum / Σ reviews (stars, 1–5), over the month's public reviews.",
    formula="Mean rating = Σ rating_sum / Σ reviews, in stars (1–5).",
)
TOP_BOX = Kpi(
    "top_box_pct",
    "Rated 4–5 %",
    "reviews",
    added=("top_box_reviews",),
    denominator="reviews",
    scale=100.0,
    unit="%",
    help="4–5 share = 100 × reviews rated 4 or 5 stars / reviews (var review_top_box_min, 4).",
    formula="4–5 share = 100 × Σ top_box_reviews / Σ reviews; top box = rating ≥ review_top_box_min (4).",
)
EMPATHY = Kpi(
    "empathy_share_pct",
    "Empathy language %",
    "sentiment",
    added=("empathy_texts",),
    denominator="texts",
    scale=100.0,
    unit="%",
    help="Empathy-language share = 100 × texts using at least one empathy term (seed empathy_language) / all "
    "texts (reviews and mentions, unscored ones included).",
    formula="Empathy-language share = 100 × Σ empathy_texts / Σ texts; a text counts once however many empathy "
    "terms it uses; all texts are in the denominator, unscored ones too.",
)
ANTI_EMPATHY = Kpi(
    "anti_empathy_share_pct",
    "Anti-empathy language %",
    "sentiment",
    added=("anti_empathy_texts",),
    denominator="texts",
    scale=100.0,
    unit="%",
    formula="Anti-empathy share = 100 × Σ anti_empathy_texts / Σ texts (a negated empathy term is anti-empathy).",
)
THEME_SHARE = Kpi(
    "theme_share_pct",
    "Theme share %",
    "themes",
    added=("theme_texts",),
    denominator="texts",
    scale=100.0,
    unit="%",
    formula="Theme share = 100 × Σ theme_texts / Σ texts over the rows of one theme (every theme has a row per "
    "cell, so Σ texts is every text of the selection); a text can have several themes, so shares do not add "
    "up to 100.",
)
THEME_SENTIMENT = Kpi(
    "theme_sentiment_score",
    "Theme sentiment",
    "themes",
    added=("positive_theme_texts",),
    subtracted=("negative_theme_texts",),
    denominator="scored_theme_texts",
    scale=100.0,
    formula="Theme sentiment = 100 × (Σ positive_theme_texts − Σ negative_theme_texts) / Σ scored_theme_texts.",
)
MENTION_VOLUME_HELP = (
    "Mention volume = Σ texts of social mentions (source = mention) in the month. — when the selection holds "
    "no texts at all that month, or when this business's data has no social mentions at all."
)
MENTION_VOLUME_FORMULA = (
    "Mention volume = Σ texts where source = 'mention'; a count, not a ratio (0 is a real value when the "
    "selection has reviews but no mentions)."
)


def mention_volume(sentiment_rows: pd.DataFrame, mentions_in_data: bool = True) -> int | None:
    """Mentions among the rows; None when the rows hold no texts at all, or when the business's data has no social
    mentions at all (`mentions_in_data` False: a source that is absent is no data, not zero mentions)."""
    if not mentions_in_data or sentiment_rows.empty or sentiment_rows["texts"].sum() == 0:
        return None
    return int(sentiment_rows.loc[sentiment_rows["source"] == MENTION, "texts"].sum())


def rating_distribution(review_rows: pd.DataFrame) -> pd.DataFrame:
    """Reviews and share (%) per whole star from the summed per-star counts; share None when no reviews."""
    counts = [float(review_rows[c].sum()) for c in STAR_COUNTS]
    total = sum(counts)
    return pd.DataFrame(
        {
            "stars": STARS,
            "reviews": [int(c) for c in counts],
            "share_pct": pd.array([ratio(c, total, 100.0) for c in counts], dtype="Float64"),
        }
    )


def theme_shares(theme_rows: pd.DataFrame) -> pd.DataFrame:
    """Per theme: summed texts and theme texts, share and sentiment, highest share first."""
    out = aggregate(theme_rows, [THEME_SHARE, THEME_SENTIMENT], ["theme"])
    return out.sort_values([THEME_SHARE.key, "theme"], ascending=[False, True], na_position="last")


CARDS: list[Kpi] = [SENTIMENT, RATING, TOP_BOX, EMPATHY]


def has_mentions(sentiment_rows: pd.DataFrame) -> bool:
    """Whether the published data holds any social mention at all (else mention volume is no data, not 0)."""
    return bool((sentiment_rows["source"] == MENTION).any()) if len(sentiment_rows) else False


def theme_words(themes: object) -> str:
    """A review's theme codes ("price, staff_attitude", as brand_review_examples lists them) in words ("Price,
    Staff attitude"); no theme reads "No recognised theme"."""
    codes = [] if themes is None or pd.isna(themes) else [t.strip() for t in str(themes).split(",") if t.strip()]
    return ", ".join(plain(c) for c in codes) if codes else plain("no_theme")


def review_words(text: object) -> str | None:
    """A published review as one line: its title and text (published joined by a line break, which a table cell
    drops, so they ran together) and any paragraphs set apart by " — "."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    return " — ".join(line.strip() for line in str(text).splitlines() if line.strip())
