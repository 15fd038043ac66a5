"""Text scoring on Spark's executors (docs/spark.md, "Text scoring on Spark (s16)").

The score store stays where it is (text.text_scores in the build warehouse, one row per distinct text: the
incremental state, where the loaders' DuckDB finds set-wise which texts are new). What grows with the data is the
scoring itself (language detection and lexicon sentiment, pure Python, ~1-3 thousand texts a second per core), and
that runs on Spark: DuckDB writes the new (content_hash, text) pairs as Parquet under the lake's spark folder, Spark
reads them spread over tasks, each task scores its Arrow batches with the same `score_texts` the DuckDB engine
calls, and writes the scores as Parquet, which DuckDB inserts into the store in one statement. Neither the texts nor
the scores pass through the driver's Python. No texts to score: no Spark session is started for it.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pyarrow as pa

from dagster_project.loading.sandbox import sql_literal
from dagster_project.settings import Settings, text_languages
from dagster_project.text.scoring import score_texts
from dagster_project.text.store import SCORE_COLUMNS, scores_frame

# The store's columns in Spark's DDL: string and double as Arrow's string and float64.
SPARK_SCHEMA = ", ".join(f"{f.name} {'string' if f.type == pa.string() else 'double'}" for f in SCORE_COLUMNS)
MAX_TASKS = 200


def score_on_spark(session, pending: str, scores: str, tasks: int) -> None:
    """Score the (content_hash, text) Parquet at `pending` on `tasks` tasks into Parquet at `scores`."""
    languages = text_languages()  # the driver's setting, handed to every task (an executor's environment may differ)

    def score(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        for batch in batches:
            pairs = zip(batch.column("content_hash").to_pylist(), batch.column("text").to_pylist(), strict=True)
            scored = scores_frame(score_texts(pairs, languages))
            yield pa.RecordBatch.from_pandas(scored, schema=SCORE_COLUMNS, preserve_index=False)

    texts = session.read.parquet(pending).repartition(tasks)
    texts.mapInArrow(score, SPARK_SCHEMA).write.mode("overwrite").parquet(scores)


def spark_text_scorer(settings: Settings):
    """A `store.ElsewhereScorer` scoring on the lake's Spark; its folder is removed once the store has the scores."""

    @contextmanager
    def score_elsewhere(con: duckdb.DuckDBPyConnection, pending_table: str, batch_size: int) -> Iterator[str]:
        from dagster_project.spark.session import spark_session

        folder = settings.spark_dir / "text_scoring"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        pending, scores = folder / "pending.parquet", folder / "scores"
        try:
            con.execute(f"COPY {pending_table} TO {sql_literal(str(pending))} (FORMAT parquet)")
            count = con.execute(f"SELECT count(*) FROM {pending_table}").fetchone()[0]
            tasks = max(1, min(MAX_TASKS, math.ceil(count / batch_size)))
            score_on_spark(spark_session(settings), str(pending), str(scores), tasks)
            yield f"read_parquet({sql_literal(f'{scores}/*.parquet')})"
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    return score_elsewhere
