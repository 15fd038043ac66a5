"""Score a batch of texts: language, sentiment score and label, which scorer said so."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dagster_project.settings import text_languages
from dagster_project.text.language import detect_language
from dagster_project.text.scorers import SCORERS, label_for


@dataclass(frozen=True)
class TextScore:
    content_hash: str
    language: str
    language_confidence: float
    sentiment_score: float | None
    sentiment_label: str
    scorer: str


def content_hash(text: str) -> str:
    """SHA-256 hex of the text as stored, the same value as DuckDB's sha256(text) (store.py hashes in SQL)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def score_text(text: str, digest: str | None = None, languages: Sequence[str] = ()) -> TextScore:
    """`languages`: the business's configured languages, default first (language.detect_language)."""
    language, confidence = detect_language(text, languages)
    scorer = SCORERS.get(language)
    score = scorer.score(text) if scorer else None
    return TextScore(
        content_hash=digest or content_hash(text),
        language=language,
        language_confidence=round(confidence, 4),
        sentiment_score=score,
        sentiment_label=label_for(score),
        scorer=scorer.name if scorer else "none",
    )


def score_texts(items: Iterable[tuple[str, str]], languages: Sequence[str] | None = None) -> list[TextScore]:
    """Score (content_hash, text) pairs with `languages`, by default the configured ones
    (EMPATHY_LAKE_TEXT_LANGUAGES; a Spark executor is handed the driver's, as its environment may differ). Callers
    pass each distinct text once (store.py deduplicates by hash), which is what keeps a re-run cheap: the scorers
    are pure Python."""
    languages = text_languages() if languages is None else languages
    return [score_text(text, digest, languages) for digest, text in items]
