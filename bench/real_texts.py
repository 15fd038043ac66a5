"""The two real labelled text sets of tests/fixtures/real, read straight from the files (no pipeline run):
the women's clothing reviews (English, 1-5 stars) and the garden-centre NPS comments (French, 0-10)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

REAL = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "real"
# CP850 characters decoded as Windows-1252 -> French letters, as the shipped mapping translates them.
_CP850 = str.maketrans("‚ƒ‰‹Œ\x90–—ÒÓÔ®¯·ø", "éâëïîÉûùÊËÈ«»À°")


def _joined(*parts: object) -> str | None:
    """Title and body as the pipeline scores them: trimmed, non-empty parts joined by a line break."""
    kept = [str(p).strip() for p in parts if isinstance(p, str) and p.strip()]
    return "\n".join(kept) or None


def clothing_reviews() -> pd.DataFrame:
    """text, rating (1-5) of every review with a title or a text."""
    raw = pd.read_csv(REAL / "brand_womens_clothing_reviews" / "womens_clothing_reviews.csv.gz")
    frame = pd.DataFrame(
        {
            "text": [_joined(t, b) for t, b in zip(raw["Title"], raw["Review Text"], strict=True)],
            "rating": raw["Rating"],
        }
    )
    return frame.dropna(subset=["text"]).reset_index(drop=True)


def review_titles() -> pd.DataFrame:
    """text, rating (1-5) of every review title: short sentences, the hardest case for language detection."""
    raw = pd.read_csv(REAL / "brand_womens_clothing_reviews" / "womens_clothing_reviews.csv.gz")
    frame = pd.DataFrame({"text": [_joined(t) for t in raw["Title"]], "rating": raw["Rating"]})
    return frame.dropna(subset=["text"]).reset_index(drop=True)


def garden_centre_comments() -> pd.DataFrame:
    """text, nps (0-10) of every scored answer with a comment."""
    raw = (REAL / "survey_nps_garden_centre" / "nps.csv").read_bytes().decode("cp1252", errors="replace")
    rows = [
        (r["explication"].translate(_CP850).strip(), int(r["nps"]))
        for r in csv.DictReader(io.StringIO(raw))
        if r["nps"] not in ("NA", "") and r["explication"] not in ("NA", "") and r["explication"].strip()
    ]
    return pd.DataFrame(rows, columns=["text", "nps"])
