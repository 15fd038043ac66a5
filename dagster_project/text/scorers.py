"""Sentiment scorers, one per language, each shipping its own lexicon.

English: VADER (vaderSentiment), the compound score in -1..1. French: the Pattern library's French
adjective lexicon through textblob-fr, its polarity in -1..1. Both are rule- and lexicon-based, so they
are fast, deterministic and need no download. A language without a scorer is *unscored*, never scored
with another language's lexicon (VADER on the French comments agrees with the NPS score no better than
chance: Spearman -0.005, docs/text_analytics.md).
"""

from __future__ import annotations

import importlib.metadata
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from dagster_project.settings import text_languages

# VADER's authors' cut-offs on the compound score; kept for French too, where they gave the best macro-F1
# on the garden-centre comments (0.05: 0.55, 0.10: 0.52).
POSITIVE_MIN = 0.05
NEGATIVE_MAX = -0.05
# Bump when the rules here change (thresholds, text handling): every stored score is then recomputed once.
RULES_VERSION = 1

LABELS = ("positive", "neutral", "negative", "unscored")


@dataclass(frozen=True)
class Scorer:
    name: str
    package: str
    score: Callable[[str], float]

    @property
    def version(self) -> str:
        return importlib.metadata.version(self.package)


@cache
def _vader() -> Callable[[str], float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return lambda text: float(analyzer.polarity_scores(text)["compound"])


@cache
def _pattern_fr() -> Callable[[str], float]:
    # textblob-fr (2013) has regexes with invalid escapes, which Python 3.11 warns about once when it
    # compiles them; the patterns work as intended, the noise is not ours to fix.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (DeprecationWarning, SyntaxWarning))
        from textblob_fr.fr import sentiment

    return lambda text: float(sentiment(text)[0])


SCORERS: dict[str, Scorer] = {
    "en": Scorer("vader", "vaderSentiment", lambda text: _vader()(text)),
    "fr": Scorer("pattern-fr", "textblob-fr", lambda text: _pattern_fr()(text)),
}


def label_for(score: float | None) -> str:
    if score is None:
        return "unscored"
    if score >= POSITIVE_MIN:
        return "positive"
    if score <= NEGATIVE_MAX:
        return "negative"
    return "neutral"


def scoring_version() -> str:
    """One string naming every component that shapes a score; stored with each score, so an upgrade of any
    of them, or another choice of the business's languages, is detected and the stored scores are recomputed."""
    return _scoring_version(text_languages())


@cache
def _scoring_version(languages: tuple[str, ...]) -> str:
    parts = [f"{s.name}={s.version}" for s in SCORERS.values()]
    parts.append(f"py3langid={importlib.metadata.version('py3langid')}")
    parts.append(f"rules={RULES_VERSION}")
    if languages:  # none configured: the version (and every stored score) stays as it was
        parts.append(f"languages={','.join(languages)}")
    return ";".join(parts)
