"""The Employee empathy page on a real pipeline run's serving copy (the session's generated lake): its numbers
equal SQL over the marts, and a suppressed survey cell is displayed as suppressed, with its reason — never as
0 or blank — in the heatmap, in its numbers table and on the cards.

Expected numbers come from SQL over the same file (sum the counts, divide last), never from the page's
pandas code; the pure arithmetic of streamlit_app/employee_kpis.py is tested without Streamlit at the end.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from streamlit_app import employee_charts, employee_kpis
from streamlit_app.formatting import NO_DATA
from tests.dashboard_expectations import assert_shows, month_before, sql
from tests.lake_helpers import BuiltLake
from tests.serving_fixture import SERVING_TABLES, read_serving_tables, write_serving_db
from tests.test_dashboard_apptest import chart_specs, metric, open_app_page, rerun, vega_lite_errors

PAGE = "app_pages/employee_empathy.py"
DIMENSIONS = ("engagement", "wellbeing", "manager_empathy", "presenteeism")
DIMENSION_LABELS = {
    "engagement": "Engagement",
    "wellbeing": "Well-being",
    "manager_empathy": "Manager empathy",
    "presenteeism": "Presenteeism",
}
EMPLOYEE_MARTS = [t for t in SERVING_TABLES if t.startswith("marts.employee_")]
CARDS = ["eNPS", "Engagement % fav.", "Turnover %", "Absence rate %", "EAP utilisation %"]
# The monthly cards: label -> (mart, numerator, denominator), restated from the marts' dbt docs.
MONTHLY_CARDS = {
    "Turnover %": ("employee_headcount_monthly", "100.0 * sum(separations)", "sum(avg_headcount)"),
    "Absence rate %": ("employee_absence_monthly", "100.0 * sum(employees_absent)", "sum(employees)"),
    "EAP utilisation %": ("employee_eap_monthly", "100.0 * sum(eap_users)", "sum(employees)"),
}


# --- fixtures and SQL ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lake(built_lake: BuiltLake) -> BuiltLake:
    assert built_lake.success
    return built_lake


@pytest.fixture(scope="module")
def db(lake: BuiltLake) -> Path:
    return lake.settings.serving_db


def open_page(monkeypatch, db: Path):
    return open_app_page(monkeypatch, db, PAGE)


@pytest.fixture(scope="module")
def page(db: Path):
    """The page as it opens (default wave, breakdown and period), shared by the tests that only read it."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield open_page(monkeypatch, db)


def waves(db: Path) -> list[str]:
    """Every wave, latest first (the selector's order)."""
    rows = sql(
        db,
        "SELECT wave FROM marts.employee_survey_dimension_wave GROUP BY wave ORDER BY min(wave_month) DESC, wave DESC",
    )
    return [r[0] for r in rows]


def default_month(db: Path) -> dt.date:
    """The latest month every monthly employee mart has reached (the period's default end)."""
    return sql(
        db,
        "SELECT least((SELECT max(month) FROM marts.employee_headcount_monthly), "
        "(SELECT max(month) FROM marts.employee_absence_monthly), (SELECT max(month) FROM marts.employee_eap_monthly))",
    )[0][0]


def sql_monthly(db: Path, label: str, month: dt.date, team: str | None = None) -> float | None:
    """A monthly card's value over every team, or over one `team`'s rows."""
    table, numerator, denominator = MONTHLY_CARDS[label]
    where, params = ("month = ?", [month]) if team is None else ("month = ? AND team = ?", [month, team])
    return sql(db, f"SELECT ({numerator})::DOUBLE / nullif({denominator}, 0) FROM marts.{table} WHERE {where}", params)[
        0
    ][0]


def sql_enps(db: Path, wave: str) -> float | None:
    rows = sql(
        db,
        "SELECT 100.0 * (promoters - detractors) / nullif(responses, 0) FROM marts.employee_enps_wave "
        "WHERE wave = ? AND breakdown = 'org'",
        [wave],
    )
    return rows[0][0] if rows else None


def sql_engagement(db: Path, wave: str) -> float | None:
    rows = sql(
        db,
        "SELECT 100.0 * favourable_answers / nullif(answers, 0) FROM marts.employee_survey_dimension_wave "
        "WHERE wave = ? AND breakdown = 'org' AND dimension = 'engagement'",
        [wave],
    )
    return rows[0][0] if rows else None


def sql_cells(db: Path, wave: str, breakdown: str) -> list[tuple]:
    """(group, dimension, suppressed, reason, respondents, answers, favourable answers, % favourable, mean)."""
    return sql(
        db,
        "SELECT group_value, dimension, suppressed, suppression_reason, respondents, answers, favourable_answers, "
        "100.0 * favourable_answers / answers, score_sum / answers FROM marts.employee_survey_dimension_wave "
        "WHERE wave = ? AND breakdown = ? AND dimension IN ('engagement', 'wellbeing', 'manager_empathy', "
        "'presenteeism') ORDER BY ALL",
        [wave, breakdown],
    )


def employee_tables(db: Path) -> dict[str, pd.DataFrame]:
    """The run's employee marts and meta tables, to alter and rewrite (the customer marts stay empty)."""
    return {k: v for k, v in read_serving_tables(db).items() if k in EMPLOYEE_MARTS or k.startswith("meta.")}


def code(reason: str) -> str:
    """The short code the page shows, restated: 'n < N' or 'protects a hidden group'."""
    if found := re.fullmatch(r"fewer than (\d+) respondents", reason):
        return f"n < {found.group(1)}"
    assert reason.startswith("complementary"), reason
    return "protects a hidden group"


def shown_delta(card) -> float:
    return float(card.proto.delta.split()[0].replace("+", ""))


def survey_table(at) -> pd.DataFrame:
    """The heatmap's numbers table (the first table of survey cells whose columns are dimensions)."""
    for frame in (d.value for d in at.dataframe):
        if {"group", "column", "status"} <= set(frame.columns) and set(frame["column"]) & set(
            DIMENSION_LABELS.values()
        ):
            return frame
    raise AssertionError("no survey numbers table")


def indicator_table(at) -> pd.DataFrame:
    for frame in (d.value for d in at.dataframe):
        if {"group", "column", "status"} <= set(frame.columns) and "Active listening" in set(frame["column"]):
            return frame
    raise AssertionError("no manager indicator table")


def heatmap_data(at) -> pd.DataFrame:
    """The rows behind the survey heatmap (the Vega-Lite chart's dataset whose cells are dimensions)."""
    for chart in at.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            rows = pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
            if "key" in rows.columns and set(rows["key"]) & set(DIMENSIONS):
                return rows
    raise AssertionError("no survey heatmap")


def group_label(breakdown: str, group: str) -> str:
    return employee_kpis.TENURE_LABELS.get(group, group) if breakdown == "tenure_band" else group


# --- cards ---------------------------------------------------------------------------------------------------
def test_cards_equal_sql_for_the_latest_wave_and_month(page, db: Path):
    wave, before_wave = waves(db)[:2]
    enps = metric(page, "eNPS")
    assert_shows(enps.value, sql_enps(db, wave))
    assert shown_delta(enps) == pytest.approx(sql_enps(db, wave) - sql_enps(db, before_wave), abs=0.051)
    engagement = metric(page, "Engagement % fav.")
    assert_shows(engagement.value, sql_engagement(db, wave))
    assert shown_delta(engagement) == pytest.approx(
        sql_engagement(db, wave) - sql_engagement(db, before_wave), abs=0.051
    )
    month = default_month(db)
    for label in MONTHLY_CARDS:
        card = metric(page, label)
        now, before = sql_monthly(db, label, month), sql_monthly(db, label, month_before(month))
        assert_shows(card.value, now)
        assert shown_delta(card) == pytest.approx(now - before, abs=0.051), label


def test_cards_are_named_as_on_this_week(page, db: Path):
    """eNPS and turnover carry This week's labels (one label per KPI, D302)."""
    from tests.test_kpi_catalog import assert_named_as_on_this_week

    assert_named_as_on_this_week(db, page, "employee_empathy")


def test_every_card_has_its_formula_as_tooltip(page):
    formulas = {
        "eNPS": "100 × (promoters − detractors) / responses",
        "Engagement % fav.": "100 × favourable answers / answers",
        "Turnover %": "100 × separations / average headcount",
        "Absence rate %": "100 × employees with a non-vacation absence",
        "EAP utilisation %": "100 × distinct (pseudonymised) Employee Assistance Programme users",
    }
    for label, formula in formulas.items():
        assert formula in metric(page, label).help, label


# --- survey heatmap ------------------------------------------------------------------------------------------
def test_heatmap_table_equals_the_mart_and_suppressed_cells_say_so(page, db: Path):
    wave = waves(db)[0]
    table = survey_table(page).set_index(["group", "column"])
    rows = sql_cells(db, wave, "team")
    reasons_seen = set()
    for team, dimension, suppressed, reason, respondents, answers, favourable, pct, mean in rows:
        shown = table.loc[(team, DIMENSION_LABELS[dimension])]
        if suppressed:
            assert shown["favourable_pct"] == f"suppressed ({code(reason)})"
            assert shown["respondents"] == shown["answers"] == shown["mean_score"] == "suppressed"
            assert shown["status"] == f"suppressed — {reason}"
            reasons_seen.add(code(reason))
        else:
            assert shown["respondents"] == f"{respondents:,}"
            assert (shown["answers"], shown["favourable_answers"]) == (f"{answers:,}", f"{favourable:,}")
            assert shown["favourable_pct"] == f"{pct:.1f}"
            assert shown["mean_score"] == f"{mean:.2f}"
            # a cell resting on fewer than EMPATHY_LAKE_MIN_ANSWERS (30) people says so beside "shown"
            few = f"shown — Few people ({respondents:,} of the 30 needed to read it with confidence)"
            assert shown["status"] == (few if respondents < 30 else "shown")
    assert reasons_seen, "the session data must show a suppressed team"
    # The whole organisation heads the table for comparison; every cell of the table holds text.
    org = sql_cells(db, wave, "org")
    assert table.loc[("Whole organisation", "Engagement"), "favourable_pct"] == f"{org[0][7]:.1f}"
    assert len(table) == len(rows) + len(org)
    assert (table.reset_index().map(lambda v: isinstance(v, str) and v.strip() != "")).all().all()


def test_heatmap_draws_suppressed_cells_grey_with_their_reason_never_as_a_number(page, db: Path):
    wave = waves(db)[0]
    cells = heatmap_data(page).set_index(["group_value", "key"])
    suppressed = 0
    for team, dimension, hidden, reason, *_, pct, _mean in sql_cells(db, wave, "team"):
        cell = cells.loc[(team, dimension)]
        if hidden:
            suppressed += 1
            assert cell["status"] == "suppressed"
            assert cell["label"] == f"suppressed\n{code(reason)}"
            assert cell["status_text"] == employee_kpis.reason_text(reason)  # the tooltip: the reason in full
            assert pd.isna(cell["value"]), "a suppressed cell must not carry a number (it would be coloured)"
        else:
            assert cell["status"] == "shown" and cell["value"] == pytest.approx(pct)
            assert cell["label"] == f"{pct:.1f}"
    assert suppressed


def test_the_legend_explains_both_reasons_in_full(page, db: Path):
    legend = " ".join(c.value for c in page.caption if "suppressed" in c.value)
    # The one published threshold (marts.employee_survey_settings), not a number of the page's own.
    threshold = sql(db, "SELECT min_respondents FROM marts.employee_survey_settings")[0][0]
    assert f"**n < {threshold}**: fewer than {threshold} people in this group answered" in legend
    assert "**protects a hidden group**: enough people answered" in legend
    assert "by subtraction" in legend


@pytest.mark.parametrize("breakdown", ["location", "manager", "tenure_band"])
def test_each_breakdown_shows_its_own_published_groups(monkeypatch, db: Path, breakdown):
    at = open_page(monkeypatch, db)
    at.selectbox(key="employee_breakdown").set_value(breakdown)
    rerun(at)
    wave = waves(db)[0]
    table = survey_table(at)
    rows = sql_cells(db, wave, breakdown)
    assert rows
    shown = table[table["group"] != "Whole organisation"]
    assert len(shown) == len(rows)
    # A manager reads "E000003 · Marketing"; the id comes first.
    by_cell = {
        (g.split(" · ")[0], c): v
        for g, c, v in zip(shown["group"], shown["column"], shown["favourable_pct"], strict=True)
    }
    for group, dimension, suppressed, reason, *_, pct, _mean in rows:
        expected = f"suppressed ({code(reason)})" if suppressed else f"{pct:.1f}"
        assert by_cell[(group_label(breakdown, group), DIMENSION_LABELS[dimension])] == expected


def test_the_page_names_no_tool_in_its_words(monkeypatch, db: Path):
    """Walk s18: "(headcount mart)" and "the mart has no row for it" on this page. By manager (the breakdown with
    the most notes), every caption, note, heading and widget help reads in plain words (the KPI definitions at the
    bottom name their source tables on purpose, for analysts)."""
    at = open_page(monkeypatch, db)
    at.selectbox(key="employee_breakdown").set_value("manager")
    rerun(at)
    shown = [str(e.value) for kind in (at.caption, at.info, at.header, at.subheader) for e in kind]
    shown += [str(w.help or "") for w in [*at.selectbox, *at.multiselect]]
    words = " ".join(shown).lower()
    for tool_word in (" mart", "dbt", " var "):
        assert tool_word not in words, tool_word


def test_a_survey_without_enps_says_so_beside_the_cards(tmp_path, monkeypatch, db: Path):
    """The real HR sample publishes engagement but no eNPS: the cards' caption reads "no eNPS responses published",
    never "— eNPS responses" (seen on the real-data lake, s19)."""
    tables = employee_tables(db)
    tables["marts.employee_enps_wave"] = tables["marts.employee_enps_wave"].iloc[0:0]
    at = open_page(monkeypatch, write_serving_db(tmp_path / "no_enps.duckdb", tables))
    captions = " ".join(c.value for c in at.caption)
    assert "— eNPS responses" not in captions, captions
    assert "no eNPS responses published" in captions, captions


def test_managers_are_labelled_with_the_teams_they_lead(monkeypatch, db: Path):
    at = open_page(monkeypatch, db)
    at.selectbox(key="employee_breakdown").set_value("manager")
    rerun(at)
    wave = waves(db)[0]
    groups = set(survey_table(at)["group"]) - {"Whole organisation"}
    # A team's manager: the manager most of its workers (employed at the start or hired since) report to.
    expected = {}
    for team, manager in sql(
        db,
        "WITH w AS (SELECT team, manager_id, sum(hires) + coalesce(sum(headcount_start) FILTER (WHERE month = "
        "(SELECT min(month) FROM marts.employee_headcount_monthly)), 0) AS workers "
        "FROM marts.employee_headcount_monthly "
        "WHERE manager_id IS NOT NULL AND manager_id NOT IN ('Unknown', 'Other (small groups)', 'All') "
        "AND team NOT IN ('Other (small groups)', 'All') GROUP BY ALL) "
        "SELECT team, manager_id FROM w QUALIFY row_number() OVER (PARTITION BY team "
        "ORDER BY workers DESC, manager_id) = 1",
    ):
        expected.setdefault(manager, []).append(team)
    for group in groups:
        manager, _, teams = group.partition(" · ")
        # A manager is shown by role and team ("Manager, Store York"), never an HRIS id; the teams they lead
        # follow where the headcount mart shows the manager (small groups are combined there).
        assert manager.startswith("Manager") and ", " in manager, manager
        if manager in expected:
            # "Manager, IT" leading IT alone carries no suffix: the label's team is the one they lead.
            assert sorted((teams or manager.split(", ", 1)[1]).split(", ")) == sorted(expected[manager])
        else:
            assert not teams, group
    # The labels are right when a visible manager's respondents are those of the visible teams they lead.
    respondents = {
        (b, g): r
        for b, g, r in sql(
            db,
            "SELECT breakdown, group_value, respondents FROM marts.employee_survey_dimension_wave "
            "WHERE wave = ? AND dimension = 'engagement'",
            [wave],
        )
    }
    checked = 0
    for group in groups:
        manager, _, teams = group.partition(" · ")
        # Without teams from the headcount mart, the team in the manager's label is the one they lead.
        counts = [respondents.get(("team", t)) for t in (teams or manager.split(", ", 1)[1]).split(", ")]
        if respondents[("manager", manager)] is not None and None not in counts:
            assert respondents[("manager", manager)] == sum(counts), group
            checked += 1
    assert checked


def test_an_older_wave_shows_its_own_cells(monkeypatch, db: Path):
    wave = waves(db)[-1]
    at = open_page(monkeypatch, db)
    at.selectbox(key="employee_wave").set_value(wave)
    rerun(at)
    assert_shows(metric(at, "eNPS").value, sql_enps(db, wave))
    assert not metric(at, "eNPS").proto.delta, "the first wave has nothing to compare with"
    table = survey_table(at).set_index(["group", "column"])
    for team, dimension, suppressed, reason, *_, pct, _mean in sql_cells(db, wave, "team"):
        expected = f"suppressed ({code(reason)})" if suppressed else f"{pct:.1f}"
        assert table.loc[(team, DIMENSION_LABELS[dimension]), "favourable_pct"] == expected


# --- manager indicators --------------------------------------------------------------------------------------
def test_manager_indicators_equal_the_mart(page, db: Path):
    wave = waves(db)[0]
    table = indicator_table(page)
    table = table.assign(manager=table["group"].str.split(" · ").str[0]).set_index(["manager", "column"])
    rows = sql(
        db,
        "SELECT group_value, question_id, suppressed, suppression_reason, score_sum / answers, "
        "100.0 * favourable_answers / answers FROM marts.employee_manager_empathy_wave "
        "WHERE wave = ? AND breakdown = 'manager'",
        [wave],
    )
    assert rows
    for manager, question, suppressed, reason, mean, favourable in rows:
        shown = table.loc[(manager, employee_kpis.INDICATOR_LABELS[question])]
        if suppressed:
            assert shown["mean_score"] == "suppressed"
            assert shown["favourable_pct"] == f"suppressed ({code(reason)})"
        else:
            assert shown["mean_score"] == f"{mean:.2f}"
            assert shown["favourable_pct"] == f"{favourable:.1f}"


# --- trends --------------------------------------------------------------------------------------------------
def test_trend_table_equals_sql_for_every_month_of_the_period(page, db: Path):
    table = next(d.value for d in page.dataframe if "turnover_pct" in d.value.columns)
    expected = {
        month: (turnover, absence, eap)
        for month, turnover, absence, eap in sql(
            db,
            "SELECT h.month, 100.0 * sum(h.separations) / nullif(sum(h.avg_headcount), 0), "
            "(SELECT 100.0 * sum(employees_absent) / sum(employees) FROM marts.employee_absence_monthly a "
            " WHERE a.month = h.month), "
            "(SELECT 100.0 * sum(eap_users) / sum(employees) FROM marts.employee_eap_monthly e "
            " WHERE e.month = h.month) FROM marts.employee_headcount_monthly h GROUP BY h.month",
        )
    }
    end = default_month(db)
    start = max(min(expected), (pd.Timestamp(end) - pd.DateOffset(months=11)).date())
    assert sorted(pd.Timestamp(m).date() for m in table["month"]) == sorted(m for m in expected if start <= m <= end)
    for row in table.itertuples():
        turnover, absence, eap = expected[pd.Timestamp(row.month).date()]
        # The table holds text, two decimals ("None" never shows for a missing number).
        assert float(row.turnover_pct) == pytest.approx(turnover, abs=0.0051)
        assert float(row.absence_rate_pct) == pytest.approx(absence, abs=0.0051)
        # A month whose EAP counts are withheld (too few users) has no rate, never 0.
        if eap is None:
            assert row.eap_utilisation_pct == row.eap_users == "withheld"
        else:
            assert float(row.eap_utilisation_pct) == pytest.approx(eap, abs=0.0051)
    assert not (table == "None").any().any()


def test_definitions_are_at_the_bottom(page):
    expander = page.expander[-1]
    assert "KPI definitions" in expander.label
    text = " ".join(m.value for m in expander.markdown)
    for phrase in ("**eNPS**", "**% favourable**", "**Turnover %**", "**Absence rate %**", "**EAP utilisation %**"):
        assert phrase in text
    assert "**n < 5** or **protects a hidden group**" in text


# --- sparse or damaged publications --------------------------------------------------------------------------
def test_a_suppressed_org_shows_suppressed_on_its_card_not_a_number(tmp_path, monkeypatch, db: Path):
    tables = employee_tables(db)
    enps = tables["marts.employee_enps_wave"]
    latest = (enps["wave"] == waves(db)[0]) & (enps["breakdown"] == "org")
    enps.loc[latest, ["responses", "promoters", "passives", "detractors", "enps"]] = None
    enps.loc[latest, ["suppressed", "suppression_reason"]] = [True, "fewer than 5 respondents"]
    at = open_page(monkeypatch, write_serving_db(tmp_path / "org_hidden.duckdb", tables))
    card = metric(at, "eNPS")
    assert card.value == "suppressed"
    assert "Fewer than 5 people answered" in card.help


@pytest.mark.parametrize("mode", ["missing", "empty"])
def test_the_page_works_without_employee_marts(tmp_path, monkeypatch, db: Path, mode):
    tables = {k: v for k, v in employee_tables(db).items() if k not in EMPLOYEE_MARTS}
    omit = EMPLOYEE_MARTS if mode == "missing" else []
    at = open_page(monkeypatch, write_serving_db(tmp_path / f"{mode}.duckdb", tables, omit=omit))
    if mode == "missing":
        assert "This publication has nothing for survey dimensions" in " ".join(w.value for w in at.warning)
    assert "nothing to show" in " ".join(i.value for i in at.info)
    assert not at.metric


def test_one_missing_survey_mart_leaves_the_rest_working(tmp_path, monkeypatch, db: Path):
    missing = "marts.employee_survey_dimension_wave"
    tables = {k: v for k, v in employee_tables(db).items() if k != missing}
    at = open_page(monkeypatch, write_serving_db(tmp_path / "no_dimensions.duckdb", tables, omit=[missing]))
    assert "This publication has nothing for survey dimensions" in " ".join(w.value for w in at.warning)
    assert metric(at, "Engagement % fav.").value == NO_DATA
    assert_shows(metric(at, "eNPS").value, sql_enps(db, waves(db)[0]))
    month = default_month(db)
    assert_shows(metric(at, "Turnover %").value, sql_monthly(db, "Turnover %", month))
    assert "No survey dimensions published" in " ".join(i.value for i in at.info)


def test_empty_monthly_marts_show_no_data_on_their_cards(tmp_path, monkeypatch, db: Path):
    emptied = {"marts.employee_headcount_monthly", "marts.employee_absence_monthly", "marts.employee_eap_monthly"}
    tables = {k: v for k, v in employee_tables(db).items() if k not in emptied}
    at = open_page(monkeypatch, write_serving_db(tmp_path / "no_months.duckdb", tables))
    for label in MONTHLY_CARDS:
        assert metric(at, label).value == NO_DATA
    assert_shows(metric(at, "eNPS").value, sql_enps(db, waves(db)[0]))
    assert "No workforce months published" in " ".join(i.value for i in at.info)


# --- pure arithmetic ------------------------------------------------------------------------------------------
def test_cell_text_never_turns_suppression_into_a_number():
    assert employee_kpis.cell_text(True, "fewer than 5 respondents", None) == "suppressed (n < 5)"
    assert employee_kpis.cell_text(True, "complementary: protects a suppressed group", 12.0) == (
        "suppressed (protects a hidden group)"
    )
    assert employee_kpis.cell_text(False, None, None) == NO_DATA
    assert employee_kpis.cell_text(False, None, 0.0) == "0.0"


def test_reason_codes_follow_the_configured_threshold():
    assert employee_kpis.reason_code("fewer than 7 respondents") == "n < 7"
    assert "Fewer than 7 people" in employee_kpis.reason_text("fewer than 7 respondents")
    assert "subtraction" in employee_kpis.reason_text("complementary: protects a suppressed group")


def _survey_rows() -> pd.DataFrame:
    base = {"wave": "W1", "wave_month": pd.Timestamp("2024-03-01")}
    rows = [
        {**base, "breakdown": "org", "group_value": "All", "dimension": "engagement", "suppressed": False,
         "suppression_reason": None, "respondents": 12, "answers": 24, "score_sum": 80.0, "favourable_answers": 18},
        {**base, "breakdown": "team", "group_value": "A", "dimension": "engagement", "suppressed": False,
         "suppression_reason": None, "respondents": 6, "answers": 12, "score_sum": 30.0, "favourable_answers": 0},
        {**base, "breakdown": "team", "group_value": "B", "dimension": "engagement", "suppressed": True,
         "suppression_reason": "fewer than 5 respondents", "respondents": None, "answers": None, "score_sum": None,
         "favourable_answers": None},
        {**base, "breakdown": "team", "group_value": "A", "dimension": "wellbeing", "suppressed": False,
         "suppression_reason": None, "respondents": 6, "answers": 6, "score_sum": 24.0, "favourable_answers": 3},
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_survey_cells_keep_suppression_zero_and_no_data_apart():
    cells = employee_kpis.dimension_cells(_survey_rows(), "W1", "team").set_index(["group_value", "key"])
    assert cells.loc[("A", "engagement"), "text"] == "0.0"  # a real 0 % is a number
    assert cells.loc[("B", "engagement"), "status"] == "suppressed"
    assert pd.isna(cells.loc[("B", "engagement"), "value"])
    assert cells.loc[("B", "engagement"), "label"] == "suppressed\nn < 5"
    assert cells.loc[("B", "wellbeing"), "status"] == "no data"  # the mart has no row: a dash, not a 0
    assert cells.loc[("B", "wellbeing"), "text"] == NO_DATA
    assert cells.loc[("All", "engagement"), "group"] == "Whole organisation"
    assert cells.loc[("All", "engagement"), "favourable_pct"] == 75.0
    table = employee_kpis.cells_table(cells.reset_index())
    assert (table.map(lambda v: isinstance(v, str) and v != "")).all().all()


def test_org_figures_recompute_from_counts_and_respect_suppression():
    rows = _survey_rows()
    assert employee_kpis.org_favourable(rows, "W1", "engagement").value == 75.0
    assert employee_kpis.org_favourable(rows, "W0", "engagement").value is None
    enps = pd.DataFrame(
        {
            "wave": ["W1", "W2"],
            "wave_month": pd.to_datetime(["2024-03-01", "2024-06-01"]),
            "breakdown": ["org", "org"],
            "group_value": ["All", "All"],
            "suppressed": [False, True],
            "suppression_reason": [None, "fewer than 5 respondents"],
            "responses": [5, None],
            "promoters": [2, None],
            "passives": [2, None],
            "detractors": [1, None],
        }
    )
    assert employee_kpis.org_enps(enps, "W1").value == 20.0
    hidden = employee_kpis.org_enps(enps, "W2")
    assert hidden.suppressed and hidden.value is None


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


def test_manager_teams_pick_the_most_frequent_manager_of_each_team():
    headcount = pd.DataFrame(
        {
            "month": pd.to_datetime(["2024-01-01"] * 4 + ["2024-02-01"]),
            "team": ["A", "A", "B", "C", "C"],
            "manager_id": ["m1", "m2", "m1", "Unknown", "m2"],
            "headcount_start": [3, 1, 2, 5, 0],
            "hires": [0, 1, 0, 0, 1],
        }
    )
    assert employee_kpis.manager_teams(headcount) == {"m1": ["A", "B"], "m2": ["C"]}


def test_long_heatmap_headers_wrap_at_spaces():
    assert employee_charts.wrap("Responsiveness to needs") == ["Responsiveness", "to needs"]
    assert employee_charts.wrap("Engagement") == ["Engagement"]


# --- plain words, honest numbers and the marts the page used to hide (issue 14) -----------------------------
def page_text(at) -> str:
    """Everything a person reads on the page, but the tables and charts."""
    parts = [e.value for kind in ("header", "markdown", "caption", "info", "warning") for e in at.get(kind)]
    parts += [m.label + " " + m.value + " " + (m.proto.delta or "") for m in at.metric]
    parts += [o for s in at.selectbox for o in s.options]
    return "\n".join(parts)


def workforce_month(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Workforce · ")).strip("*").split(" · ")[1]


def test_waves_are_named_by_their_month_and_never_by_their_id(page, db: Path):
    options = page.selectbox(key="employee_wave").options
    months = dict(sql(db, "SELECT wave, min(wave_month) FROM marts.employee_survey_dimension_wave GROUP BY wave"))
    assert sorted(options) == sorted(f"Survey of {m:%b %Y}" for m in months.values())
    text = page_text(page)
    assert not [w for w in months if w in text], "a wave id is on the page"
    assert f"% favourable by team · Survey of {months[waves(db)[0]]:%b %Y}" in text
    names = employee_kpis.wave_names(
        {
            "ibm-hr-2017-12-31": pd.Timestamp("2017-12-01"),
            "b": pd.Timestamp("2024-03-01"),
            "a": pd.Timestamp("2024-03-01"),
        }
    )
    assert names == {
        "ibm-hr-2017-12-31": "Survey of Dec 2017",
        "a": "Survey of Mar 2024 (1)",
        "b": "Survey of Mar 2024 (2)",
    }


def test_choosing_a_wave_moves_the_workforce_cards_to_its_month(monkeypatch, db: Path):
    wave = waves(db)[-1]
    wave_month = sql(db, "SELECT min(wave_month) FROM marts.employee_enps_wave WHERE wave = ?", [wave])[0][0]
    at = open_page(monkeypatch, db)
    assert workforce_month(at) == f"{default_month(db):%b %Y}"
    at.selectbox(key="employee_wave").set_value(wave)
    rerun(at)
    assert workforce_month(at) == f"{wave_month:%b %Y}"
    for label in MONTHLY_CARDS:
        assert_shows(metric(at, label).value, sql_monthly(db, label, wave_month))
    start, end = at.select_slider[0].value
    assert pd.Timestamp(end).date() == wave_month and pd.Timestamp(start) <= pd.Timestamp(end)


def test_absence_and_eap_without_records_read_no_data_not_zero(tmp_path, monkeypatch, db: Path):
    tables = employee_tables(db)
    absence, eap = tables["marts.employee_absence_monthly"], tables["marts.employee_eap_monthly"]
    absence[["employees_absent", "absence_spells", "absence_hours", "absence_rate_pct", "lost_worktime_pct"]] = 0
    eap[["eap_uses", "eap_users", "eap_utilisation_pct"]] = 0
    eap["suppression_reason"] = None
    at = open_page(monkeypatch, write_serving_db(tmp_path / "no_absence.duckdb", tables))
    for label, what in (("Absence rate %", "absence records"), ("EAP utilisation %", "EAP records")):
        assert metric(at, label).value == NO_DATA, label
        assert f"No data: no {what} were loaded, so this is not a 0." in page_text(at)
    table = next(d.value for d in at.dataframe if "absence_rate_pct" in d.value.columns)
    assert (table["absence_rate_pct"] == NO_DATA).all() and (table["eap_utilisation_pct"] == NO_DATA).all()
    assert_shows(metric(at, "Turnover %").value, sql_monthly(db, "Turnover %", default_month(db)))


def test_a_month_without_absence_after_records_began_is_a_real_zero(tmp_path, monkeypatch, db: Path):
    tables = employee_tables(db)
    absence = tables["marts.employee_absence_monthly"]
    latest = pd.to_datetime(absence["month"]) == pd.Timestamp(default_month(db))
    absence.loc[latest, ["employees_absent", "absence_spells", "absence_hours"]] = 0
    at = open_page(monkeypatch, write_serving_db(tmp_path / "real_zero.duckdb", tables))
    assert metric(at, "Absence rate %").value == "0.0%"


def test_a_card_resting_on_few_answers_says_so(tmp_path, monkeypatch, db: Path):
    tables = employee_tables(db)
    enps = tables["marts.employee_enps_wave"]
    latest = (enps["wave"] == waves(db)[0]) & (enps["breakdown"] == "org")
    enps.loc[latest, ["responses", "promoters", "passives", "detractors"]] = [12, 6, 4, 2]
    at = open_page(monkeypatch, write_serving_db(tmp_path / "few.duckdb", tables))
    assert metric(at, "eNPS").value == "33.3"
    assert any("Few answers (12 of the 30 needed" in c.value for c in at.caption)


def test_turnover_cost_recognition_and_responsiveness_equal_sql(page, db: Path):
    month = default_month(db)
    cost = sql(
        db, "SELECT coalesce(sum(turnover_cost), 0) FROM marts.employee_turnover_cost_monthly WHERE month = ?", [month]
    )
    shown = metric(page, "Turnover cost").value
    assert shown.startswith("£") and float(shown[1:].replace(",", "")) == pytest.approx(cost[0][0], abs=0.5)
    assert "recruiting + onboarding + lost-productivity" in metric(page, "Turnover cost").help
    recognised, per_employee = sql(
        db,
        "SELECT 100.0 * sum(recognised_employees) / sum(employees), sum(recognitions) / sum(employees) "
        "FROM marts.employee_recognition_monthly WHERE month = ?",
        [month],
    )[0]
    assert_shows(metric(page, "Recognised %").value, recognised)
    assert_shows(metric(page, "Recognitions per employee").value, per_employee)
    answered, hours = sql(
        db,
        "SELECT 100.0 * sum(answered_requests) / sum(requests), sum(hours_to_answer_sum) / sum(answered_requests) "
        "FROM marts.employee_internal_responsiveness_monthly WHERE month = ?",
        [month],
    )[0]
    assert_shows(metric(page, "Requests answered %").value, answered)
    assert_shows(metric(page, "Mean hours to answer").value, hours)
    text = page_text(page)
    assert "These are estimates your business sets per job level" in " ".join(c.value for c in page.caption)
    # No raw code or None on screen (the definitions at the bottom name the marts for analysts, in markdown).
    assert "None" not in text and "_" not in "\n".join(e.value for k in ("header", "caption") for e in page.get(k))


def test_a_team_manager_sees_only_their_team_and_no_organisation_figures(monkeypatch, db: Path):
    from tests.dashboard_login import TEAM
    from tests.test_dashboard_apptest import run_app

    at = rerun(run_app(monkeypatch, db, "team-manager").switch_page(PAGE))
    infos = " ".join(i.value for i in at.info)
    assert "Turnover cost is counted for the whole organisation only" in infos
    assert "Internal responsiveness is counted for the whole organisation only" in infos
    assert not [m for m in at.metric if m.label in ("Turnover cost", "Requests answered %")]
    end = max(
        pd.Timestamp(m)
        for (m,) in sql(db, "SELECT DISTINCT month FROM marts.employee_headcount_monthly WHERE team = ?", [TEAM])
    )
    expected = sql(
        db,
        "SELECT 100.0 * sum(recognised_employees) / sum(employees) FROM marts.employee_recognition_monthly "
        "WHERE team = ? AND month = ?",
        [TEAM, end.date()],
    )[0][0]
    assert_shows(metric(at, "Recognised %").value, expected)


def biggest_team(db: Path, month: dt.date, but: str | None = None) -> str:
    """The team with the most people in `month` (other than `but`) whose turnover differs from the whole's."""
    whole = sql_monthly(db, "Turnover %", month)
    rows = sql(
        db,
        "SELECT team FROM marts.employee_headcount_monthly WHERE month = ? AND team IS DISTINCT FROM ? "
        "GROUP BY team ORDER BY sum(avg_headcount) DESC, team",
        [month, but],
    )
    return next(t for (t,) in rows if sql_monthly(db, "Turnover %", month, t) != whole)


def open_with_team(monkeypatch, db: Path, user: str, team: str):
    """The page opened by a link naming `team` (?team=..., as This week's team movers and league link)."""
    from tests.test_dashboard_apptest import run_app

    at = run_app(monkeypatch, db, user)
    at.query_params["team"] = [team]
    return rerun(at.switch_page(PAGE))


def test_a_link_naming_a_team_opens_the_page_filtered_to_it(monkeypatch, db: Path):
    """?team=T: the team filter starts at T, the turnover and absence cards are T's (SQL over T's rows), and the
    team breakdown of the survey shows the whole organisation and T only; an unknown team is ignored."""
    month = default_month(db)
    team = biggest_team(db, month)
    at = open_with_team(monkeypatch, db, "owner", team)
    assert at.multiselect(key="employee_teams").value == [team]
    for label in ("Turnover %", "Absence rate %"):
        assert_shows(metric(at, label).value, sql_monthly(db, label, month, team))
    assert set(survey_table(at)["group"]) == {employee_kpis.ORG_LABEL, group_label("team", team)}
    assert team in page_text(at)

    at = open_with_team(monkeypatch, db, "owner", "Atlantis")
    assert at.multiselect(key="employee_teams").value == []
    assert_shows(metric(at, "Turnover %").value, sql_monthly(db, "Turnover %", month))


def test_a_team_manager_cannot_widen_their_scope_by_a_link(monkeypatch, db: Path):
    """A team manager opening ?team=<another team> still reads only their own team: the filter offers their team
    alone and ignores the link, and the turnover card is their team's."""
    from tests.dashboard_login import TEAM

    end = max(
        pd.Timestamp(m)
        for (m,) in sql(db, "SELECT DISTINCT month FROM marts.employee_headcount_monthly WHERE team = ?", [TEAM])
    ).date()
    other = biggest_team(db, end, but=TEAM)
    at = open_with_team(monkeypatch, db, "team-manager", other)
    teams = at.multiselect(key="employee_teams")
    assert teams.options == [TEAM] and teams.value == []
    assert_shows(metric(at, "Turnover %").value, sql_monthly(db, "Turnover %", end, TEAM))
    assert other not in page_text(at)


def test_real_data_page_names_its_survey_and_says_no_data_for_absent_sources(monkeypatch, real_data_lake: BuiltLake):
    """The IBM HR export: one survey dated at its snapshot, no absence or EAP records, every leaver priced."""
    db = real_data_lake.settings.serving_db
    at = open_page(monkeypatch, db)
    assert at.selectbox(key="employee_wave").options == ["Survey of Dec 2017"]
    text = page_text(at)
    assert "ibm-hr" not in text
    for label, what in (("Absence rate %", "absence records"), ("EAP utilisation %", "EAP records")):
        assert metric(at, label).value == NO_DATA, label
        assert f"no {what} were loaded" in text
    cost = sql(db, "SELECT sum(turnover_cost) FROM marts.employee_turnover_cost_monthly WHERE month = '2017-12-01'")
    assert metric(at, "Turnover cost").value == f"£{cost[0][0]:,.0f}"
    assert workforce_month(at) == "Dec 2017"


def test_a_long_workforce_history_is_offered_whole_on_request(monkeypatch, real_data_lake: BuiltLake):
    """The IBM HR export's history reaches back to its earliest hire (decades): the period slider offers the latest
    36 months, and a switch under it, named in plain words with the first month, offers every month."""
    db = real_data_lake.settings.serving_db
    [(first, last)] = sql(
        db,
        "SELECT min(month), max(month) FROM (SELECT month FROM marts.employee_headcount_monthly UNION ALL "
        "SELECT month FROM marts.employee_absence_monthly UNION ALL SELECT month FROM marts.employee_eap_monthly)",
    )
    at = open_page(monkeypatch, db)
    [slider] = at.select_slider
    assert len(slider.options) == employee_kpis.RECENT_MONTHS
    assert slider.options[-1] == f"{last:%b %Y}"
    switch = at.toggle(key="employee_all_months")
    assert switch.label == f"Show every month back to {first:%b %Y}"
    switch.set_value(True)
    rerun(at)
    [slider] = at.select_slider
    assert slider.options[0] == f"{first:%b %Y}" and slider.options[-1] == f"{last:%b %Y}"
    assert len(slider.options) == (last.year - first.year) * 12 + last.month - first.month + 1


def test_months_before_a_source_began_are_no_data_and_later_zeros_are_real():
    months = pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])
    trend = pd.DataFrame({"month": months, "absence_rate_pct": [0.0, 0.0, 2.0]})
    began = employee_kpis.blank_before(trend, pd.Timestamp("2024-02-01"), ["absence_rate_pct"])
    assert pd.isna(began.loc[0, "absence_rate_pct"]) and began.loc[1, "absence_rate_pct"] == 0.0
    assert employee_kpis.blank_before(trend, None, ["absence_rate_pct"])["absence_rate_pct"].isna().all()
    assert employee_kpis.no_source_text("absence records", None, months[2]).startswith("No data: no absence")
    assert "of Feb 2024" in employee_kpis.no_source_text("absence records", months[1], months[0])
    assert employee_kpis.no_source_text("absence records", months[1], months[2]) is None
    assert employee_kpis.as_text([1234.5, None, float("nan")], 1) == ["1,234.5", NO_DATA, NO_DATA]
    assert employee_kpis.job_level_text("2") == "Job level 2" and employee_kpis.job_level_text("IC1") == "IC1"
    every = list(pd.date_range("1977-12-01", "2017-12-01", freq="MS"))
    assert employee_kpis.latest_months(every, 36)[0] == pd.Timestamp("2015-01-01")
    assert employee_kpis.period_ending(every, pd.Timestamp("2010-06-01")) == (
        pd.Timestamp("2009-07-01"),
        pd.Timestamp("2010-06-01"),
    )


def test_every_chart_is_valid_vega_lite(page):
    """The heatmap and trend charts are drawn without Altair's validation (charts.unvalidated): checked here."""
    specs = chart_specs(page)
    assert len(specs) >= 2
    assert [errors for spec in specs if (errors := vega_lite_errors(spec))] == []
