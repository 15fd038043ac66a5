"""The Employee empathy page on a real pipeline run's serving copy (the session's generated lake): its numbers
equal SQL over the marts, and a suppressed survey cell is displayed as suppressed, with its reason.

Expected numbers come from SQL over the same file (sum the counts, divide last), never from the page's
pandas code; the pure arithmetic of streamlit_app/employee_kpis.py is tested without Streamlit at the end.
"""

from __future__ import annotations

import pandas as pd
import pytest

from streamlit_app import employee_kpis
from tests.lake_helpers import BuiltLake
from tests.test_dashboard_apptest import dataframe_with, run_app

PAGE = "app_pages/employee_empathy.py"


@pytest.fixture(scope="module")
def lake(built_lake: BuiltLake) -> BuiltLake:
    assert built_lake.success
    return built_lake


@pytest.fixture
def page(monkeypatch, lake: BuiltLake):
    at = run_app(monkeypatch, lake.settings.serving_db)
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _latest_wave(lake: BuiltLake) -> str:
    ((wave,),) = lake.query(
        "SELECT wave FROM marts.employee_survey_dimension_wave ORDER BY wave_month DESC, wave DESC LIMIT 1",
        serving=True,
    )
    return wave


def test_heatmap_cells_equal_the_mart_and_suppressed_cells_say_so(page, lake: BuiltLake):
    wave = _latest_wave(lake)
    heatmap = dataframe_with(page, "engagement")
    rows = lake.query(
        "SELECT group_value, dimension, suppressed, suppression_reason, "
        "100.0 * favourable_answers / answers FROM marts.employee_survey_dimension_wave "
        "WHERE wave = ? AND breakdown = 'team' AND dimension IN ('engagement', 'wellbeing', 'manager_empathy', "
        "'presenteeism')",
        [wave],
        serving=True,
    )
    suppressed_seen = 0
    for team, dimension, suppressed, reason, favourable in rows:
        shown = heatmap.loc[team, dimension]
        if suppressed:
            assert shown == f"suppressed ({reason})"
            suppressed_seen += 1
        else:
            assert shown == f"{favourable:.1f}"
    assert suppressed_seen > 0, "the session data must show a suppressed team"


def test_manager_indicators_equal_the_mart(page, lake: BuiltLake):
    wave = _latest_wave(lake)
    table = dataframe_with(page, "My manager listens actively when I raise something.")
    rows = lake.query(
        "SELECT group_value, indicator, suppressed, suppression_reason, score_sum / answers "
        "FROM marts.employee_manager_empathy_wave WHERE wave = ? AND breakdown = 'manager'",
        [wave],
        serving=True,
    )
    assert rows
    for manager, indicator, suppressed, reason, mean in rows:
        expected = f"suppressed ({reason})" if suppressed else f"{mean:.2f}"
        assert table.loc[manager, indicator] == expected


def test_turnover_and_absence_trend_equal_sql(page, lake: BuiltLake):
    table = dataframe_with(page, "turnover_pct")
    expected = dict(
        (month, (turnover, absence))
        for month, turnover, absence in lake.query(
            "SELECT h.month, 100.0 * sum(h.separations) / nullif(sum(h.avg_headcount), 0), "
            "(SELECT 100.0 * sum(employees_absent) / sum(employees) FROM marts.employee_absence_monthly a "
            " WHERE a.month = h.month) FROM marts.employee_headcount_monthly h GROUP BY h.month",
            serving=True,
        )
    )
    assert len(table) > 0
    for row in table.itertuples():
        turnover, absence = expected[pd.Timestamp(row.month).date()]
        assert row.turnover_pct == pytest.approx(turnover)
        assert row.absence_rate_pct == pytest.approx(absence)


# --- pure arithmetic ------------------------------------------------------------------------------------------
def test_cell_text_never_turns_suppression_into_a_number():
    assert employee_kpis.cell_text(True, "fewer than 5 respondents", None) == "suppressed (fewer than 5 respondents)"
    assert employee_kpis.cell_text(False, None, None) == "–"
    assert employee_kpis.cell_text(False, None, 0.0) == "0.0"


def test_trends_are_null_without_a_denominator():
    frame = pd.DataFrame(
        {
            "month": ["2024-01-01", "2024-02-01"],
            "separations": [1, 2],
            "voluntary_separations": [1, 1],
            "involuntary_separations": [0, 1],
            "avg_headcount": [0.0, 8.0],
        }
    )
    trend = employee_kpis.turnover_trend(frame)
    assert pd.isna(trend.loc[0, "turnover_pct"]) and trend.loc[1, "turnover_pct"] == 25.0
