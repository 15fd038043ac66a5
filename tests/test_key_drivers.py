"""Key drivers and the service-profit chain (dagster_project/impact/drivers.py and chain.py, and the sentence
of streamlit_app/drivers_text.py): planted structure on seeded synthetic survey answers, the publication rules,
the sentence; then the marts of the session lake built by the real pipeline."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.regression.linear_model import OLS
from statsmodels.tools.tools import add_constant

from dagster_project.impact import chain, drivers
from streamlit_app.drivers_text import biggest_lever

DIMENSIONS = {
    "engagement": ["eng_a", "eng_b"],
    "wellbeing": ["wb_a", "wb_b"],
    "manager_empathy": ["mgr_a", "mgr_b", "mgr_c"],
    "enps": ["enps"],
}


def survey(seed: int = 3, people: int = 240, waves: int = 2, poor_team: str = "Support") -> pd.DataFrame:
    """Answers like int_employee_survey_answers: a person effect shared by every item, and one team whose manager
    scores 1 point lower on manager empathy and 0.5 lower on engagement (the demo's planted poor manager)."""
    rng = np.random.default_rng(seed)
    teams = np.array([poor_team, "Sales", "IT", "Store A"])[rng.integers(0, 4, people)]
    rows = []
    for wave in range(waves):
        person = rng.normal(0, 0.5, people)
        poor = teams == poor_team
        for dimension, items in DIMENSIONS.items():
            shift = np.where(poor, {"manager_empathy": -1.0, "engagement": -0.5}.get(dimension, 0.0), 0.0)
            for item in items:
                score = 3.7 + person + shift + rng.normal(0, 0.7, people)
                score = (
                    np.clip(np.round((score - 1) * 2.5), 0, 10)
                    if dimension == "enps"
                    else np.clip(np.round(score), 1, 5)
                )
                rows.append(
                    pd.DataFrame(
                        {
                            "respondent_id": [f"p{i}" for i in range(people)],
                            "wave": f"W{wave}",
                            "team": teams,
                            "dimension": dimension,
                            "question_id": item,
                            "scored": score,
                        }
                    )
                )
    return pd.concat(rows, ignore_index=True)


def published(answers: pd.DataFrame, teams=None) -> pd.DataFrame:
    cells = answers[["wave", "dimension", "team"]].drop_duplicates()
    return cells if teams is None else cells[cells["team"].isin(teams)]


def test_shapley_shares_add_up_to_the_full_models_r2():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 3))
    x[:, 1] += 0.5 * x[:, 0]  # correlated drivers share credit
    y = 1.0 * x[:, 0] + 0.3 * x[:, 2] + rng.normal(size=300)
    shares = drivers.shapley_r2(y, x)
    full = drivers._r2(y, x)
    assert shares.sum() == pytest.approx(full)
    assert shares[0] > shares[2] > 0


def test_the_planted_poor_manager_surfaces_as_the_top_driver_and_the_weakest_team():
    answers = survey()
    rows = pd.DataFrame(drivers.employee_drivers(answers, published(answers), threshold=5))
    engagement = rows[(rows["outcome"] == "engagement") & (rows["driver_type"] == "survey_dimension")]
    top = engagement.sort_values("rank").iloc[0]
    assert top["driver"] == "manager_empathy"
    assert top["ci_low"] <= top["importance"] <= top["ci_high"] and top["ci_low"] > 0
    teams = rows[(rows["outcome"] == "engagement") & (rows["driver_type"] == "team")].sort_values("rank")
    weakest = teams.iloc[0]
    assert weakest["driver"] == "Support"
    assert weakest["ci_low"] < -1.0 + 0.35 and weakest["ci_high"] < 0  # planted −1.0 (others sit above it)
    # Items of the outcome's own dimension are never its drivers.
    items = rows[(rows["outcome"] == "engagement") & (rows["driver_type"] == "survey_item")]["driver"]
    assert not set(items) & {"eng_a", "eng_b", "enps"}
    assert set(rows["n"]) and rows["n"].min() >= 5


def test_team_rows_only_for_published_teams_of_enough_respondents():
    answers = survey()
    rows = pd.DataFrame(drivers.employee_drivers(answers, published(answers, ["Sales", "IT"]), threshold=5))
    assert set(rows.loc[rows["driver_type"] == "team", "driver"]) == {"Sales", "IT"}
    # A team cell published in one wave only: the team's respondents of that wave alone.
    one_wave = published(answers)
    one_wave = one_wave[(one_wave["team"] != "Sales") | (one_wave["wave"] == "W0")]
    rows = pd.DataFrame(drivers.employee_drivers(answers, one_wave, threshold=5))
    sales = rows[(rows["driver_type"] == "team") & (rows["driver"] == "Sales")]["n"].unique()
    assert (
        len(sales) == 1
        and sales[0] == answers[(answers["team"] == "Sales") & (answers["wave"] == "W0")]["respondent_id"].nunique()
    )
    # Too few respondents anywhere: nothing at all leaves the warehouse.
    small = answers[answers["respondent_id"].isin(["p0", "p1", "p2", "p3"])]
    assert drivers.employee_drivers(small, published(small), threshold=5) == []


def test_customer_drivers_find_a_planted_touchpoint_and_theme():
    rng = np.random.default_rng(5)
    n = 3000
    touchpoint = np.array(["store", "web", "delivery"])[rng.integers(0, 3, n)]
    channel = np.array(["web", "store"])[rng.integers(0, 2, n)]
    waiting = rng.random(n) < 0.2
    score = np.clip(np.round(7.5 + rng.normal(0, 1.5, n) - 2.5 * (touchpoint == "delivery") - 3 * waiting), 0, 10)
    themes = pd.Series([["waiting"] if w else ([] if rng.random() < 0.5 else None) for w in waiting], dtype=object)
    themes = themes.where(themes.notna(), None)
    rows = pd.DataFrame(
        drivers.nps_drivers(
            pd.DataFrame({"score": score, "touchpoint": touchpoint, "channel": channel, "themes": themes}), 9, 6
        )
    )
    touch = rows[rows["driver_type"] == "touchpoint"].set_index("driver")
    assert touch.loc["delivery", "importance"] < 0 and touch.loc["delivery", "ci_high"] < 0
    assert touch.loc["delivery", "rank"] == 1
    theme = rows[rows["driver_type"] == "detractor_theme"].set_index("driver")
    assert theme.loc["waiting", "ci_high"] < 0
    # The larger planted drop (delivery, 2.5 points on a 0-10 answer) is the biggest lever.
    assert "delivery touchpoint score" in biggest_lever(drivers.key_drivers(rows.to_dict("records")), "nps")


def customers_and_answers(seed: int = 8, n: int = 4000) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-customer and per-answer frames as key_drivers.py reads them, with planted effects and a few NULLs."""
    rng = np.random.default_rng(seed)
    pick = lambda values, p=None: np.array(values, dtype=object)[rng.choice(len(values), n, p=p)]  # noqa: E731
    lists = lambda values: [sorted(set(pick(values)[: rng.integers(0, 3)])) or None for _ in range(n)]  # noqa: E731
    touchpoints, themes = lists(["store", "web", "delivery"]), lists(["waiting", "price", "staff"])
    lost = rng.random(n) < 0.15 + 0.2 * np.array([t is not None and "delivery" in t for t in touchpoints])
    customers = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n)],
            "is_lost": lost,
            "segment": pick(["Retail", "Business", None], [0.6, 0.38, 0.02]),
            "channel": pick(["web", "store", "referral"]),
            "negative_touchpoints": touchpoints,
            "themes": themes,
        }
    )
    answers = pd.DataFrame(
        {
            "score": rng.integers(0, 11, n).astype(float),
            "touchpoint": pick(["store", "web", "delivery", None], [0.3, 0.3, 0.38, 0.02]),
            "channel": pick(["web", "store", "app"]),
            "themes": [t if rng.random() < 0.7 else None for t in themes],
        }
    )
    return customers, answers


def test_counted_rows_give_every_rows_estimates_cis_and_n():
    """D657: the NPS and churn drivers fitted on counted distinct rows (frequency weights, as key_drivers.py reads
    them) equal the same drivers on one row per answer or customer, to 1e-9; the counts are far fewer rows."""
    customers, answers = customers_and_answers()
    with duckdb.connect() as con:
        churn_rel = con.from_df(customers).project("is_lost, segment, channel, negative_touchpoints, themes")
        churn_counted = drivers.counted(churn_rel, "is_lost, segment, channel, negative_touchpoints, themes").df()
        nps_counted = drivers.counted(con.from_df(answers), "score, touchpoint, channel, themes").df()
    assert len(churn_counted) < len(customers) / 5 and churn_counted[drivers.ROWS].sum() == len(customers)
    assert len(nps_counted) < len(answers) / 5 and nps_counted[drivers.ROWS].sum() == len(answers)
    for every_row, counted in [
        (drivers.churn_drivers(customers), drivers.churn_drivers(churn_counted)),
        (drivers.nps_drivers(answers, 9, 6), drivers.nps_drivers(nps_counted, 9, 6)),
    ]:
        want, got = pd.DataFrame(every_row), pd.DataFrame(counted)
        assert len(want) >= 8 and set(want["driver_type"]) >= {"touchpoint", "channel", "detractor_theme"}
        pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9, atol=1e-12)


def test_a_counted_fit_is_ols_with_hc1_on_every_row():
    """The weighted fit against statsmodels' OLS with HC1 on the repeated rows: coefficients, errors and CIs."""
    rng = np.random.default_rng(2)
    x = add_constant(rng.integers(0, 2, (3000, 3)).astype(float))
    y = 100.0 * (rng.random(3000) < 0.2 + 0.1 * x[:, 1])
    rows, counts = np.unique(np.column_stack([y, x]), axis=0, return_counts=True)
    counted = drivers.ols_hc1(rows[:, 0], rows[:, 1:], counts.astype(float))
    every_row = OLS(y, x).fit(cov_type="HC1")
    assert len(rows) <= 16
    np.testing.assert_allclose(counted.params, every_row.params, rtol=1e-9)
    np.testing.assert_allclose(counted.bse, every_row.bse, rtol=1e-9)
    np.testing.assert_allclose(counted.conf_int(), every_row.conf_int(), rtol=1e-9)


def test_biggest_lever_sentences_are_plain_words():
    answers = survey()
    frame = drivers.key_drivers(drivers.employee_drivers(answers, published(answers), threshold=5))
    sentence = biggest_lever(frame, "engagement")
    assert sentence.startswith("Manager empathy is the biggest lever on engagement")
    assert "weakest in Support" in sentence and "95 % CI" in sentence
    # Well-being has no planted shift: its share's CI sits clearly below manager empathy's, so no "as strong".
    assert "about as strong" not in sentence
    close = frame.copy()
    close.loc[(close["outcome"] == "engagement") & (close["driver"] == "wellbeing"), "ci_high"] = 1.0
    assert "Well-being is about as strong" in biggest_lever(close, "engagement")
    assert "_" not in sentence and "None" not in sentence and "nan" not in sentence
    assert biggest_lever(frame, "churn") is None
    unclear = pd.DataFrame(
        [{"outcome": "churn", "driver_type": "channel", "driver": "web", "importance": 1.0, "ci_low": -1.0,
          "ci_high": 3.0, "rank": 1, "n": 100, "direction": 1, "method": "ols"}]
    )  # fmt: skip
    assert biggest_lever(unclear, "churn").startswith("No touchpoint, channel or comment theme clearly moves churn")
    # A real HR survey whose themes explain almost nothing (0.2 %) names no "biggest lever".
    flat = frame.copy()
    flat.loc[flat["outcome"] == "engagement", ["importance", "ci_low", "ci_high"]] = [0.002, 0.0, 0.004]
    assert biggest_lever(flat, "engagement").startswith(
        "None of the survey's themes explains a noticeable share of the differences in engagement"
    )


def test_chain_summary_correlation_with_its_ci_and_n():
    rng = np.random.default_rng(2)
    employee = rng.normal(3.6, 0.3, 40)
    points = pd.DataFrame(
        {
            "location": [f"L{i % 10}" for i in range(40)],
            "employee_measure": "engagement",
            "customer_kpi": "nps",
            "employee_value": employee,
            "customer_value": 20 + 30 * (employee - 3.6) + rng.normal(0, 5, 40),
        }
    )
    three = points.head(3).assign(customer_kpi="csat_pct")  # too few pairs for a CI
    summary = chain.chain_summary(pd.concat([points, three]))
    assert list(summary["customer_kpi"]) == ["nps"]
    row = summary.iloc[0]
    assert row["ci_low"] < row["correlation"] < row["ci_high"] and row["ci_low"] > 0
    assert row["n_pairs"] == 40 and row["n_locations"] == 10 and 0 <= row["p_value"] < 0.01
    assert row["method"] == "pearson_location_bootstrap"
    again = chain.chain_summary(pd.concat([points, three]))  # fixed seed: the same data, the same CI
    assert (again["ci_low"].iloc[0], again["ci_high"].iloc[0]) == (row["ci_low"], row["ci_high"])


def test_chain_ci_resamples_locations_not_pairs():
    """Finding 7 / D112: 4 locations x 7 waves whose values move together by location. Pairs from one location are
    not independent: the location bootstrap's CI is much wider than Fisher's z on 28 "independent" pairs."""
    rng = np.random.default_rng(5)
    shift = {"A": -1.0, "B": -0.3, "C": 0.4, "D": 0.9}
    local = {"A": 3.0, "B": -6.0, "C": 5.0, "D": -2.0}  # each location's own customer level, unrelated to staff
    points = pd.DataFrame(
        [
            {
                "location": loc,
                "employee_measure": "engagement",
                "customer_kpi": "nps",
                "employee_value": 3.6 + 0.3 * s + rng.normal(0, 0.05),
                "customer_value": 20 + 8 * s + local[loc] + rng.normal(0, 1),
            }
            for loc, s in shift.items()
            for _ in range(7)
        ]
    )
    row = chain.chain_summary(points).iloc[0]
    fisher = stats.pearsonr(points["employee_value"], points["customer_value"]).confidence_interval(0.95)
    assert row["n_pairs"] == 28 and row["n_locations"] == 4
    assert row["ci_high"] - row["ci_low"] > 1.5 * (fisher.high - fisher.low)


def test_chain_ci_is_never_narrower_than_fishers():
    """With 4 locations the bootstrap's percentiles can be too narrow (the test lake: engagement x churn 0.04 to
    0.19 against Fisher's -0.32 to 0.46); the published CI is the wider of the two."""
    rng = np.random.default_rng(9)
    points = pd.DataFrame(
        {
            "location": [f"L{i % 4}" for i in range(24)],
            "employee_measure": "engagement",
            "customer_kpi": "churn_rate",
            "employee_value": rng.normal(3.6, 0.3, 24),
            "customer_value": rng.normal(2.0, 0.5, 24),
        }
    )
    row = chain.chain_summary(points).iloc[0]
    fisher = stats.pearsonr(points["employee_value"], points["customer_value"]).confidence_interval(0.95)
    assert row["ci_low"] <= fisher.low and row["ci_high"] >= fisher.high


# ------------------------------------------------------------------------------------------ the session lake


def test_key_drivers_and_chain_marts_of_the_session_lake(built_lake):
    assert built_lake.success
    with duckdb.connect(str(built_lake.settings.serving_db), read_only=True) as con:
        rows = con.execute("select * from marts.key_drivers").df()
        threshold = con.execute("select min_respondents from marts.employee_survey_settings").fetchone()[0]
        published_teams = {
            r[0]
            for r in con.execute(
                "select distinct group_value from marts.employee_survey_dimension_wave "
                "where breakdown = 'team' and not suppressed"
            ).fetchall()
        }
        summary = con.execute("select * from marts.service_profit_chain_summary").df()
        points = con.execute("select * from marts.service_profit_chain").df()
    engagement = rows[(rows["outcome"] == "engagement") & (rows["driver_type"] == "survey_dimension")]
    assert engagement.sort_values("rank").iloc[0]["driver"] == "manager_empathy"
    survey_rows = rows[rows["driver_type"].isin(["survey_dimension", "survey_item", "team"])]
    assert survey_rows["n"].min() >= threshold
    assert set(rows.loc[rows["driver_type"] == "team", "driver"]) <= published_teams
    assert {"enps", "engagement", "nps", "churn"} <= set(rows["outcome"])
    assert (rows["ci_low"] <= rows["ci_high"]).all()
    assert len(points) and points["respondents"].min() >= threshold
    assert (summary["n_pairs"] >= 4).all() and len(summary)
