"""Text scoring: languages, labels, the content hash and the incremental store (no pipeline run)."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.text.language import UNDETERMINED, detect_language
from dagster_project.text.scorers import scoring_version
from dagster_project.text.scoring import content_hash, score_text
from dagster_project.text.store import TABLE, score_new_texts


def test_english_positive_and_negative():
    positive = score_text("So caring and personal, they remembered my name. Lovely staff!")
    negative = score_text("The agent was rude and rushed me off the phone. Awful service.")
    assert (positive.language, positive.scorer, positive.sentiment_label) == ("en", "vader", "positive")
    assert (negative.language, negative.scorer, negative.sentiment_label) == ("en", "vader", "negative")
    assert positive.sentiment_score > 0.05 > -0.05 > negative.sentiment_score


def test_french_is_scored_with_the_french_lexicon():
    positive = score_text("Personnel très accueillant et de très bons conseils, magasin agréable.")
    negative = score_text("Magasin sale, personnel désagréable et attente interminable à la caisse.")
    assert (positive.language, positive.scorer, positive.sentiment_label) == ("fr", "pattern-fr", "positive")
    assert (negative.language, negative.scorer, negative.sentiment_label) == ("fr", "pattern-fr", "negative")


@pytest.mark.parametrize(
    "text",
    ["Das Personal war sehr unfreundlich und die Wartezeit viel zu lang.", "El servicio fue muy malo y lento."],
)
def test_a_language_without_a_scorer_is_unscored_never_guessed(text):
    score = score_text(text)
    assert score.language not in ("en", "fr", UNDETERMINED)
    assert (score.sentiment_label, score.sentiment_score, score.scorer) == ("unscored", None, "none")


def test_too_short_to_tell_is_undetermined_and_unscored():
    assert detect_language("ok")[0] == UNDETERMINED
    assert detect_language("   ") == (UNDETERMINED, 0.0)
    assert score_text("ras").sentiment_label == "unscored"


def test_hash_is_deterministic_and_equals_duckdb_sha256():
    text = "Très bien écoutée\nthank you"
    assert content_hash(text) == content_hash(text) == score_text(text).content_hash
    assert content_hash(text) != content_hash(text + " ")
    with duckdb.connect() as con:
        assert con.execute("SELECT sha256(?)", [text]).fetchone()[0] == content_hash(text)


def _lake(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA raw_brand; CREATE TABLE raw_brand.reviews (title VARCHAR, text VARCHAR)")
    con.execute("CREATE SCHEMA raw_survey; CREATE TABLE raw_survey.customer_responses (comment VARCHAR)")
    con.execute(
        "INSERT INTO raw_brand.reviews VALUES ('Great', 'The staff listened to me.'), (NULL, 'Rude staff.'), "
        "('Great', 'The staff listened to me.'), (' ', NULL)"
    )
    con.execute("INSERT INTO raw_survey.customer_responses VALUES ('Rude staff.'), ('Personnel très aimable.')")


def test_each_distinct_text_is_scored_once_and_a_rerun_adds_nothing():
    with duckdb.connect() as con:
        _lake(con)
        first = score_new_texts(con, log=lambda _: None)
        # The same review twice and the same text in a review and a comment are one text each.
        assert (first.texts_seen, first.newly_scored) == (3, 3)
        stored = con.execute(f"SELECT content_hash, scored_at FROM {TABLE} ORDER BY 1").fetchall()
        again = score_new_texts(con, log=lambda _: None)
        assert (again.texts_seen, again.already_scored, again.newly_scored) == (3, 3, 0)
        assert con.execute(f"SELECT content_hash, scored_at FROM {TABLE} ORDER BY 1").fetchall() == stored

        con.execute("INSERT INTO raw_brand.reviews VALUES (NULL, 'Lovely, friendly and helpful.')")
        third = score_new_texts(con, log=lambda _: None)
        assert (third.texts_seen, third.newly_scored) == (4, 1)
        assert con.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0] == 4
        expected = content_hash("Great\nThe staff listened to me.")  # title and body, joined as dbt joins them
        assert con.execute(f"SELECT count(*) FROM {TABLE} WHERE content_hash = ?", [expected]).fetchone()[0] == 1


def test_scores_of_another_scoring_version_are_recomputed():
    with duckdb.connect() as con:
        _lake(con)
        score_new_texts(con, log=lambda _: None)
        oldest = f"(SELECT min(content_hash) FROM {TABLE})"
        con.execute(f"UPDATE {TABLE} SET scorer_version = 'vader=0.1' WHERE content_hash = {oldest}")
        run = score_new_texts(con, log=lambda _: None)
        assert (run.rescored_old_version, run.newly_scored) == (1, 1)
        versions = con.execute(f"SELECT DISTINCT scorer_version FROM {TABLE}").fetchall()
        assert versions == [(scoring_version(),)]


def test_employee_comments_are_not_a_text_source():
    from dagster_project.text.store import TEXT_SOURCES

    assert not any("employee" in table for table, _ in TEXT_SOURCES.values())
