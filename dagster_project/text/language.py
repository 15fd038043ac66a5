"""Offline language detection with py3langid (its model ships in the wheel).

A short text carries little evidence ("ok", "ras", "Super"): when the detector's normalised probability
is below MIN_CONFIDENCE the language is undetermined. Measured on the real data (docs/text_analytics.md):
99.99 % of the clothing reviews are detected English and 96 % of the garden-centre comments French; most
misses are two- or three-letter answers such as "ras" (rien à signaler).

The business's configured languages (EMPATHY_LAKE_TEXT_LANGUAGES, settings.text_languages; the first is its
default) are a prior: each configured language's probability is weighted PRIOR_WEIGHT times another's before the
best is taken, and a text still undetermined gets the likeliest configured language (the default when the text
gives no evidence at all). With none configured an undetermined text stays 'und' and unscored.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

UNDETERMINED = "und"
# Below this normalised probability the detector is guessing; 0.5 keeps "Rien à dire" (0.51, French) and
# drops one-word answers whose best language has a few percent.
MIN_CONFIDENCE = 0.5
# How much likelier a configured language is than any other before the text is read (measured on the labelled
# reviews and comments, docs/text_analytics.md "Short texts").
PRIOR_WEIGHT = 10.0


@cache
def _identifier():
    # Loading the model takes ~0.6 s; once per process.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def known_languages() -> frozenset[str]:
    """The ISO 639-1 codes the detector knows."""
    return frozenset(_identifier().labels)


def detect_language(text: str, languages: Sequence[str] = ()) -> tuple[str, float]:
    """(ISO 639-1 code or 'und', confidence 0..1). Deterministic: the same text gives the same answer.

    `languages`: the business's configured languages, default first (see the module docstring)."""
    if not text or not text.strip():
        return UNDETERMINED, 0.0
    if not languages:
        language, confidence = _identifier().classify(text)
        return (str(language), float(confidence)) if confidence >= MIN_CONFIDENCE else (UNDETERMINED, float(confidence))
    weighted = {lang: p * (PRIOR_WEIGHT if lang in languages else 1.0) for lang, p in _identifier().rank(text)}
    total = sum(weighted.values()) or 1.0
    language = max(weighted, key=weighted.__getitem__)
    if weighted[language] / total < MIN_CONFIDENCE:
        # Unsure: the likeliest configured language; the default (first) when the text gives no evidence.
        language = max(languages, key=lambda lang: (weighted.get(lang, 0.0), -languages.index(lang)))
    return str(language), float(weighted[language] / total)
