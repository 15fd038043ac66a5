"""streamlit_app/roi_view.render_roi under Streamlit's AppTest: the savings and ROI from the mart's rows, the
tornado, and what-if sliders recomputing with streamlit_app/roi.py (the mart's own formula)."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from streamlit_app import roi
from tests import impact_sample


def page(initiative_id, effects, roi_rows, assumptions):
    from streamlit_app.roi_view import render_roi

    render_roi(initiative_id, effects, roi_rows, assumptions)


def effects_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "initiative_id": [impact_sample.TRAINING] * 2,
            "kpi": ["churn_rate", "handle_time_minutes"],
            "headline": [True, True],
            "pretrend_differs": [False, False],
            "estimate": [-0.5, 0.2],
            "ci_low": [-0.9, -0.1],
            "ci_high": [-0.1, 0.5],
        }
    )


def mart_rows(effects, assumptions) -> pd.DataFrame:
    """ROI rows as marts.initiative_roi computes them from these effects (same formula)."""
    values = dict(zip(assumptions["assumption"], assumptions["value"], strict=True))
    usable = {r.kpi: (r.estimate, r.ci_low, r.ci_high) for r in effects.itertuples()}
    rows = roi.evaluate(usable, impact_sample.BASE, values, 6000.0)
    return pd.DataFrame(
        [
            {"initiative_id": impact_sample.TRAINING, "cost": 6000.0, "treated_units": 3, **impact_sample.BASE, **r}
            for r in rows
        ]
    )


@pytest.fixture
def app(monkeypatch) -> AppTest:
    monkeypatch.setenv("EMPATHY_LAKE_CURRENCY", "€")
    effects, assumptions = effects_frame(), impact_sample.assumptions()
    at = AppTest.from_function(
        page, args=(impact_sample.TRAINING, effects, mart_rows(effects, assumptions), assumptions), default_timeout=60
    )
    return at.run()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_savings_roi_tornado_and_what_if(app):
    assert not app.exception
    effects, assumptions = effects_frame(), impact_sample.assumptions()
    total = mart_rows(effects, assumptions).iloc[-1]
    assert metric(app, "Cost") == "€6,000"
    assert metric(app, "Savings (best estimate)") == f"€{total['savings_central']:,.0f}"
    assert metric(app, "Return on investment") == f"{total['roi_central'] * 100:+,.0f} %"
    texts = " ".join(str(m.value) for m in app.markdown)
    assert "Which assumption moves the return most" in texts
    # What-if: effect size 0 → no savings, the whole cost lost.
    app.slider(key=f"roi_{impact_sample.TRAINING}_effect").set_value(0.0).run()
    line = next(str(m.value) for m in app.markdown if str(m.value).startswith("Savings "))
    assert line.startswith("Savings €0, return -100 %")
    # Three more stores like the three trained ones, at the same cost each: same return, double the savings.
    app.slider(key=f"roi_{impact_sample.TRAINING}_effect").set_value(1.0).run()
    app.slider(key=f"roi_{impact_sample.TRAINING}_extra").set_value(3).run()
    more = next(str(m.value) for m in app.markdown if str(m.value).startswith("At 3 more units"))
    assert f"savings €{total['savings_central']:,.0f}" in more
    for text in [texts, line, more]:
        assert "None" not in text and "nan" not in text and "_" not in text


def test_nothing_to_value_says_what_it_needs(monkeypatch):
    assumptions = impact_sample.assumptions()
    rows = mart_rows(effects_frame().iloc[0:0], assumptions)
    at = AppTest.from_function(page, args=(impact_sample.TRAINING, effects_frame().iloc[0:0], rows, assumptions)).run()
    assert not at.exception
    assert any("can be turned into money" in str(i.value) for i in at.info)


def test_an_effect_whose_ci_spans_zero_is_no_clear_saving(app):
    """D110/D111: handle time's CI spans zero, so support time is "No clear saving"; churn's is clear, so customers
    kept shows money; the low/high are said to put every effect at its CI limit."""
    table = app.dataframe[0].value.set_index("Where the money comes from")
    assert table.loc["Support time saved", "Best estimate"] == "No clear saving"
    assert table.loc["Customers kept", "Best estimate"].startswith("€")
    assert "with every effect at the limit of its 95 % CI" in " ".join(str(c.value) for c in app.caption)
    assert all("95 % range" not in str(m.proto.help) for m in app.metric)


def test_the_null_initiative_reads_as_a_cost_and_a_margin_of_one_is_named(monkeypatch):
    """EMP-WELL-3 in the demo build: turnover -0.62 (CI -2.99 to 1.74) is no proven saving; with the default gross
    margin 1.0 the section says savings count revenue, not profit, and how to set it."""
    effects = pd.DataFrame(
        {
            "initiative_id": [impact_sample.TRAINING],
            "kpi": ["voluntary_turnover_pct"],
            "headline": [True],
            "pretrend_differs": [None],
            "estimate": [-0.62],
            "ci_low": [-2.99],
            "ci_high": [1.74],
        }
    )
    assumptions = impact_sample.assumptions()
    assumptions.loc[assumptions["assumption"] == "gross_margin", ["value", "high"]] = 1.0
    rows = mart_rows(effects, assumptions).assign(gross_margin=1.0)
    at = AppTest.from_function(page, args=(impact_sample.TRAINING, effects, rows, assumptions)).run()
    assert not at.exception
    assert metric(at, "Return on investment") == "-100 %"
    captions = " ".join(str(c.value) for c in at.caption)
    assert "no proven saving" in captions
    assert "valued at the revenue they bring, not the profit" in captions


def test_the_margin_note_names_no_tool():
    """Walk s19: "the dbt variable" on the Impact & ROI page; a reader is told what to ask for, in plain words."""
    from streamlit_app import roi_view

    for tool_word in ("dbt", "variable", "mart", "var "):
        assert tool_word not in roi_view.MARGIN_NOTE.lower(), tool_word
