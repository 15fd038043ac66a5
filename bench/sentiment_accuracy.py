"""Accuracy of the text scorer against real star ratings and NPS scores, in one command.

    uv run python -m bench.sentiment_accuracy

English: the women's clothing reviews (title + text), rating >= 4 = positive, <= 2 = negative, 3 = neutral; and
their titles alone, the short sentences ("Love it!", "Runs small") language detection is least sure of.
French: the garden-centre NPS comments, promoter (9-10) = positive, detractor (0-6) = negative, passive = neutral.
Each set is scored twice: with no languages configured (an unsure text is 'und' and unscored) and with the
business's language configured (EMPATHY_LAKE_TEXT_LANGUAGES: en for the shop, fr for the garden centre).

A text predicted neutral or unscored is a miss for accuracy (it is not a correct call); coverage says how many
were called at all. `accuracy` is over the positive and negative texts; `accuracy_all_texts` is over every text,
neutral truths (3 stars, passives) included and every unscored text counted wrong. Macro-F1 averages the F1 of
the two polar classes. Spearman is the rank correlation of the scorer's score with the rating (every scored
text). The worst misses are printed: they are the failure examples in docs/text_analytics.md.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pandas as pd

from bench.real_texts import clothing_reviews, garden_centre_comments, review_titles
from dagster_project.text.scorers import scoring_version
from dagster_project.text.scoring import score_text

RESULTS = Path(__file__).resolve().parent / "results"


def spearman(a: pd.Series, b: pd.Series) -> float:
    """Spearman's rank correlation (pandas')."""
    return float(a.corr(b, method="spearman"))


def evaluate(frame: pd.DataFrame, truth: pd.Series, score_column: str, languages: tuple[str, ...] = ()) -> dict:
    scored = [score_text(t, languages=languages) for t in frame["text"]]
    frame = frame.assign(
        language=[s.language for s in scored],
        label=[s.sentiment_label for s in scored],
        score=[s.sentiment_score for s in scored],
        truth=truth,
    )
    polar = frame[frame["truth"] != "neutral"]
    correct = polar["label"] == polar["truth"]
    f1 = []
    for cls in ("positive", "negative"):
        tp = int(((polar["label"] == cls) & (polar["truth"] == cls)).sum())
        fp = int(((polar["label"] == cls) & (polar["truth"] != cls)).sum())
        fn = int(((polar["label"] != cls) & (polar["truth"] == cls)).sum())
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    called = polar["label"].isin(["positive", "negative"])
    with_score = frame[frame["score"].notna()]
    misses = polar[(polar["label"].isin(["positive", "negative"])) & ~correct].copy()
    misses["distance"] = misses["score"].abs()
    worst = misses.sort_values("distance", ascending=False).head(6)
    return {
        "languages_configured": ",".join(languages) or "none",
        "texts": len(frame),
        "evaluated": len(polar),
        "accuracy_all_texts": round(float((frame["label"] == frame["truth"]).mean()), 4),
        "unscored": int((frame["label"] == "unscored").sum()),
        "positive_share_in_truth": round(float((polar["truth"] == "positive").mean()), 4),
        "accuracy": round(float(correct.mean()), 4),
        "macro_f1": round(sum(f1) / 2, 4),
        "coverage": round(float(called.mean()), 4),
        "accuracy_when_called": round(float(correct[called].mean()), 4),
        "spearman_vs_rating": round(spearman(with_score["score"].astype(float), with_score[score_column]), 4),
        "languages": frame["language"].value_counts().head(5).to_dict(),
        "labels": polar["label"].value_counts().to_dict(),
        "worst_misses": [
            {"truth": r.truth, "label": r.label, "score": r.score, score_column: r[score_column], "text": r.text[:200]}
            for _, r in worst.iterrows()
        ],
    }


def _stars(rating: int) -> str:
    return "positive" if rating >= 4 else ("negative" if rating <= 2 else "neutral")


def _nps(score: int) -> str:
    return "positive" if score >= 9 else ("negative" if score <= 6 else "neutral")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-french", action="store_true", help="only the English reviews")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    reviews = clothing_reviews()
    titles = review_titles()
    sets = {
        "english_reviews": (reviews, reviews["rating"].map(_stars), "rating", ("en",)),
        "english_review_titles": (titles, titles["rating"].map(_stars), "rating", ("en",)),
    }
    if not args.no_french:
        comments = garden_centre_comments()
        sets["french_nps_comments"] = (comments, comments["nps"].map(_nps), "nps", ("fr",))
    report: dict = {"scoring_version": scoring_version()}
    for name, (frame, truth, column, configured) in sets.items():
        for languages in ((), configured):
            r = evaluate(frame, truth, column, languages)
            report[f"{name} (languages: {r['languages_configured']})"] = r
            print(
                f"{name}, languages configured: {r['languages_configured']}: {r['texts']} texts, "
                f"{r['unscored']} unscored | accuracy over all texts {r['accuracy_all_texts']:.3f} | polar "
                f"{r['evaluated']}: accuracy {r['accuracy']:.3f}, macro-F1 {r['macro_f1']:.3f}, coverage "
                f"{r['coverage']:.3f}, accuracy when called {r['accuracy_when_called']:.3f} | Spearman vs rating "
                f"{r['spearman_vs_rating']:.3f}"
            )
            for miss in r["worst_misses"][:3] if languages else []:
                print(
                    f"    miss: truth {miss['truth']}, said {miss['label']} ({miss['score']:+.2f}): "
                    f"{miss['text'][:110]!r}"
                )
    report["seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"sentiment_accuracy-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False, default=str))
    print(f"({report['seconds']} s; written to {out})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
