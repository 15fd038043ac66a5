"""Short texts: the business's configured languages (EMPATHY_LAKE_TEXT_LANGUAGES) as a prior and a fallback.
Real py3langid model and real scorers, in-memory DuckDB; no pipeline run."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.settings import text_languages
from dagster_project.text.language import UNDETERMINED, detect_language
from dagster_project.text.scorers import scoring_version
from dagster_project.text.store import TABLE, score_new_texts

SHORT_ENGLISH = ["Love it!", "Great", "Perfect fit", "Runs small", "Cute"]


def test_unconfigured_short_texts_stay_undetermined():
    assert {detect_language(text)[0] for text in SHORT_ENGLISH} == {UNDETERMINED}


def test_configured_languages_decide_short_texts_and_do_not_override_clear_evidence():
    assert {detect_language(text, ("en",))[0] for text in SHORT_ENGLISH} == {"en"}
    # Two configured languages: an unsure text gets the likelier of them, not blindly the default.
    assert detect_language("Great", ("fr", "en"))[0] == "en"
    assert detect_language("pas de pb", ("fr", "en"))[0] == "fr"
    # A text that clearly is another language keeps it (and stays unscored: no scorer guesses it).
    assert detect_language("Me encanta este vestido, es precioso y me queda perfecto.", ("en",))[0] == "es"
    assert detect_language("", ("en",))[0] == UNDETERMINED


def _reviews(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA raw_brand; CREATE TABLE raw_brand.reviews (title VARCHAR, text VARCHAR)")
    con.execute("CREATE SCHEMA raw_survey; CREATE TABLE raw_survey.customer_responses (comment VARCHAR)")
    con.execute("INSERT INTO raw_brand.reviews VALUES (NULL, 'Love it!'), (NULL, 'The staff listened to me, lovely.')")


def test_the_setting_scores_short_texts_and_rescoring_follows_it(monkeypatch):
    monkeypatch.delenv("EMPATHY_LAKE_TEXT_LANGUAGES", raising=False)
    unconfigured = scoring_version()
    assert "languages=" not in unconfigured  # no setting: stored scores of existing lakes stay valid
    labels = f"SELECT language, sentiment_label FROM {TABLE} ORDER BY language"
    with duckdb.connect() as con:
        _reviews(con)
        score_new_texts(con, log=lambda _: None)
        assert con.execute(labels).fetchall() == [("en", "positive"), (UNDETERMINED, "unscored")]

        monkeypatch.setenv("EMPATHY_LAKE_TEXT_LANGUAGES", "en")
        assert scoring_version() == unconfigured + ";languages=en"
        run = score_new_texts(con, log=lambda _: None)
        assert run.rescored_old_version == 2
        assert con.execute(labels).fetchall() == [("en", "positive"), ("en", "positive")]


@pytest.mark.parametrize("value", ["english", "en,xx", "zz"])
def test_an_unknown_language_code_is_refused(monkeypatch, value):
    monkeypatch.setenv("EMPATHY_LAKE_TEXT_LANGUAGES", value)
    with pytest.raises(ValueError, match="EMPATHY_LAKE_TEXT_LANGUAGES"):
        text_languages()


def test_codes_are_normalised_default_first(monkeypatch):
    monkeypatch.setenv("EMPATHY_LAKE_TEXT_LANGUAGES", " FR, en ,fr")
    assert text_languages() == ("fr", "en")
