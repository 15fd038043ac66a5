"""The dashboard's glossary: codes become plain words, nothing reads raw or `None`."""

import math

import pytest

from streamlit_app import formatting, settings
from streamlit_app.labels import MISSING, plain


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("survey_comment", "Survey comment"),
        ("staff_attitude", "Staff attitude"),
        ("dry_run", "Not sent: notifications are in test mode"),
        ("eap_utilisation_pct", "EAP utilisation %"),
        ("enps", "eNPS"),
        ("turnover_pct_3m", "Turnover % (3 months)"),
        ("Cambridge", "Cambridge"),
        (None, MISSING),
        (math.nan, MISSING),
        ("", MISSING),
    ],
)
def test_plain_words(code, words):
    assert plain(code) == words


def test_no_code_stays_raw():
    for code in ("first_contact_resolved_tickets", "nps_drop_location", "aht_minutes"):
        assert "_" not in plain(code)


@pytest.mark.parametrize(
    ("delta", "lower_is_better", "color"),
    [
        (0.04, False, "off"),
        (-0.04, True, "off"),
        (None, False, "off"),
        (0.06, False, "normal"),
        (-2.0, True, "inverse"),
    ],
)
def test_zero_change_is_neutral(delta, lower_is_better, color):
    assert formatting.delta_color(delta, 1, lower_is_better) == color


def test_money_and_small_samples(monkeypatch):
    assert formatting.format_money(1234.5, "£") == "£1,234.50"
    assert formatting.format_money(-3.2, "$") == "-$3.20"
    assert formatting.format_money(None, "£") == formatting.NO_DATA
    monkeypatch.delenv("EMPATHY_LAKE_MIN_ANSWERS", raising=False)
    assert settings.min_answers() == 30
    monkeypatch.setenv("EMPATHY_LAKE_MIN_ANSWERS", "10")
    assert settings.min_answers() == 10
    assert formatting.small_sample_note(4, 10) is not None
    assert formatting.small_sample_note(10, 10) is None
    assert formatting.small_sample_note(0, 10) is None  # no answers is "no data", not a small sample
    monkeypatch.setenv("EMPATHY_LAKE_MIN_ANSWERS", "zero")
    with pytest.raises(ValueError, match="EMPATHY_LAKE_MIN_ANSWERS"):
        settings.min_answers()


@pytest.mark.parametrize(
    ("delta", "arrow"), [(0.04, "off"), (-0.04, "off"), (0.06, "auto"), (-1.0, "auto"), (None, "auto")]
)
def test_zero_change_has_no_arrow(delta, arrow):
    assert formatting.delta_arrow(delta, 1) == arrow


def test_an_alert_owner_reads_as_who_they_are_never_as_its_code():
    """The rules name an owner "<scope> manager: <place>" when alert_owners.csv has no row for the place: the
    page shows who that is (the role the login file gives the place's user), else "The owner of <place>"."""
    from streamlit_app.labels import owner_words

    roles = {("team", "Sales"): "Location or team manager", ("location", "Leeds"): "Store lead"}
    assert owner_words("team manager: Sales", roles) == "Location or team manager for team Sales"
    assert owner_words("location manager: Leeds", roles) == "Store lead for Leeds"
    assert owner_words("location manager: York", roles) == "The owner of York"
    assert owner_words("team manager: Payroll") == "The owner of team Payroll"
    assert owner_words("brand manager: All") == "The owner of the brand"
    assert owner_words("Store manager, Leeds", roles) == "Store manager, Leeds"  # named in alert_owners.csv
    assert plain("team manager: Payroll") == "The owner of team Payroll"
