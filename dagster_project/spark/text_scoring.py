"""Text scoring on Spark's executors (docs/spark.md, "Text scoring on Spark (s16)").

The score store stays where it is (text.text_scores in the build warehouse, one row per distinct text: the
incremental state the loaders' DuckDB computes set-wise, which texts are new). What grows with the data is the
scoring itself (language detection and lexicon sentiment, pure Python, ~1-3 thousand texts a second per core), and
that is what runs on Spark: the new (content_hash, text) pairs become a Spark DataFrame spread over tasks, each task
scores its Arrow batches with the same `score_texts` the DuckDB engine calls, and the driver collects the scores
(a hash, two labels and two numbers per text) back into the store. The Spark session is started only when there is
something to score, so a re-run over unchanged texts starts no JVM for it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pandas as pd
import pyarrow as pa

from dagster_project.settings import Settings, text_languages
from dagster_project.text.scoring import score_texts
from dagster_project.text.store import scores_frame

SCHEMA = pa.schema(
    [
        ("content_hash", pa.string()),
        ("language", pa.string()),
        ("language_confidence", pa.float64()),
        ("sentiment_score", pa.float64()),
        ("sentiment_label", pa.string()),
        ("scorer", pa.string()),
    ]
)
# The same columns in Spark's DDL: string and double as Arrow's string and float64.
SPARK_SCHEMA = ", ".join(f"{f.name} {'string' if f.type == pa.string() else 'double'}" for f in SCHEMA)
PANDAS_TYPES = {pa.string(): pd.StringDtype(), pa.float64(): pd.Float64Dtype()}  # scores_frame's types
MAX_TASKS = 200


def score_on_spark(session, pending: list[tuple[str, str]], batch_size: int) -> Iterator[pd.DataFrame]:
    """`store.score_locally`'s contract on Spark: the scores of `pending`, in frames of at most `batch_size`."""
    if not pending:
        return
    languages = text_languages()  # the driver's setting, handed to every task (an executor's environment may differ)

    def score(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            pairs = zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True)
            scored = scores_frame(score_texts(pairs, languages))
            yield pa.RecordBatch.from_pandas(scored, schema=SCHEMA, preserve_index=False)

    texts = pa.table({"content_hash": [h for h, _ in pending], "text": [t for _, t in pending]})
    tasks = max(1, min(MAX_TASKS, math.ceil(len(pending) / batch_size)))
    scores = session.createDataFrame(texts).repartition(tasks).mapInArrow(score, SPARK_SCHEMA).toArrow()
    for chunk in scores.to_batches(max_chunksize=batch_size):
        yield chunk.to_pandas(types_mapper=PANDAS_TYPES.get)  # nulls stay nulls (a text no scorer reads)


def spark_text_scorer(settings: Settings):
    """A `store.BatchScorer` scoring on the lake's Spark (the session starts on first use)."""

    def score_batches(pending: list[tuple[str, str]], batch_size: int) -> Iterator[pd.DataFrame]:
        if not pending:
            return iter(())
        from dagster_project.spark.session import spark_session

        return score_on_spark(spark_session(settings), pending, batch_size)

    return score_batches
