"""Text scoring throughput and the cost of a re-run when nothing is new, in one command.

    uv run python -m bench.text_scoring [--limit N]

An in-memory DuckDB gets the real clothing reviews (English, ~60 words each) and garden-centre comments
(French, short) as raw tables; then (1) a baseline pass hashes every text in Python without scoring, (2) the
first scoring run scores every distinct text, (3) a re-run with nothing new, (4) a run after 1 % new texts.
Seconds are machine-dependent, so the ratios are the result: scoring cost per text against hashing it, and
the no-change re-run against the first run. Written to bench/results/ (not committed).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import duckdb

from bench.real_texts import clothing_reviews, garden_centre_comments
from dagster_project.text.scoring import content_hash
from dagster_project.text.store import score_new_texts

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N reviews")
    args = parser.parse_args(argv)
    reviews = clothing_reviews()["text"]
    if args.limit:
        reviews = reviews.head(args.limit)
    comments = garden_centre_comments()["text"]
    quiet = lambda _: None  # noqa: E731
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw_brand; CREATE TABLE raw_brand.reviews (title VARCHAR, text VARCHAR)")
    con.execute("CREATE SCHEMA raw_survey; CREATE TABLE raw_survey.customer_responses (comment VARCHAR)")
    review_frame = reviews.to_frame("text")  # noqa: F841 - read by DuckDB's replacement scan
    comment_frame = comments.to_frame("comment")  # noqa: F841
    con.execute("INSERT INTO raw_brand.reviews (text) SELECT text FROM review_frame")
    con.execute("INSERT INTO raw_survey.customer_responses SELECT comment FROM comment_frame")
    texts = [*reviews, *comments]

    started = time.perf_counter()
    for text in texts:
        content_hash(text)
    baseline = time.perf_counter() - started

    first = score_new_texts(con, log=quiet)
    rerun = score_new_texts(con, log=quiet)
    new = reviews.head(max(len(reviews) // 100, 1)).map(lambda t: t + " (edited)")
    new_frame = new.to_frame("text")  # noqa: F841
    con.execute("INSERT INTO raw_brand.reviews (text) SELECT text FROM new_frame")
    incremental = score_new_texts(con, log=quiet)
    report = {
        "texts": len(texts),
        "distinct_texts_scored_first_run": first.newly_scored,
        "hash_only_baseline_seconds": round(baseline, 3),
        "first_run_seconds": round(first.seconds, 2),
        "texts_per_second": round(first.newly_scored / first.seconds, 1),
        "scoring_cost_vs_hashing": round(first.seconds / baseline, 1),
        "no_change_rerun_seconds": round(rerun.seconds, 3),
        "no_change_rerun_newly_scored": rerun.newly_scored,
        "no_change_rerun_vs_first_run": round(rerun.seconds / first.seconds, 4),
        "one_percent_new_seconds": round(incremental.seconds, 2),
        "one_percent_new_scored": incremental.newly_scored,
        "one_percent_new_vs_first_run": round(incremental.seconds / first.seconds, 4),
        "by_language": first.by_language,
    }
    for key, value in report.items():
        print(f"{key:34} {value}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"text_scoring-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(report, indent=1))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
