# ruff: noqa: E501 - one damage per line reads as a table; wrapping the SQL would hide the pattern
"""The impact marts' part of tests/test_gx_checks.py: their columns as dbt builds them
(dbt_project/models/marts/impact/*.sql), small consistent rows that pass every suite, and one damage per
expectation that must fail it. Kept apart like tests/brand_gx_cases.py."""

from __future__ import annotations

from tests.brand_gx_cases import _columns  # "name TYPE, ..." -> {name: TYPE}, one definition for the cases files

IMPACT_MART_COLUMNS = {
    "marts.initiative_effects": _columns(
        "initiative_id VARCHAR, initiative_name VARCHAR, unit_type VARCHAR, kpi VARCHAR, method VARCHAR, "
        "headline BOOLEAN, estimate DOUBLE, std_error DOUBLE, ci_low DOUBLE, ci_high DOUBLE, p_value DOUBLE, "
        "inference VARCHAR, treated_units INTEGER, control_units INTEGER, control_group VARCHAR, pre_start DATE, "
        "pre_end DATE, post_start DATE, post_end DATE, n_obs INTEGER, n_treated_obs INTEGER, n_control_obs INTEGER, "
        "pretrend_p_value DOUBLE, pretrend_differs BOOLEAN, higher_is_better BOOLEAN, note VARCHAR"
    ),
    "marts.initiative_event_study": _columns(
        "initiative_id VARCHAR, kpi VARCHAR, unit_type VARCHAR, relative_month INTEGER, estimate DOUBLE, "
        "ci_low DOUBLE, ci_high DOUBLE, n_obs INTEGER, is_pre BOOLEAN"
    ),
}

# A DiD estimate with its interval, a staggered row that could not be estimated (NULL estimate and a note).
IMPACT_GOOD_ROWS = [
    """INSERT INTO marts.initiative_effects VALUES
       ('EMP-TRAIN-1', 'Empathy training', 'location', 'csat_pct', 'did', true, 9.8, 2.9, 4.1, 15.5, 0.004,
        'wild_cluster_bootstrap', 3, 4, 'never_treated', DATE '2024-01-01', DATE '2024-12-01', DATE '2025-01-01',
        DATE '2025-12-01', 168, 72, 96, 0.41, false, true, NULL),
       ('EMP-TRAIN-1', 'Empathy training', 'location', 'csat_pct', 'staggered', false, NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, NULL, 'never_treated', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0.41, false, true,
        'All treated units started in the same month, so the difference-in-differences row is the estimate.')""",
    """INSERT INTO marts.initiative_event_study VALUES
       ('EMP-TRAIN-1', 'csat_pct', 'location', -2, 0.5, -3.0, 4.0, 3, true),
       ('EMP-TRAIN-1', 'csat_pct', 'location', -1, 0.0, 0.0, 0.0, 3, true),
       ('EMP-TRAIN-1', 'csat_pct', 'location', 0, 9.0, 2.0, 16.0, 3, false)""",
]

IMPACT_BAD_CASES = [
    (
        "marts_initiative_effects",
        "UPDATE marts.initiative_effects SET ci_low = 10.0 WHERE method = 'did'",
        ("expect_column_values_to_be_between", "ci_width_below"),
    ),
    (
        "marts_initiative_effects",
        "UPDATE marts.initiative_effects SET ci_high = 9.0 WHERE method = 'did'",
        ("expect_column_values_to_be_between", "ci_width_above"),
    ),
    (
        "marts_initiative_effects",
        "UPDATE marts.initiative_effects SET treated_units = 0 WHERE method = 'did'",
        ("expect_column_values_to_be_between", "estimated_treated_units"),
    ),
    (
        "marts_initiative_effects",
        "UPDATE marts.initiative_effects SET n_obs = 170 WHERE method = 'did'",
        ("expect_column_values_to_be_between", "obs_split_error"),
    ),
    (
        "marts_initiative_effects",
        "UPDATE marts.initiative_effects SET pretrend_p_value = 0.01 WHERE method = 'did'",
        ("expect_column_values_to_be_between", "pretrend_verdict_error"),
    ),
    (
        "marts_initiative_event_study",
        "UPDATE marts.initiative_event_study SET n_obs = 0 WHERE relative_month = 0",
        ("expect_column_values_to_be_between", "n_obs"),
    ),
    (
        "marts_initiative_event_study",
        "UPDATE marts.initiative_event_study SET ci_low = 10.0 WHERE relative_month = 0",
        ("expect_column_values_to_be_between", "ci_width_below"),
    ),
    (
        "marts_initiative_event_study",
        "UPDATE marts.initiative_event_study SET ci_high = 1.0 WHERE relative_month = 0",
        ("expect_column_values_to_be_between", "ci_width_above"),
    ),
    (
        "marts_initiative_event_study",
        "UPDATE marts.initiative_event_study SET is_pre = true WHERE relative_month = 0",
        ("expect_column_values_to_be_between", "pre_flag_error"),
    ),
]
