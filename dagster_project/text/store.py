"""The score store: `text.text_scores` in the build warehouse, one row per distinct text (content hash).

Incremental: texts already scored with the current scoring version are skipped, so a re-run over unchanged
data reads the raw texts, hashes them inside DuckDB and scores nothing. The text of each source is built by
the SQL below and by the dbt macro `scored_text` (dbt_project/macros/text_analytics.sql) the same way; a dbt
relationships test on int_text_corpus fails when the two drift apart.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import duckdb
import pandas as pd
import pyarrow as pa

from dagster_project.text.scorers import scoring_version
from dagster_project.text.scoring import TextScore, score_texts

SCHEMA = "text"
TABLE = "text.text_scores"
DDL = (
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        content_hash VARCHAR PRIMARY KEY, language VARCHAR, language_confidence DOUBLE, sentiment_score DOUBLE,
        sentiment_label VARCHAR, scorer VARCHAR, scorer_version VARCHAR, scored_at TIMESTAMP)""",
)


def scored_text_sql(*columns: str) -> str:
    """Trimmed, non-empty text; several columns (a review's title and body) joined by a line break."""
    parts = ", ".join(f"nullif(trim({c}), '')" for c in columns)
    return f"nullif(concat_ws(chr(10), {parts}), '')"


# Customer-side free text only. Employee survey comments are deliberately absent: a scored comment per
# respondent would publish what the anonymity threshold hides (docs/decisions.md D34).
TEXT_SOURCES: dict[str, tuple[str, str]] = {
    "review": ("raw_brand.reviews", scored_text_sql("title", "text")),
    "mention": ("raw_brand.mentions", scored_text_sql("text")),
    "survey_comment": ("raw_survey.customer_responses", scored_text_sql("comment")),
    "ticket": ("raw_crm.tickets", scored_text_sql("text")),
}
BATCH_SIZE = 5000
PENDING = "_pending_texts"  # the texts a run scores: (content_hash, text), a temporary table
# (connection, pending table, batch size) -> a context giving a relation of their scores (scores_frame's columns)
ElsewhereScorer = Callable[[duckdb.DuckDBPyConnection, str, int], AbstractContextManager[str]]


@dataclass
class ScoringRun:
    texts_seen: int = 0
    already_scored: int = 0
    newly_scored: int = 0
    rescored_old_version: int = 0
    seconds: float = 0.0
    by_language: dict[str, int] = field(default_factory=dict)
    by_label: dict[str, int] = field(default_factory=dict)

    @property
    def texts_per_second(self) -> float | None:
        return self.newly_scored / self.seconds if self.newly_scored and self.seconds else None


def ensure_table(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        con.execute(statement)


def _existing_sources(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str]]:
    """Sources whose raw table exists (a lake that never received tickets has none)."""
    present = {r[0] for r in con.execute("SELECT schema_name || '.' || table_name FROM duckdb_tables()").fetchall()}
    return {kind: source for kind, source in TEXT_SOURCES.items() if source[0] in present}


def distinct_texts_sql(sources: dict[str, tuple[str, str]]) -> str:
    union = "\n UNION ALL ".join(f"SELECT {expr} AS text FROM {table}" for table, expr in sources.values())
    return (
        f"SELECT sha256(text) AS content_hash, text FROM (SELECT DISTINCT text FROM ({union}) WHERE text IS NOT NULL)"
    )


# A score as the store keeps it (without the version and time the store adds): scores_frame's columns, and the
# batches Spark's tasks return (spark/text_scoring.py).
SCORE_COLUMNS = pa.schema(
    [
        ("content_hash", pa.string()),
        ("language", pa.string()),
        ("language_confidence", pa.float64()),
        ("sentiment_score", pa.float64()),
        ("sentiment_label", pa.string()),
        ("scorer", pa.string()),
    ]
)


def scores_frame(scores: list[TextScore]) -> pd.DataFrame:
    """Scores as the store's columns (SCORE_COLUMNS), NULL where a score has none."""
    dtype = {pa.string(): "string", pa.float64(): "Float64"}
    columns = {f.name: pd.array([getattr(s, f.name) for s in scores], dtype=dtype[f.type]) for f in SCORE_COLUMNS}
    return pd.DataFrame(columns)


def score_new_texts(
    con: duckdb.DuckDBPyConnection,
    log: Callable[[str], None] = print,
    batch_size: int = BATCH_SIZE,
    score_elsewhere: ElsewhereScorer | None = None,
) -> ScoringRun:
    """Score every distinct customer text not yet in text.text_scores with the current scoring version: in this
    process a batch at a time, or, given `score_elsewhere`, by it (the spark engine's executors,
    dagster_project/spark/text_scoring.py) from the table of pending texts into a relation of scores."""
    started = time.perf_counter()
    run = ScoringRun()
    ensure_table(con)
    version = scoring_version()
    run.rescored_old_version = con.execute(
        f"SELECT count(*) FROM {TABLE} WHERE scorer_version <> ?", [version]
    ).fetchone()[0]
    if run.rescored_old_version:
        log(f"{run.rescored_old_version} scores from another scoring version are recomputed ({version})")
        con.execute(f"DELETE FROM {TABLE} WHERE scorer_version <> ?", [version])
    sources = _existing_sources(con)
    if not sources:
        log("no raw text tables yet: nothing to score")
        run.seconds = time.perf_counter() - started
        return run
    con.execute(f"CREATE OR REPLACE TEMP TABLE _texts AS {distinct_texts_sql(sources)}")
    run.texts_seen = con.execute("SELECT count(*) FROM _texts").fetchone()[0]
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {PENDING} AS "
        f"SELECT t.content_hash, t.text FROM _texts t ANTI JOIN {TABLE} s USING (content_hash)"
    )
    pending = con.execute(f"SELECT count(*) FROM {PENDING}").fetchone()[0]
    run.already_scored = run.texts_seen - pending
    log(f"{run.texts_seen} distinct texts, {run.already_scored} already scored, {pending} to score")
    if pending and score_elsewhere is not None:
        with score_elsewhere(con, PENDING, batch_size) as scores:
            _insert(con, scores, version)
    elif pending:
        rows = con.execute(f"SELECT content_hash, text FROM {PENDING} ORDER BY 1").fetchall()
        for start in range(0, len(rows), batch_size):
            con.register("_batch", scores_frame(score_texts(rows[start : start + batch_size])))
            try:
                _insert(con, "_batch", version)
            finally:
                con.unregister("_batch")
            done = min(start + batch_size, len(rows))
            log(f"scored {done} / {len(rows)} texts ({done / (time.perf_counter() - started):.0f} texts/s)")
    new = f"SELECT language, sentiment_label FROM {TABLE} SEMI JOIN {PENDING} USING (content_hash)"
    for language, label, n in con.execute(f"SELECT *, count(*) FROM ({new}) GROUP BY ALL ORDER BY ALL").fetchall():
        run.newly_scored += n
        run.by_language[language] = run.by_language.get(language, 0) + n
        run.by_label[label] = run.by_label.get(label, 0) + n
    if run.newly_scored != pending:  # never silently: every pending text gets its score or the step fails
        raise RuntimeError(f"text scoring stored {run.newly_scored} scores for {pending} new texts")
    con.execute(f"DROP TABLE _texts; DROP TABLE {PENDING}")
    run.seconds = time.perf_counter() - started
    return run


def _insert(con: duckdb.DuckDBPyConnection, scores: str, version: str) -> None:
    """The scores of relation `scores` (scores_frame's columns) into the store, in one statement: an interrupted
    run keeps the batches it finished."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute(
        f"INSERT INTO {TABLE} BY NAME SELECT *, ? AS scorer_version, ? AS scored_at FROM {scores}", [version, now]
    )
