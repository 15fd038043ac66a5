"""The dashboard's KPI arithmetic, filters and status rules (pure functions, no Streamlit)."""

from __future__ import annotations

import pandas as pd
import pytest

from streamlit_app import kpis, marts
from streamlit_app.formatting import format_delta, format_pct, format_score
from streamlit_app.quality import LoadTotals, check_status


def nps_frame(rows: list[tuple[str, int, int, int]]) -> pd.DataFrame:
    """(segment, promoters, detractors, responses) -> mart-shaped rows with passives filled in."""
    frame = pd.DataFrame(rows, columns=["segment", "promoters", "detractors", "responses"])
    frame["passives"] = frame["responses"] - frame["promoters"] - frame["detractors"]
    frame["month"] = pd.Timestamp("2025-06-01")
    return frame


def test_nps_from_counts_spans_minus_100_to_100():
    assert kpis.nps_from_counts(50, 20, 100) == pytest.approx(30.0)
    assert kpis.nps_from_counts(10, 0, 10) == 100.0
    assert kpis.nps_from_counts(0, 10, 10) == -100.0


def test_zero_responses_give_none_not_zero():
    assert kpis.nps_from_counts(0, 0, 0) is None
    assert kpis.csat_pct_from_counts(0, 0) is None
    assert kpis.csat_mean_from_counts(0.0, 0) is None
    assert kpis.nps_of(nps_frame([("A", 0, 0, 0)])) is None
    assert kpis.nps_of(nps_frame([])) is None


def test_aggregate_sums_counts_then_divides_never_averages_ratios():
    small_happy = ("A", 9, 0, 10)  # NPS 90
    large_unhappy = ("A", 100, 600, 1000)  # NPS -50
    frame = nps_frame([small_happy, large_unhappy])
    mean_of_ratios = (90 + -50) / 2
    expected = 100 * (109 - 600) / 1010

    result = kpis.aggregate_nps(frame, ["segment"])

    assert result["nps"].iloc[0] == pytest.approx(expected)
    assert result["nps"].iloc[0] != pytest.approx(mean_of_ratios)
    assert result["responses"].iloc[0] == 1010
    assert kpis.nps_of(frame) == pytest.approx(expected)


def test_aggregate_keeps_groups_without_responses_as_missing():
    frame = nps_frame([("A", 5, 1, 10), ("B", 0, 0, 0)])
    result = kpis.aggregate_nps(frame, ["segment"]).set_index("segment")
    assert result.loc["A", "nps"] == pytest.approx(40.0)
    assert pd.isna(result.loc["B", "nps"])


def test_aggregate_without_groups_is_one_row():
    result = kpis.aggregate_nps(nps_frame([("A", 5, 1, 10), ("B", 1, 5, 10)]))
    assert len(result) == 1
    assert result["nps"].iloc[0] == pytest.approx(0.0)


def test_aggregate_csat_pct_and_mean_from_sums():
    frame = pd.DataFrame(
        {
            "segment": ["A", "A"],
            "responses": [4, 16],
            "satisfied_responses": [4, 4],
            "score_sum": [20.0, 40.0],
        }
    )
    result = kpis.aggregate_csat(frame, ["segment"])
    assert result["csat_pct"].iloc[0] == pytest.approx(100 * 8 / 20)  # not (100 + 25) / 2
    assert result["csat_mean"].iloc[0] == pytest.approx(60 / 20)
    assert kpis.csat_pct_of(frame) == pytest.approx(40.0)


def test_change_needs_both_months():
    assert kpis.change(12.5, 10.0) == pytest.approx(2.5)
    assert kpis.change(None, 10.0) is None
    assert kpis.change(12.5, None) is None


def test_filter_rows_empty_choice_means_all_and_months_are_inclusive():
    frame = pd.DataFrame(
        {
            "month": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01"]),
            "segment": ["A", "B", "A"],
            "location": ["X", "X", "Y"],
        }
    )
    assert len(marts.filter_rows(frame)) == 3
    in_range = marts.filter_rows(frame, (pd.Timestamp("2025-02-01"), pd.Timestamp("2025-03-01")))
    assert in_range["month"].dt.month.tolist() == [2, 3]
    assert marts.filter_rows(frame, segments=["A"], locations=["Y"])["month"].dt.month.tolist() == [3]


def test_formatting_shows_no_data_as_a_dash_and_signs_deltas():
    assert format_score(None) == "—"
    assert format_score(-12.345) == "-12.3"
    assert format_pct(80.06) == "80.1%"
    assert format_delta(None) is None
    assert format_delta(2.0) == "+2.0 pts"
    assert format_delta(-0.25) == "-0.2 pts"


@pytest.mark.parametrize(
    ("success", "errored", "status"),
    [
        (True, False, "passed"),
        (False, False, "failed"),
        (True, True, "errored"),  # an errored check never counts as a pass
        (False, True, "errored"),
        (None, False, "failed"),  # a missing success flag is no pass
        (pd.NA, pd.NA, "failed"),
    ],
)
def test_check_status(success, errored, status):
    assert check_status(success, errored) == status


def test_load_totals_conservation():
    assert LoadTotals(rows_read=10, rows_loaded=7, rows_quarantined=3).conserved
    assert not LoadTotals(rows_read=10, rows_loaded=7, rows_quarantined=2).conserved


def test_a_card_names_the_month_it_compares_with_only_beside_a_change():
    """Every page's cards: "vs Nov 2017" beside a change, nothing where no change is shown (no previous value)."""
    from streamlit_app.formatting import compared_with, format_delta

    assert compared_with(format_delta(1.5), "vs Nov 2017") == "vs Nov 2017"
    assert compared_with(format_delta(0.0), "vs Nov 2017") == "vs Nov 2017"
    assert compared_with(format_delta(None), "vs Nov 2017") is None
