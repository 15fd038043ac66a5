"""The "This week" page's rules (streamlit_app/summary.py, access.with_summary) on hand-made rows: movers need
enough answers in both months, league tables rank only large samples and by each KPI's direction, no data reads
"No data", a zero change is grey, status is in words, and an older login file still opens on the summary.
No warehouse: milliseconds. The page itself is checked against SQL in tests/test_summary_page.py."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from streamlit_app import access, summary

MONTH = dt.date(2025, 3, 1)


def row(kpi="nps", scope="location", scope_value="Leeds", value=30.0, n=50, previous_value=20.0, previous_n=50, **more):
    unit = {"nps": "pts", "csat_pct": "%", "turnover_pct": "%", "churn_pct": "%", "aov": "money"}.get(kpi, "")
    base = {
        "area": "Customers",
        "kpi": kpi,
        "kpi_label": kpi.upper(),
        "unit": unit,
        "higher_is_better": kpi not in ("turnover_pct", "churn_pct"),
        "scope": scope,
        "scope_value": scope_value,
        "period_start": MONTH,
        "value": value,
        "n": n,
        "previous_value": previous_value,
        "previous_n": previous_n,
        "last_year_value": None,
        "last_year_n": 0,
        "target": None,
        "status": None,
        "n_noun": "answers",
        "decimals": 1,
    }
    return {**base, **more}


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def test_movers_are_the_largest_changes_on_enough_answers_in_both_months():
    rows = frame(
        row(scope_value="Leeds", value=10.0, previous_value=40.0),  # −30, large
        row(scope_value="York", value=90.0, previous_value=0.0, n=12),  # +90 but few answers now
        row(scope_value="Hull", value=60.0, previous_value=0.0, previous_n=5),  # +60 but few answers before
        row(kpi="csat_pct", scope_value="Leeds", value=70.0, previous_value=75.0),  # −5
        row(kpi="turnover_pct", scope="team", scope_value="Sales", value=9.0, previous_value=1.0),  # +8, worse
        row(kpi="aov", scope_value="Leeds", value=500.0, previous_value=20.0),  # money: not comparable in points
        row(scope="business", scope_value="All", value=0.0, previous_value=99.0),  # not a location or team
        row(scope_value="Ely", value=None, previous_value=20.0),  # no data now
    )
    moved, left_out = summary.movers(rows, minimum=30)
    assert list(zip(moved["kpi"], moved["scope_value"], strict=True)) == [
        ("nps", "Leeds"),
        ("turnover_pct", "Sales"),
        ("csat_pct", "Leeds"),
    ]
    assert left_out == 2
    words = [summary.mover_words(r, "£") for _, r in moved.iterrows()]
    assert words[0] == "**NPS** at location **Leeds** fell from 40.0 to 10.0 (50 → 50 answers) :red[(worse)]"
    assert words[1].endswith(":red[(worse)]")  # turnover up is worse


def test_a_mover_rule_that_ignores_the_minimum_is_caught():
    """Seen failing: with the minimum at 1 the 12-answer York swing is the biggest mover."""
    rows = frame(
        row(scope_value="Leeds", value=10.0, previous_value=40.0),
        row(scope_value="York", value=90.0, previous_value=0.0, n=12),
    )
    assert summary.movers(rows, minimum=30)[0]["scope_value"].tolist() == ["Leeds"]
    assert summary.movers(rows, minimum=1)[0]["scope_value"].tolist()[0] == "York"


def test_league_ranks_by_direction_and_leaves_small_samples_unranked():
    rows = frame(
        row(kpi="turnover_pct", scope="team", scope_value="A", value=2.0, previous_value=5.0),
        row(kpi="turnover_pct", scope="team", scope_value="B", value=4.0, previous_value=1.0),
        row(kpi="turnover_pct", scope="team", scope_value="C", value=0.5, n=8, previous_value=3.0),
        row(kpi="turnover_pct", scope="team", scope_value="D", value=None, n=0, previous_value=2.0),
    )
    monthly = pd.DataFrame(
        [
            {"kpi": "turnover_pct", "scope": "team", "scope_value": "A", "month": m, "value": v, "n": 40}
            for m, v in (
                (dt.date(2024, 3, 1), 9.0),
                (dt.date(2025, 2, 1), 5.0),
                (MONTH, 2.0),
                (dt.date(2025, 4, 1), 7.0),
            )
        ]
    )
    table = summary.league(rows, monthly, "turnover_pct", "team", minimum=30)
    assert table["scope_value"].tolist() == ["A", "B", "C", "D"]
    assert table["rank"].tolist()[:2] == [1, 2] and table["rank"].isna().tolist()[2:] == [True, True]
    # The month before: B (1.0) best, D (2.0), then A (5.0); C's 3.0 rests on 50 answers then, so it ranks too.
    assert table["previous_rank"].tolist() == [4, 1, 3, 2]
    assert table["rank_change"].tolist()[:2] == [3, -1]
    assert table.loc[2, "note"] == "Few answers (8 of the 30 needed): not ranked"
    assert table.loc[3, "note"] == "No data this period"
    # 12 months up to the period: March 2024 is 13 months back and April 2025 is after it.
    assert table.loc[0, "trend"] == [5.0, 2.0]


def test_values_changes_and_status_in_words():
    assert summary.format_kpi(None, "%", 1, "£") == "No data"
    assert summary.format_kpi(float("nan"), "pts", 1, "£") == "No data"
    assert summary.format_kpi(0.0, "%", 1, "£") == "0.0%"
    assert summary.format_kpi(31.2, "money", 2, "€") == "€31.20"
    assert summary.format_kpi(12.0, "min", 0, "£") == "12 min"
    r = pd.Series(row(kpi="churn_pct", decimals=1))
    assert summary.coloured_change(2.04, 2.0, r, "£") == ":gray[+0.0 pts]"  # rounds to zero: no news
    assert summary.coloured_change(2.5, 2.0, r, "£") == ":red[+0.5 pts]"  # churn up is worse
    assert summary.coloured_change(None, 2.0, r, "£") is None
    counts = pd.Series(row(kpi="headcount", higher_is_better=None, decimals=0))
    assert summary.coloured_change(12, 10, counts, "£") == ":gray[+2]"  # no better direction
    assert summary.status_words("close to target") == ":orange[:material/error: Close to target]"
    assert summary.status_words(None) == ""
    assert summary.target_words(pd.Series(row(kpi="churn_pct", target=2.0)), "£") == "Target 2.0% (at most)"


def test_areas_follow_the_roles_pages_and_older_login_files_open_on_the_summary():
    assert summary.visible_areas(("summary", "employee_empathy")) == ["Employees"]
    assert summary.visible_areas(("customer_empathy", "brand_voice")) == ["Customers", "Support", "Brand"]
    # A file written before the summary existed: its roles list no `summary`.
    assert access.with_summary(["overview", "customer_empathy"]) == ("summary", "overview", "customer_empathy")
    assert access.with_summary(["data_quality"]) == ("data_quality",)  # no area of the summary: no summary
    assert access.with_summary(["alerts", "summary"]) == ("summary", "alerts")  # listed: first
    assert all(spec["pages"][0] == "summary" for name, spec in access.DEFAULT_ROLES.items() if name != "steward")


@pytest.mark.parametrize(
    ("severities", "expected"),
    [(["low", "high", "high"], {"high": 2, "low": 1}), (["medium", "odd"], {"medium": 1, "other": 1})],
)
def test_alert_counts_by_severity(severities, expected):
    alerts = pd.DataFrame(
        {"severity": severities, "last_seen_at": pd.date_range("2025-01-01", periods=len(severities))}
    )
    assert summary.alert_counts(alerts) == expected
    assert summary.top_alerts(alerts)["severity"].iloc[0] == next(iter(expected))


def test_a_change_of_money_carries_its_currency():
    assert summary.format_change(100.0, 94.76, "money", 2, "£") == "+£5.24"
    assert summary.format_change(94.76, 100.0, "money", 2, "€") == "-€5.24"
    assert summary.format_change(142.0, 153.0, "min", 0, "£") == "-11 min"


def test_a_league_table_shows_no_none():
    rows = frame(
        row(scope_value="A", value=50.0, previous_value=40.0),
        row(scope_value="B", value=30.0, n=5, previous_value=60.0),
    )
    empty = pd.DataFrame(columns=["kpi", "scope", "scope_value", "month", "value", "n"])
    shown = summary.league_for_display(summary.league(rows, empty, "nps", "location", minimum=30))
    assert shown[["rank", "previous_rank", "rank_change"]].values.tolist() == [["1", "2", "+1"], ["—", "1", "—"]]


def test_a_missing_date_is_missing():
    """Seen failing on the real-data lake: eNPS without any survey wave has no previous period (NaT)."""
    assert summary.is_missing(pd.NaT) and summary.is_missing(None) and summary.is_missing(float("nan"))
    assert summary.is_missing(pd.NA) and not summary.is_missing(0.0) and not summary.is_missing(dt.date(2025, 1, 1))


def test_the_rank_before_heading_is_each_kpis_own_previous_period():
    """The league table's "Rank in …" names the rows' previous period (eNPS: the previous survey wave, months
    back), never the page's month − 1."""
    rows = frame(
        row(kpi="enps", scope="team", scope_value="Sales", previous_period_start=dt.date(2024, 9, 1)),
        row(kpi="turnover_pct", scope="team", scope_value="Sales", previous_period_start=dt.date(2025, 2, 1)),
    )
    assert summary.rank_before_words(rows, "enps") == "Rank in Sep 2024 wave"
    assert summary.rank_before_words(rows, "turnover_pct") == "Rank in Feb 2025"


def test_a_month_read_to_the_as_of_date_says_so():
    partial = {"kpi": "nps", "period_start": dt.date(2021, 10, 1), "period_end": dt.date(2021, 10, 19)}
    assert summary.period_words(partial) == "Oct 2021 (to 19 Oct)"
    assert summary.period_words({**partial, "period_end": dt.date(2021, 10, 31)}) == "Oct 2021"
    assert summary.period_words({"kpi": "nps", "period_start": dt.date(2021, 10, 1)}) == "Oct 2021"


def open_alert(severity, period, scope="team", scope_value="Sales", reason="Turnover in team Sales was 30 %"):
    return {
        "severity": severity,
        "kpi": "turnover_pct_3m",
        "scope": scope,
        "scope_value": scope_value,
        "period": pd.Timestamp(period),
        "kpi_value": 30.0,
        "previous_value": None,
        "base_count": 10.0,
        "base_unit": "average headcount",
        "reason": reason,
        "last_seen_at": pd.Timestamp("2025-12-31"),
    }


def test_this_weeks_alerts_lead_with_recent_ones_and_old_ones_read_as_old():
    """Walk s19: two 20-month-old high turnover alerts led This week's open alerts. Alerts about the last months
    before the page's month come first (by severity), older ones after, marked with their age."""
    as_of = pd.Timestamp("2025-12-01")
    alerts = pd.DataFrame(
        [
            open_alert("high", "2024-04-01"),
            open_alert("high", "2024-03-01"),
            open_alert("medium", "2025-12-01", scope_value="Store Exeter"),
            open_alert("medium", "2025-10-01", scope_value="Store York"),
        ]
    )
    top = summary.top_alerts(alerts, as_of=as_of)
    assert top["scope_value"].tolist()[:2] == ["Store Exeter", "Store York"]
    assert top["period"].tolist()[2:] == [pd.Timestamp("2024-04-01"), pd.Timestamp("2024-03-01")]
    old = summary.alert_words(top.iloc[2], as_of=as_of)
    assert "an old alert: Apr 2024, 20 months before Dec 2025" in old
    assert "old alert" not in summary.alert_words(top.iloc[0], as_of=as_of)


def test_an_alert_about_a_customer_never_shows_their_pseudonym():
    """Walk s19: "Customer cus_6c83ad5e34448a36 (Bristol) gave 5 negative ..." on This week. The sentence names "A
    customer" (logs written before the rule's sentence changed still hold the code)."""
    code = "cus_6c83ad5e34448a36"
    alert = pd.Series(
        open_alert("medium", "2025-10-01", "customer", code, f"Customer {code} (Bristol) gave 5 negative events")
    )
    words = summary.alert_words(alert, as_of=pd.Timestamp("2025-12-01"))
    assert code not in words and "cus_" not in words
    assert "A customer (Bristol) gave 5 negative events" in words
    alert["reason"] = None  # built from the numbers
    assert code not in summary.alert_words(alert)


def test_a_location_view_says_why_workforce_figures_are_missing():
    words = summary.not_per_location_words(["Turnover %", "Headcount", "Lost worktime %"])
    assert words.startswith("Turnover %, Headcount and Lost worktime % are not shown for a single location")
    assert "small teams" in words
