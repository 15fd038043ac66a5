"""Offline language detection with py3langid (its model ships in the wheel).

A short text carries little evidence ("ok", "ras", "Super"): when the detector's normalised probability
is below MIN_CONFIDENCE the language is 'und' (undetermined) and the text is left unscored rather than
scored with the wrong lexicon. Measured on the real data (docs/text_analytics.md): 99.99 % of the
clothing reviews are detected English and 96 % of the garden-centre comments French; most misses are
two- or three-letter answers such as "ras" (rien à signaler).
"""

from __future__ import annotations

from functools import cache

UNDETERMINED = "und"
# Below this normalised probability the detector is guessing; 0.5 keeps "Rien à dire" (0.51, French) and
# drops one-word answers whose best language has a few percent.
MIN_CONFIDENCE = 0.5


@cache
def _identifier():
    # Loading the model takes ~0.6 s; once per process.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str, float]:
    """(ISO 639-1 code or 'und', confidence 0..1). Deterministic: the same text gives the same answer."""
    if not text or not text.strip():
        return UNDETERMINED, 0.0
    language, confidence = _identifier().classify(text)
    if confidence < MIN_CONFIDENCE:
        return UNDETERMINED, float(confidence)
    return str(language), float(confidence)
