"""The Impact & ROI page: effect cards equal the mart (read here with SQL), the verdicts say what the numbers
say, the charts carry the marts' rows, roles and scopes, the empty state, and nothing raw on screen.

The page runs headless with Streamlit's AppTest against a serving file written by tests/serving_fixture.py with
the impact rows of tests/impact_sample.py; the verdict function is tested on its own at the end.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from streamlit_app import impact_kpis
from tests.dashboard_expectations import assert_shows, sql
from tests.impact_sample import NULL_INITIATIVE, PAGE_MART_COLUMNS, ROLLOUT, TRAINING, impact_marts
from tests.serving_fixture import sample_serving_db, sample_tables, write_serving_db
from tests.test_dashboard_apptest import APP, TIMEOUT, chart_specs, open_app_page, rerun, run_app, vega_lite_errors

PAGE = "app_pages/impact_roi.py"
# Restated from the brief, not read from the code: what each KPI is called on a card, and the unit of a change.
CARD_LABELS = {
    "csat_pct": ("CSAT %", "points"),
    "churn_rate": ("Churn %", "points"),
    "nps": ("NPS", "points"),
    "handle_time_minutes": ("Handle time per ticket", "minutes"),
    "review_rating": ("Mean rating", "stars"),
    "enps": ("eNPS", "points"),
}
ROI_CARDS = ("Cost", "Savings (best estimate)", "Return on investment")  # drawn by roi_view
# What must never reach the screen: the marts' codes and column names, and Python's empty values.
RAW = re.compile(
    r"\b(None|nan|NaN|NaT|did|before_after|not_yet_treated|never_treated|wild_cluster_bootstrap|cluster_robust|"
    r"initiative_\w+|\w+_(pct|rate|minutes|index|measure|kpi|units?)|marts?\.\w+|key_drivers|roi_assumptions|"
    r"service_profit_chain\w*|higher_is_better|pretrend\w*|relative_month)\b"
)


@pytest.fixture(scope="module")
def impact_db(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("impact")
    return write_serving_db(directory / "serving" / "empathy_lake.duckdb", {**sample_tables(), **impact_marts()})


@pytest.fixture(scope="module")
def training(impact_db) -> Iterator[AppTest]:
    """The page on EMP-TRAIN-1, opened once for the tests that only read it (each page run costs seconds)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield choose(open_page(monkeypatch, impact_db), "impact_initiative", TRAINING)


def open_page(monkeypatch, db: Path) -> AppTest:
    return open_app_page(monkeypatch, db, PAGE)


def choose(at: AppTest, key: str, value) -> AppTest:
    at.selectbox(key=key).select(value)
    return rerun(at)


def card(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert len(found) == 1, f"card {label!r} among {[m.label for m in at.metric]}"
    return found[0]


def screen_text(at: AppTest) -> list[str]:
    """Every text the page draws (titles, markdown, captions, notices, card labels, values and tooltips, widget
    labels and the options they show)."""
    texts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption") for e in at.get(kind)]
    texts += [e.value for kind in ("info", "warning", "error", "success") for e in at.get(kind)]
    texts += [t for m in at.metric for t in (m.label, m.value, m.proto.help)]
    texts += [t for s in at.selectbox for t in (s.label, *s.options)]
    texts += [e.proto.label for e in at.get("expander")] + [s.label for s in at.slider]
    for frame in (d.value for d in at.dataframe):
        texts += [str(c) for c in frame.columns]
        texts += [v for c in frame.columns if frame[c].dtype == object for v in frame[c].astype(str)]
    return texts


def chart_rows(at: AppTest, column: str) -> pd.DataFrame:
    """The rows of the first Vega-Lite chart whose dataset has `column`."""
    for chart in [*at.get("arrow_vega_lite_chart"), *at.get("vega_lite_chart")]:
        for dataset in chart.proto.datasets:
            rows = pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
            if column in rows.columns:
                return rows
    raise AssertionError(f"no chart with {column!r}")


def headline_sql(db: Path, initiative: str) -> list[tuple]:
    return sql(
        db,
        "SELECT kpi, estimate, ci_low, ci_high, n_obs FROM marts.initiative_effects "
        "WHERE initiative_id = ? AND headline ORDER BY kpi",
        [initiative],
    )


# --- one initiative ----------------------------------------------------------------------------------------
def test_effect_cards_equal_the_mart_with_ci_n_and_a_verdict(training, impact_db):
    at = training
    assert "Empathy training" in [h.value for h in at.header]
    rows = headline_sql(impact_db, TRAINING)
    effect_cards = [m.label for m in at.metric if m.label not in ROI_CARDS]
    assert sorted(effect_cards) == sorted(CARD_LABELS[kpi][0] for kpi, *_ in rows)
    captions = " ".join(c.value for c in at.caption)
    for kpi, estimate, low, high, n_obs in rows:
        label, unit = CARD_LABELS[kpi]
        shown = card(at, label)
        assert shown.value.endswith(unit), shown.value
        assert_shows(shown.value.replace("−", "-").removesuffix(unit), estimate)
        assert shown.proto.help, f"{label}: no method tooltip"
        decimals = 2 if kpi == "review_rating" else 1
        assert f"95 % CI {low:.{decimals}f} to {high:.{decimals}f}".replace("-", "−") in captions
        assert f"{n_obs:,} location-months" in captions
    assert "three locations with it, nine locations without" in captions
    verdicts = " ".join(m.value for m in at.markdown)
    assert "CSAT rose 9.8 points more at the three locations where it ran than elsewhere (95 % CI 4.1 to 15.5)" in (
        verdicts
    )
    assert "Churn fell 1.2 points more" in verdicts and "an improvement" in verdicts
    assert "No clear change in NPS" in verdicts
    assert "Handle time per ticket rose 1.5 minutes more" in verdicts and "a change for the worse" in verdicts
    assert "the trends already differed" in verdicts
    assert "the trends already differed before the start" in " ".join(w.value for w in at.warning)


def test_every_estimate_is_listed_in_words(training, impact_db):
    at = training
    [table] = [d.value for d in at.dataframe if "Method" in d.value.columns]
    expected = sql(impact_db, "SELECT count(*) FROM marts.initiative_effects WHERE initiative_id = ?", [TRAINING])
    assert len(table) == expected[0][0]
    assert set(table["Method"]) == {"Difference-in-differences", "Before and after", "Regression with controls"}
    before_after = table[table["Method"] == "Before and after"]["Verdict"].iloc[0]
    assert "after the start" in before_after and "than elsewhere" not in before_after


def test_event_study_chart_marks_the_start_and_carries_the_ci(training, impact_db):
    at = training
    rows = chart_rows(at, "relative_month")
    expected = sql(
        impact_db,
        "SELECT relative_month, estimate, ci_low, ci_high FROM marts.initiative_event_study "
        "WHERE initiative_id = ? AND kpi = 'csat_pct' ORDER BY relative_month",
        [TRAINING],
    )
    assert [tuple(r) for r in rows[["relative_month", "estimate", "ci_low", "ci_high"]].itertuples(index=False)] == [
        pytest.approx(r) for r in expected
    ]
    start = chart_rows(at, "label")
    assert list(start["label"]) == ["Start"] and list(start["x"]) == [0]
    assert any("0 is the first month with it" in c.value for c in at.caption)


def test_savings_and_roi_follow_the_mart(training, impact_db):
    """The ROI section (roi_view, branch roi) is drawn for the initiative: its cards equal the mart's total row."""
    at = training
    [(cost, savings, roi_central)] = sql(
        impact_db,
        "SELECT cost, savings_central, roi_central FROM marts.initiative_roi WHERE initiative_id = ? "
        "AND component = 'total'",
        [TRAINING],
    )
    assert card(at, "Cost").value == f"£{cost:,.0f}"
    assert card(at, "Savings (best estimate)").value == f"£{savings:,.0f}"
    assert card(at, "Return on investment").value == f"{roi_central * 100:+,.0f} %"
    assert any(s.label.startswith("Gross margin") for s in at.slider)


# --- drivers and the service-profit chain ------------------------------------------------------------------
def test_key_drivers_and_the_chain_follow_the_marts(training, impact_db):
    at = training
    lever = " ".join(m.value for m in at.markdown)
    assert "Manager empathy is the biggest lever on engagement" in lever and "weakest in Customer Support" in lever
    drivers = chart_rows(at, "driver_label")
    assert list(drivers.sort_values("importance", ascending=False)["driver_label"]) == ["Manager empathy", "Well-being"]
    assert {"ci_low", "ci_high"} <= set(drivers.columns)
    correlation, low, high, n_pairs = sql(
        impact_db, "SELECT correlation, ci_low, ci_high, n_pairs FROM marts.service_profit_chain_summary"
    )[0]
    chain = " ".join(m.value for m in at.markdown)
    assert f"r = {correlation:.2f}** (95 % CI {low:.2f} to {high:.2f}, n = {n_pairs} location-waves from 12 " in chain
    assert "locations; the range resamples whole locations)" in chain
    assert len(chart_rows(at, "employee_value")) == n_pairs
    assert any("not proof that one causes the other" in c.value for c in at.caption)


def test_a_walk_through_every_choice_in_plain_words(monkeypatch, impact_db):
    """One page, every picker: each initiative (the staggered one says how it was compared, the null one finds no
    clear change and has no savings), another measure's event study, each kind of driver, another outcome; and
    nothing raw on screen at any step."""

    def plain(at: AppTest) -> AppTest:
        raw = [t for t in screen_text(at) if RAW.search(str(t))]
        assert not raw, raw
        return at

    at = plain(choose(open_page(monkeypatch, impact_db), "impact_initiative", TRAINING))
    at = plain(choose(at, "impact_event_kpi", ("location", "churn_rate")))
    assert chart_rows(at, "relative_month")["estimate"].iloc[-1] == pytest.approx(-1.2)
    at = plain(choose(at, "impact_driver_kind", "survey_item"))
    items = set(chart_rows(at, "driver_label")["driver_label"])
    assert items == {"Active listening", "I am proud to work for this company."}  # by label, or the question's text
    at = plain(choose(at, "impact_driver_kind", "team"))
    teams = chart_rows(at, "driver_label")
    gaps = dict(zip(teams["driver_label"], teams["importance"], strict=True))
    assert gaps == {"Customer Support": -0.92, "Sales": 0.1}
    at = plain(choose(at, "impact_driver_outcome", "nps"))
    assert set(chart_rows(at, "driver_label")["driver_label"]) == {"Support ticket"}
    assert any("The biggest lever on NPS" in m.value for m in at.markdown)

    at = plain(choose(at, "impact_initiative", ROLLOUT))
    notice = " ".join(i.value for i in at.info)
    assert "Callaway & Sant'Anna" in notice
    assert "No location went without it, so locations that had not started yet served as the comparison" in notice
    assert card(at, "CSAT %").value == "+4.0 points"
    assert any("CSAT rose 4.0 points more" in m.value for m in at.markdown)  # a NULL pre-trend verdict is no rejection
    assert any("were not tested for a difference in trend" in c.value for c in at.caption)

    at = plain(choose(at, "impact_initiative", NULL_INITIATIVE))
    assert [m.label for m in at.metric if m.label not in ROI_CARDS] == ["eNPS"]
    assert any("No clear change in eNPS at the two teams where it ran" in m.value for m in at.markdown)
    assert any("team-months" in c.value for c in at.caption)
    assert "No savings estimate for this initiative yet." in [i.value for i in at.info]


def test_gaps_in_the_marts_read_as_words(tmp_path, monkeypatch):
    """Rows the effects mart may hold for edge cases (no estimate, no name, an unknown unit type, a business's own
    metric, no event study, no ROI row) draw plain words, never None or nan, and no crash."""
    tables = impact_marts()
    odd = tables["marts.initiative_effects"].iloc[[0, 0]].reset_index(drop=True)
    odd["initiative_id"], odd["initiative_name"], odd["unit_type"] = "ODD-4", None, "store_cluster"
    odd["kpi"] = ["complaints_per_agent", "sales_per_store"]
    odd = odd.astype({"n_obs": "float64"})
    odd.loc[odd.index[0], ["estimate", "std_error", "ci_low", "ci_high", "n_obs", "pretrend_p_value"]] = float("nan")
    odd["pre_start"] = None
    tables["marts.initiative_effects"] = pd.concat([tables["marts.initiative_effects"], odd], ignore_index=True)
    db = write_serving_db(tmp_path / "odd.duckdb", {**sample_tables(), **tables})
    at = choose(open_page(monkeypatch, db), "impact_initiative", "ODD-4")
    assert "ODD-4" in [h.value for h in at.header]  # no name: the id stands in
    assert card(at, "Complaints per agent").value == "—"
    assert any(m.value.startswith("Not enough data to estimate a change in complaints per agent") for m in at.markdown)
    assert card(at, "Sales per store").value == "+9.8"  # the business's own metric: no unit
    raw = [t for t in screen_text(at) if RAW.search(str(t))]
    assert not raw, raw


def test_the_raw_check_catches_codes_on_screen():
    """The pattern above is seen to fail on the kind of text it guards against."""
    for text in ("csat_pct rose", "method did", "None", "from marts.initiative_effects", "not_yet_treated"):
        assert RAW.search(text), text
    assert not RAW.search("CSAT rose 9.8 points more at the three locations where it ran than elsewhere")


# --- nothing to evaluate -----------------------------------------------------------------------------------
@pytest.mark.parametrize("omit", [False, True], ids=["empty-marts", "no-impact-marts"])
def test_without_initiatives_the_page_says_what_to_land(tmp_path, monkeypatch, omit):
    db = write_serving_db(tmp_path / "bare.duckdb", sample_tables(), omit=list(PAGE_MART_COLUMNS) if omit else [])
    at = open_page(monkeypatch, db)
    notice = " ".join(i.value for i in at.info)
    assert "No initiatives to evaluate yet" in notice
    assert "land the initiatives you ran" in notice and "initiative units" in notice and "outcome measures" in notice
    assert not at.metric
    raw = [t for t in screen_text(at) if RAW.search(str(t))]
    assert not raw, raw


def test_fixture_default_has_no_initiatives(tmp_path):
    """The other dashboard tests' fixture publishes the impact marts empty, as a lake without initiatives does."""
    db = sample_serving_db(tmp_path)
    assert sql(db, "SELECT count(*) FROM marts.initiative_effects")[0][0] == 0


# --- who sees the page -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("username", "sees"),
    [("hr", False), ("location-manager", False), ("team-manager", False)],
)
def test_only_organisation_wide_roles_get_the_page(monkeypatch, impact_db, username, sees):
    """Owner and analyst list it (tests/test_dashboard_roles.py, with every role's menu); the others do not, and
    asked for by its URL it is not drawn."""
    at = run_app(monkeypatch, impact_db, username)
    registered = {Path(i["script_path"]).stem for i in at._registered_pages.values() if "url_pathname" in i}
    assert ("impact_roi" in registered) is sees
    if not sees:  # asked for by its URL, nothing of it is drawn
        at._page_hash = calc_hash("impact_roi")
        at = rerun(at)
        assert "Impact & ROI" not in [t.value for t in at.title]
        assert not [m for m in at.metric if m.label == "CSAT %" and "points" in m.value]


def test_the_page_alone_refuses_without_a_login():
    alone = AppTest.from_file(str(Path(APP).parent / "app_pages" / "impact_roi.py"), default_timeout=TIMEOUT).run()
    assert alone.error and "not available" in alone.error[0].value
    assert not alone.metric


# --- the verdict, without Streamlit ------------------------------------------------------------------------
def effect(**changes) -> dict:
    row = {
        "kpi": "csat_pct",
        "method": "did",
        "unit_type": "location",
        "estimate": 9.8,
        "ci_low": 4.1,
        "ci_high": 15.5,
        "treated_units": 3,
        "control_units": 9,
        "control_group": "never_treated",
        "pretrend_differs": False,
        "higher_is_better": True,
        "inference": "wild_cluster_bootstrap",
    }
    return {**row, **changes}


@pytest.mark.parametrize("missing", [None, pd.NA])
def test_verdict_without_a_pretrend_test_is_not_a_rejection(missing):
    assert impact_kpis.verdict(effect(pretrend_differs=missing)).startswith("CSAT rose 9.8 points more")
    assert impact_kpis.verdict(effect(pretrend_differs=True)).startswith("No effect is claimed")


def test_verdict_of_a_clear_improvement():
    assert impact_kpis.verdict(effect()) == (
        "CSAT rose 9.8 points more at the three locations where it ran than elsewhere (95 % CI 4.1 to 15.5): "
        "an improvement."
    )


def test_a_sentence_keeps_a_name_written_with_a_small_first_letter():
    assert impact_kpis.verdict(effect(kpi="enps")).startswith("eNPS rose 9.8 points more")
    assert impact_kpis.verdict(effect(kpi="custom_metric")).startswith("Custom metric rose 9.8 more")


def test_verdict_direction_follows_higher_is_better():
    fell = effect(kpi="churn_rate", estimate=-1.2, ci_low=-2.0, ci_high=-0.4, higher_is_better=False)
    assert impact_kpis.verdict(fell).startswith("Churn fell 1.2 points more")
    assert impact_kpis.verdict(fell).endswith("(95 % CI −2.0 to −0.4): an improvement.")
    worse = effect(kpi="handle_time_minutes", estimate=1.5, ci_low=0.5, ci_high=2.5, higher_is_better=False)
    assert "Handle time per ticket rose 1.5 minutes more" in impact_kpis.verdict(worse)
    assert impact_kpis.verdict(worse).endswith("a change for the worse.")
    dropped = effect(estimate=-3.0, ci_low=-5.0, ci_high=-1.0)
    assert impact_kpis.verdict(dropped).endswith("a change for the worse.")


def test_verdict_of_a_measure_without_a_declared_direction_does_not_judge_it():
    for unknown in (None, float("nan")):
        text = impact_kpis.verdict(
            effect(kpi="complaints_per_100_tickets", unit_type="custom", higher_is_better=unknown)
        )
        assert "rose 9.8" in text and "(95 % CI 4.1 to 15.5)" in text
        assert "improvement" not in text and "worse" not in text
        assert text.endswith("is not set, so it is not judged.")


@pytest.mark.parametrize(("low", "high"), [(-3.0, 7.0), (0.0, 4.0), (-4.0, 0.0)])
def test_a_ci_spanning_zero_is_no_clear_change(low, high):
    text = impact_kpis.verdict(effect(kpi="nps", estimate=(low + high) / 2, ci_low=low, ci_high=high))
    assert text.startswith("No clear change in NPS at the three locations where it ran compared with elsewhere")
    assert "rose" not in text and "fell" not in text and "improvement" not in text


def test_differing_pre_trends_claim_no_effect():
    text = impact_kpis.verdict(effect(pretrend_differs=True))
    assert "the trends already differed" in text and "No effect is claimed" in text
    assert "9.8" not in text and "rose" not in text


def test_no_estimate_claims_nothing():
    for missing in ({"estimate": None}, {"ci_low": float("nan")}, {"ci_high": None}):
        assert impact_kpis.verdict(effect(**missing)).startswith("Not enough data to estimate a change in CSAT")


def test_before_after_compares_with_before_not_elsewhere():
    text = impact_kpis.verdict(effect(method="before_after", control_units=0))
    assert text.startswith("CSAT rose 9.8 points at the three locations where it ran after the start")
    assert "elsewhere" not in text


def test_units_words_and_own_metrics():
    assert impact_kpis.measure("handle_time_minutes").unit == "minutes"
    assert impact_kpis.measure("review_rating").unit == "stars"
    own = impact_kpis.measure("complaints_per_agent")
    assert (own.label, own.name, own.unit) == ("Complaints per agent", "complaints per agent", "")
    text = impact_kpis.verdict(effect(kpi="complaints_per_agent", unit_type="agent", treated_units=40, estimate=-2.5,
                                      ci_low=-4.0, ci_high=-1.0, higher_is_better=False))  # fmt: skip
    assert text.startswith("Complaints per agent fell 2.5 more at the 40 agents where it ran than elsewhere")
    assert impact_kpis.count_words(1, "team") == "one team"


def test_driver_labels_are_words():
    assert impact_kpis.driver_label("survey_dimension", "manager_empathy") == "Manager empathy"
    assert impact_kpis.driver_label("survey_item", "eng_proud", {"eng_proud": "I am proud."}) == "I am proud."
    assert impact_kpis.driver_label("survey_item", "eng_proud") == "Eng proud"
    assert impact_kpis.driver_label("detractor_theme", "long_wait") == "Long wait"
    assert impact_kpis.driver_label("team", "Customer Support") == "Customer Support"
    assert impact_kpis.measure("wellbeing").label == "Well-being"


def test_method_text_names_the_comparison_group():
    staggered = effect(method="staggered", control_group="not_yet_treated", control_units=0, inference="bootstrap")
    assert "locations that had not started yet served as the comparison" in impact_kpis.method_text(staggered)
    never = effect(method="staggered", control_group="never_treated")
    assert "the nine locations that never had it" in impact_kpis.method_text(never)
    assert "wild cluster bootstrap" in impact_kpis.method_text(effect())


# --- a real pipeline run -----------------------------------------------------------------------------------
def shown_value(text: str) -> float | None:
    """The number a card shows ("+9.8 points", "−1.20 stars"); None for "—"."""
    found = re.match(r"^([+\-−]?[\d,]+\.?\d*)", text)
    return None if not found else float(found.group(1).replace("−", "-").replace(",", ""))


def test_the_page_on_a_real_pipeline_run(monkeypatch, built_lake):
    """Every initiative the demo's pipeline run estimated: one card per headline row, showing the mart's estimate
    (by SQL over the same serving copy), each with a verdict, and nothing raw anywhere."""
    assert built_lake.success
    db = built_lake.settings.serving_db
    initiatives = [r[0] for r in sql(db, "SELECT DISTINCT initiative_id FROM marts.initiative_effects ORDER BY 1")]
    assert initiatives, "the demo plants initiatives"
    at = open_page(monkeypatch, db)
    for initiative in initiatives:
        if len(initiatives) > 1:
            at = choose(at, "impact_initiative", initiative)
        rows = sql(
            db,
            "SELECT DISTINCT unit_type, kpi, estimate FROM marts.initiative_effects "
            "WHERE initiative_id = ? AND headline",
            [initiative],
        )
        cards = [m for m in at.metric if m.label not in ROI_CARDS]
        assert len(cards) == len(rows), (initiative, [m.label for m in cards])
        shown = sorted((shown_value(m.value) for m in cards), key=lambda v: (v is None, v or 0))
        expected = sorted((e for _, _, e in rows), key=lambda v: (v is None, v or 0))
        for value, estimate in zip(shown, expected, strict=True):
            assert (value is None) == (estimate is None), (initiative, shown, expected)
            if value is not None:
                assert value == pytest.approx(estimate, abs=0.051), (initiative, shown, expected)
        verdicts = [m.value for m in at.markdown if m.value.endswith(".") and " at the " in m.value]
        assert len(verdicts) >= len(rows), initiative
        raw = [t for t in screen_text(at) if RAW.search(str(t))]
        assert not raw, (initiative, raw)


def test_every_chart_is_valid_vega_lite(training):
    """Event study, drivers, chain and tornado are drawn without Altair's validation (charts.unvalidated)."""
    specs = chart_specs(training)
    assert len(specs) >= 3
    assert [errors for spec in specs if (errors := vega_lite_errors(spec))] == []
