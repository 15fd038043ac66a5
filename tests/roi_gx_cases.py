"""The ROI, key-driver and service-profit-chain marts' part of tests/test_gx_checks.py: their columns as dbt
builds them (read from a real build), small consistent rows that pass their suites, and one damage per
expectation that must fail it. Kept apart like tests/employee_gx_cases.py."""

from __future__ import annotations

from tests.employee_gx_cases import _columns  # "name TYPE, ..." as {name: TYPE}, as every case file reads it

ROI_MART_COLUMNS = {
    "marts.initiative_roi": _columns(
        "initiative_id VARCHAR, initiative_name VARCHAR, component VARCHAR, kpi VARCHAR, cost DOUBLE, "
        "savings_low DOUBLE, savings_central DOUBLE, savings_high DOUBLE, roi_low DOUBLE, roi_central DOUBLE, "
        "roi_high DOUBLE, treated_units BIGINT, customers DOUBLE, revenue_per_customer_year DOUBLE, "
        "expected_lifespan_years DOUBLE, employees DOUBLE, tickets_per_month DOUBLE, minutes_per_ticket DOUBLE, "
        "gross_margin DOUBLE, cltv_horizon_years DOUBLE, effect_years DOUBLE, cost_per_leaver DOUBLE, "
        "cost_per_support_minute DOUBLE, kpis VARCHAR"
    ),
    "marts.key_drivers": _columns(
        "outcome VARCHAR, driver_type VARCHAR, driver VARCHAR, importance DOUBLE, ci_low DOUBLE, ci_high DOUBLE, "
        "rank BIGINT, n BIGINT, direction BIGINT, method VARCHAR"
    ),
    "marts.roi_assumptions": _columns(
        "assumption VARCHAR, label VARCHAR, value DOUBLE, low DOUBLE, high DOUBLE, unit VARCHAR, source VARCHAR"
    ),
    "marts.service_profit_chain": _columns(
        "location VARCHAR, wave VARCHAR, wave_month DATE, employee_measure VARCHAR, employee_value DOUBLE, "
        "respondents BIGINT, customer_kpi VARCHAR, customer_value DOUBLE, customer_n BIGINT, lag_months INTEGER"
    ),
    "marts.service_profit_chain_summary": _columns(
        "employee_measure VARCHAR, customer_kpi VARCHAR, correlation DOUBLE, ci_low DOUBLE, ci_high DOUBLE, "
        "n_pairs BIGINT, p_value DOUBLE, method VARCHAR, n_locations BIGINT"
    ),
}

# The survey threshold row comes from tests/employee_gx_cases.py (min_respondents 5).
ROI_GOOD_ROWS = [
    """INSERT INTO marts.initiative_roi (initiative_id, component, kpi, cost, savings_low, savings_central,
           savings_high, roi_low, roi_central, roi_high, treated_units) VALUES
       ('T', 'customers_kept', 'churn_rate', 45000, 10000, 30000, 50000, NULL, NULL, NULL, 6),
       ('T', 'employees_kept', NULL, 45000, NULL, NULL, NULL, NULL, NULL, NULL, 6),
       ('T', 'total', NULL, 45000, 10000, 30000, 50000, -0.7777777777777778, -0.3333333333333333,
        0.1111111111111111, 6)""",
    """INSERT INTO marts.key_drivers VALUES
       ('engagement', 'survey_dimension', 'manager_empathy', 0.26, 0.23, 0.29, 1, 1789, 1, 'shapley'),
       ('engagement', 'team', 'Customer Support', -0.97, -1.06, -0.88, 1, 152, -1, 'gap'),
       ('nps', 'touchpoint', 'store', 0.7, -4.2, 5.7, 1, 3, 1, 'ols')""",
    """INSERT INTO marts.roi_assumptions VALUES
       ('gross_margin', 'Gross margin', 0.4, 0.3, 0.5, 'share of revenue', 'var'),
       ('effect_years', 'Years the effect lasts', 1, 0.5, 2, 'years', 'seed')""",
    """INSERT INTO marts.service_profit_chain VALUES
       ('Leeds', '2025-Q1', DATE '2025-03-01', 'engagement', 3.6, 40, 'nps', 22.5, 120, 3),
       ('York', '2025-Q1', DATE '2025-03-01', 'engagement', 3.4, 12, 'churn_rate', 1.5, 300, 3)""",
    """INSERT INTO marts.service_profit_chain_summary VALUES
       ('engagement', 'nps', 0.35, 0.12, 0.55, 56, 0.001, 'pearson_location_bootstrap', 8)""",
]

ROI_BAD_CASES = [
    (
        "marts_initiative_roi",
        "UPDATE marts.initiative_roi SET savings_low = 40000 WHERE kpi = 'churn_rate'",
        ("expect_column_values_to_be_between", "savings_order_error"),
    ),
    (
        "marts_initiative_roi",
        "UPDATE marts.initiative_roi SET roi_central = 0.5 WHERE component = 'total'",
        ("expect_column_values_to_be_between", "roi_error"),
    ),
    (
        "marts_initiative_roi",
        "UPDATE marts.initiative_roi SET roi_low = NULL, roi_central = NULL, roi_high = NULL",
        ("expect_column_values_to_be_between", "roi_missing_error"),
    ),
    (
        "marts_initiative_roi",
        "UPDATE marts.initiative_roi SET treated_units = -1 WHERE component = 'total'",
        ("expect_column_values_to_be_between", "treated_units"),
    ),
    (
        "marts_key_drivers",
        "UPDATE marts.key_drivers SET ci_low = 9 WHERE driver = 'store'",
        ("expect_column_values_to_be_between", "ci_order_error"),
    ),
    (
        "marts_key_drivers",
        "UPDATE marts.key_drivers SET rank = 0 WHERE driver = 'store'",
        ("expect_column_values_to_be_between", "rank"),
    ),
    (
        "marts_key_drivers",
        "UPDATE marts.key_drivers SET n = 0 WHERE driver = 'store'",
        ("expect_column_values_to_be_between", "n"),
    ),
    # A team of 3 respondents would identify people; a touchpoint with n = 3 is fine (customers, not staff).
    (
        "marts_key_drivers",
        "UPDATE marts.key_drivers SET n = 3 WHERE driver = 'Customer Support'",
        ("expect_column_values_to_be_between", "survey_below_threshold"),
    ),
    (
        "marts_roi_assumptions",
        "UPDATE marts.roi_assumptions SET value = -1, low = -2 WHERE unit = 'years'",
        ("expect_column_values_to_be_between", "value"),
    ),
    (
        "marts_roi_assumptions",
        "UPDATE marts.roi_assumptions SET value = 3 WHERE unit = 'years'",
        ("expect_column_values_to_be_between", "range_error"),
    ),
    (
        "marts_service_profit_chain",
        "UPDATE marts.service_profit_chain SET customer_value = 150 WHERE location = 'York'",
        ("expect_column_values_to_be_between", "customer_value"),
    ),
    (
        "marts_service_profit_chain",
        "UPDATE marts.service_profit_chain SET customer_n = 0 WHERE location = 'York'",
        ("expect_column_values_to_be_between", "customer_n"),
    ),
    (
        "marts_service_profit_chain",
        "UPDATE marts.service_profit_chain SET respondents = 4 WHERE location = 'York'",
        ("expect_column_values_to_be_between", "below_threshold"),
    ),
    (
        "marts_service_profit_chain_summary",
        "UPDATE marts.service_profit_chain_summary SET correlation = 1.5",
        ("expect_column_values_to_be_between", "correlation"),
    ),
    (
        "marts_service_profit_chain_summary",
        "UPDATE marts.service_profit_chain_summary SET ci_low = 0.4",
        ("expect_column_values_to_be_between", "ci_error"),
    ),
    (
        "marts_service_profit_chain_summary",
        "UPDATE marts.service_profit_chain_summary SET n_pairs = 3",
        ("expect_column_values_to_be_between", "n_pairs"),
    ),
    (
        "marts_service_profit_chain_summary",
        "UPDATE marts.service_profit_chain_summary SET p_value = 1.2",
        ("expect_column_values_to_be_between", "p_value"),
    ),
]
