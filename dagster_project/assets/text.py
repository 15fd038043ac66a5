"""Text scoring: every customer-side free text (reviews, mentions, survey comments, ticket text) gets a
language, a sentiment score and a label, once per distinct text (dagster_project/text/store.py).

The asset key [text, text_scores] is the dbt source `text.text_scores` (dbt_project/models/text/
_text__sources.yml), so loaders, scoring and marts are one graph.
"""

import dagster as dg

from dagster_project.resources import LakeResource
from dagster_project.spark.text_scoring import spark_text_scorer
from dagster_project.text.redaction_store import redact_new_texts, write_pseudonym_salt
from dagster_project.text.scorers import scoring_version
from dagster_project.text.store import score_new_texts

TEXT_INPUT_KEYS = [
    dg.AssetKey(["brand", "reviews"]),
    dg.AssetKey(["brand", "mentions"]),
    dg.AssetKey(["survey", "customer_responses"]),
    dg.AssetKey(["crm", "tickets"]),
]


@dg.asset(
    key=dg.AssetKey(["text", "text_scores"]),
    deps=TEXT_INPUT_KEYS,
    group_name="text",
    kinds={"duckdb", "python"},
    description="Language and sentiment of every distinct customer text, keyed by content hash; a re-run "
    "scores only new text. Employee survey comments are never scored (privacy, docs/decisions.md D34).",
)
def text_scores(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    settings = lake.settings()
    # On the spark engine the new texts are scored on Spark's executors (dagster_project/spark/text_scoring.py).
    elsewhere = spark_text_scorer(settings) if settings.engine == "spark" else None
    with lake.connect() as con:
        run = score_new_texts(con, log=context.log.info, score_elsewhere=elsewhere)
        # Same step, same distinct texts: personal data typed into them is redacted before dbt publishes any
        # text, and the salt of the marts' pseudonymous keys is written (docs/decisions.md D59, D60).
        pii_key = settings.pii_key
        redactions = redact_new_texts(con, pii_key, log=context.log.info)
        write_pseudonym_salt(con, pii_key)
        stored = con.execute("SELECT count(*) FROM text.text_scores").fetchone()[0]
    rate = run.texts_per_second
    context.log.info(
        f"text scoring: {run.newly_scored} new, {run.already_scored} already scored, {stored} stored, "
        f"{run.seconds:.1f} s" + (f" ({rate:.0f} texts/s)" if rate else "")
    )
    return dg.MaterializeResult(
        metadata={
            "texts_seen": run.texts_seen,
            "newly_scored": run.newly_scored,
            "already_scored": run.already_scored,
            "rescored_old_version": run.rescored_old_version,
            "seconds": round(run.seconds, 2),
            "texts_per_second": round(rate, 1) if rate else 0.0,
            "new_by_language": dg.MetadataValue.json(run.by_language),
            "new_by_label": dg.MetadataValue.json(run.by_label),
            "scoring_version": scoring_version(),
            "newly_redacted": redactions.newly_redacted,
            "redaction_findings_new": redactions.findings,
            "dagster/row_count": stored,
        }
    )
