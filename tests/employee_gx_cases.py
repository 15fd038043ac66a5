"""The employee marts' part of tests/test_gx_checks.py: their columns as dbt builds them, small consistent
rows that pass every employee suite, and one damage per expectation that must fail it.

Kept apart so the employee and customer cases can change without editing each other's lists.
"""

from __future__ import annotations


def _columns(spec: str) -> dict[str, str]:
    return dict(item.strip().split(" ", 1) for item in spec.split(","))


EMPLOYEE_MART_COLUMNS = {
    "marts.employee_headcount_monthly": _columns(
        "month DATE, department VARCHAR, team VARCHAR, location VARCHAR, manager_id VARCHAR, tenure_band VARCHAR, "
        "employees BIGINT, headcount_start BIGINT, headcount_end BIGINT, hires BIGINT, separations BIGINT, "
        "voluntary_separations BIGINT, involuntary_separations BIGINT, retained_employees BIGINT, "
        "rollup_reason VARCHAR, avg_headcount DOUBLE, turnover_pct DOUBLE, voluntary_turnover_pct DOUBLE, "
        "involuntary_turnover_pct DOUBLE, retention_pct DOUBLE"
    ),
    "marts.employee_turnover_summary": _columns(
        "department VARCHAR, team VARCHAR, location VARCHAR, job_level VARCHAR, employees BIGINT, "
        "separations BIGINT, voluntary_separations BIGINT, involuntary_separations BIGINT, "
        "active_employees BIGINT, as_of_date DATE, rollup_reason VARCHAR, attrition_pct DOUBLE"
    ),
    "marts.employee_absence_monthly": _columns(
        "month DATE, department VARCHAR, team VARCHAR, location VARCHAR, manager_id VARCHAR, tenure_band VARCHAR, "
        "employees BIGINT, employees_absent BIGINT, absence_spells BIGINT, absence_hours DOUBLE, "
        "usual_hours DOUBLE, rollup_reason VARCHAR, absence_rate_pct DOUBLE, lost_worktime_pct DOUBLE"
    ),
    "marts.employee_recognition_monthly": _columns(
        "month DATE, department VARCHAR, team VARCHAR, location VARCHAR, manager_id VARCHAR, tenure_band VARCHAR, "
        "employees BIGINT, recognised_employees BIGINT, recognitions BIGINT, peer_recognitions BIGINT, "
        "manager_recognitions BIGINT, award_recognitions BIGINT, untyped_recognitions BIGINT, "
        "rollup_reason VARCHAR, recognitions_per_employee DOUBLE, recognised_pct DOUBLE"
    ),
    "marts.employee_internal_responsiveness_monthly": _columns(
        "month DATE, assignee_team VARCHAR, category VARCHAR, requests BIGINT, answered_requests BIGINT, "
        "unanswered_requests BIGINT, hours_to_answer_sum DOUBLE, median_hours_to_answer DOUBLE, "
        "rollup_reason VARCHAR, mean_hours_to_answer DOUBLE, answered_pct DOUBLE"
    ),
    "marts.employee_eap_monthly": _columns(
        "month DATE, employees BIGINT, eap_uses BIGINT, eap_users BIGINT, suppression_reason VARCHAR, "
        "eap_utilisation_pct DOUBLE"
    ),
    "marts.employee_turnover_cost_monthly": _columns(
        "month DATE, department VARCHAR, job_level VARCHAR, separations BIGINT, voluntary_separations BIGINT, "
        "involuntary_separations BIGINT, recruiting_cost_per_separation DOUBLE, "
        "onboarding_cost_per_separation DOUBLE, lost_productivity_cost_per_separation DOUBLE, "
        "priced_by_default BOOLEAN, rollup_reason VARCHAR, cost_per_separation DOUBLE, turnover_cost DOUBLE"
    ),
    "marts.employee_survey_dimension_wave": _columns(
        "wave VARCHAR, wave_month DATE, breakdown VARCHAR, group_value VARCHAR, dimension VARCHAR, "
        "suppressed BOOLEAN, suppression_reason VARCHAR, respondents BIGINT, answers BIGINT, score_sum DOUBLE, "
        "favourable_answers BIGINT, unfavourable_answers BIGINT, mean_score DOUBLE, favourable_pct DOUBLE, "
        "unfavourable_pct DOUBLE"
    ),
    "marts.employee_enps_wave": _columns(
        "wave VARCHAR, wave_month DATE, breakdown VARCHAR, group_value VARCHAR, suppressed BOOLEAN, "
        "suppression_reason VARCHAR, responses BIGINT, promoters BIGINT, passives BIGINT, detractors BIGINT, "
        "enps DOUBLE"
    ),
    "marts.employee_survey_item_wave": _columns(
        "wave VARCHAR, wave_month DATE, question_id VARCHAR, question_text VARCHAR, dimension VARCHAR, "
        "suppressed BOOLEAN, suppression_reason VARCHAR, respondents BIGINT, answers BIGINT, score_sum DOUBLE, "
        "favourable_answers BIGINT, mean_score DOUBLE, favourable_pct DOUBLE"
    ),
    "marts.employee_survey_settings": _columns("min_respondents INTEGER"),
    "marts.employee_manager_empathy_wave": _columns(
        "wave VARCHAR, wave_month DATE, breakdown VARCHAR, group_value VARCHAR, question_id VARCHAR, "
        "indicator VARCHAR, suppressed BOOLEAN, suppression_reason VARCHAR, respondents BIGINT, answers BIGINT, "
        "score_sum DOUBLE, favourable_answers BIGINT, mean_score DOUBLE, favourable_pct DOUBLE"
    ),
}

# The dbt unit tests' cases, as mart rows: counts add up, ratios are their formulas, NULL when the
# denominator is 0, and a suppressed cell is flagged with a reason and NULL numbers.
EMPLOYEE_GOOD_ROWS = [
    """INSERT INTO marts.employee_headcount_monthly VALUES
       (DATE '2025-01-01', 'D', 'T', 'L', 'm', '1-3y', 5, 4, 3, 1, 2, 1, 1, 2, NULL, 3.5, 100.0 * 2 / 3.5,
        100.0 / 3.5, 100.0 / 3.5, 50.0),
       (DATE '2025-02-01', 'D', 'T', 'L', 'm', '<1y', 1, 0, 0, 1, 1, 1, 0, 0, NULL, 0.0, NULL, NULL, NULL, NULL)""",
    """INSERT INTO marts.employee_turnover_summary VALUES
       ('Sales', 'Sales', 'Unknown', '2', 2, 1, 1, 0, 1, DATE '2017-12-31', NULL, 50.0),
       ('R&D', 'R&D', 'Unknown', '1', 1, 0, 0, 0, 1, DATE '2017-12-31', NULL, 0.0)""",
    """INSERT INTO marts.employee_absence_monthly VALUES
       (DATE '2025-01-01', 'D', 'T', 'L', 'm', '1-3y', 2, 1, 1, 16.0, 320.0, NULL, 50.0, 5.0),
       (DATE '2025-02-01', 'D', 'T', 'L', 'm', '1-3y', 1, 1, 1, 8.0, 0.0, NULL, 100.0, NULL)""",
    """INSERT INTO marts.employee_recognition_monthly VALUES
       (DATE '2025-01-01', 'D', 'T', 'L', 'm', '1-3y', 2, 1, 3, 1, 1, 0, 1, NULL, 1.5, 50.0)""",
    """INSERT INTO marts.employee_internal_responsiveness_monthly VALUES
       (DATE '2025-01-01', 'IT', 'access', 4, 4, 0, 17.0, 3.0, NULL, 4.25, 100.0),
       (DATE '2025-01-01', 'Payroll', 'payslip', 1, 0, 1, NULL, NULL, NULL, NULL, 0.0)""",
    """INSERT INTO marts.employee_eap_monthly VALUES
       (DATE '2025-01-01', 4, 3, 2, NULL, 50.0), (DATE '2025-02-01', 0, NULL, NULL, 'fewer than 5 users', NULL)""",
    """INSERT INTO marts.employee_turnover_cost_monthly VALUES
       (DATE '2025-01-01', 'D', 'IC1', 2, 1, 1, 1000, 500, 2500, false, NULL, 4000, 8000),
       (DATE '2025-01-01', 'D', '7', 1, 1, 0, 2000, 1000, 3000, true, NULL, 6000, 6000)""",
    """INSERT INTO marts.employee_survey_dimension_wave VALUES
       ('W1', DATE '2025-03-01', 'team', 'A', 'engagement', false, NULL, 6, 18, 66.0, 12, 3, 66.0 / 18,
        100.0 * 12 / 18, 100.0 * 3 / 18),
       ('W1', DATE '2025-03-01', 'team', 'B', 'engagement', true, 'fewer than 5 respondents', NULL, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL)""",
    """INSERT INTO marts.employee_enps_wave VALUES
       ('W1', DATE '2025-03-01', 'org', 'All', false, NULL, 5, 2, 2, 1, 20.0),
       ('W1', DATE '2025-03-01', 'team', 'B', true, 'complementary: protects a suppressed group', NULL, NULL, NULL,
        NULL, NULL)""",
    """INSERT INTO marts.employee_survey_item_wave VALUES
       ('W1', DATE '2017-12-01', 'JobSatisfaction', 'q', 'engagement', false, NULL, 6, 6, 18.0, 4, 3.0, 100.0 * 4 / 6),
       ('W2', DATE '2018-12-01', 'JobSatisfaction', 'q', 'engagement', true, 'fewer than 5 respondents', NULL, NULL,
        NULL, NULL, NULL, NULL)""",
    "INSERT INTO marts.employee_survey_settings VALUES (5)",
    """INSERT INTO marts.employee_manager_empathy_wave VALUES
       ('W1', DATE '2025-03-01', 'manager', 'm1', 'mgr_listening', 'listens', false, NULL, 6, 6, 18.0, 3, 3.0, 50.0),
       ('W1', DATE '2025-03-01', 'manager', 'm2', 'mgr_listening', 'listens', true, 'fewer than 5 respondents',
        NULL, NULL, NULL, NULL, NULL, NULL)""",
]

EMPLOYEE_BAD_CASES = [
    # --- headcount
    ("marts_employee_headcount_monthly",
     "UPDATE marts.employee_headcount_monthly SET headcount_start = -1, hires = 2 WHERE headcount_start = 0",
     ("expect_column_values_to_be_between", "headcount_start")),
    ("marts_employee_headcount_monthly",
     "UPDATE marts.employee_headcount_monthly SET headcount_end = 5 WHERE headcount_start = 4",
     ("expect_column_pair_values_to_be_equal", "headcount_end, expected_headcount_end")),
    # Turnover over headcount at start instead of the average: 2 / 4.
    ("marts_employee_headcount_monthly",
     "UPDATE marts.employee_headcount_monthly SET turnover_pct = 50.0 WHERE headcount_start = 4",
     ("expect_column_values_to_be_between", "turnover_pct_error")),
    ("marts_employee_headcount_monthly",
     "UPDATE marts.employee_headcount_monthly SET retention_pct = 150.0 WHERE headcount_start = 4",
     ("expect_column_values_to_be_between", "retention_pct")),
    # --- attrition snapshot
    ("marts_employee_turnover_summary",
     "UPDATE marts.employee_turnover_summary SET as_of_date = NULL WHERE employees = 2",
     ("expect_column_values_to_not_be_null", "as_of_date")),
    ("marts_employee_turnover_summary",
     "UPDATE marts.employee_turnover_summary SET employees = 0, active_employees = 0, attrition_pct = NULL "
     "WHERE employees = 1",
     ("expect_column_values_to_be_between", "employees")),
    ("marts_employee_turnover_summary",
     "UPDATE marts.employee_turnover_summary SET active_employees = 2 WHERE employees = 2",
     ("expect_column_pair_values_to_be_equal", "classified_employees, employees")),
    ("marts_employee_turnover_summary",
     "UPDATE marts.employee_turnover_summary SET attrition_pct = 0.0 WHERE employees = 2",
     ("expect_column_values_to_be_between", "attrition_pct_error")),
    # --- absence
    ("marts_employee_absence_monthly",
     "UPDATE marts.employee_absence_monthly SET month = NULL WHERE employees = 2",
     ("expect_column_values_to_not_be_null", "month")),
    ("marts_employee_absence_monthly",
     "UPDATE marts.employee_absence_monthly SET employees_absent = 3, absence_rate_pct = 150.0 WHERE employees = 2",
     ("expect_column_pair_values_a_to_be_greater_than_b", "employees, employees_absent")),
    ("marts_employee_absence_monthly",
     "UPDATE marts.employee_absence_monthly SET absence_rate_pct = 0.0 WHERE employees = 2",
     ("expect_column_values_to_be_between", "absence_rate_pct_error")),
    # No usual hours: lost worktime is undefined, a stored 0 % is a made-up number.
    ("marts_employee_absence_monthly",
     "UPDATE marts.employee_absence_monthly SET lost_worktime_pct = 0.0 WHERE employees = 1",
     ("expect_column_values_to_be_between", "lost_worktime_pct_error")),
    # --- recognition
    ("marts_employee_recognition_monthly",
     "UPDATE marts.employee_recognition_monthly SET month = NULL",
     ("expect_column_values_to_not_be_null", "month")),
    ("marts_employee_recognition_monthly",
     "UPDATE marts.employee_recognition_monthly SET untyped_recognitions = 0",
     ("expect_column_pair_values_to_be_equal", "typed_recognitions, recognitions")),
    ("marts_employee_recognition_monthly",
     "UPDATE marts.employee_recognition_monthly SET recognitions_per_employee = 3.0",
     ("expect_column_values_to_be_between", "recognitions_per_employee_error")),
    ("marts_employee_recognition_monthly",
     "UPDATE marts.employee_recognition_monthly SET recognised_pct = 150.0",
     ("expect_column_values_to_be_between", "recognised_pct")),
    # --- responsiveness
    ("marts_employee_internal_responsiveness_monthly",
     "UPDATE marts.employee_internal_responsiveness_monthly SET assignee_team = NULL WHERE requests = 1",
     ("expect_column_values_to_not_be_null", "assignee_team")),
    ("marts_employee_internal_responsiveness_monthly",
     "UPDATE marts.employee_internal_responsiveness_monthly SET median_hours_to_answer = -3 WHERE requests = 4",
     ("expect_column_values_to_be_between", "median_hours_to_answer")),
    ("marts_employee_internal_responsiveness_monthly",
     "UPDATE marts.employee_internal_responsiveness_monthly SET unanswered_requests = 2 WHERE requests = 1",
     ("expect_column_pair_values_to_be_equal", "classified_requests, requests")),
    ("marts_employee_internal_responsiveness_monthly",
     "UPDATE marts.employee_internal_responsiveness_monthly SET answered_pct = NULL WHERE requests = 1",
     ("expect_column_values_to_be_between", "answered_pct_error")),
    # --- EAP
    ("marts_employee_eap_monthly",
     "UPDATE marts.employee_eap_monthly SET eap_users = 4, eap_utilisation_pct = 100.0 WHERE employees = 4",
     ("expect_column_pair_values_a_to_be_greater_than_b", "eap_uses, eap_users")),
    # Uses instead of distinct users over headcount: 3 / 4.
    ("marts_employee_eap_monthly",
     "UPDATE marts.employee_eap_monthly SET eap_utilisation_pct = 75.0 WHERE employees = 4",
     ("expect_column_values_to_be_between", "eap_utilisation_pct_error")),
    # --- turnover cost
    ("marts_employee_turnover_cost_monthly",
     "UPDATE marts.employee_turnover_cost_monthly SET separations = -1, voluntary_separations = 0, "
     "turnover_cost = -6000 WHERE job_level = '7'",
     ("expect_column_values_to_be_between", "turnover_cost")),
    ("marts_employee_turnover_cost_monthly",
     "UPDATE marts.employee_turnover_cost_monthly SET cost_per_separation = 3500, turnover_cost = 7000 "
     "WHERE job_level = 'IC1'",
     ("expect_column_values_to_be_between", "cost_per_separation_error")),
    ("marts_employee_turnover_cost_monthly",
     "UPDATE marts.employee_turnover_cost_monthly SET turnover_cost = 4000 WHERE job_level = 'IC1'",
     ("expect_column_values_to_be_between", "turnover_cost_error")),
    # --- survey dimensions
    # A suppressed cell shown as 0 respondents: the "never 0" rule.
    ("marts_employee_survey_dimension_wave",
     "UPDATE marts.employee_survey_dimension_wave SET respondents = 0 WHERE group_value = 'B'",
     ("expect_column_values_to_be_between", "suppression_error")),
    ("marts_employee_survey_dimension_wave",
     "UPDATE marts.employee_survey_dimension_wave SET respondents = 2 WHERE group_value = 'A'",
     ("expect_column_values_to_be_between", "visible_below_threshold")),
    # 4 respondents: above the old fixed floor of 3, below the threshold the marts were built with (5).
    ("marts_employee_survey_dimension_wave",
     "UPDATE marts.employee_survey_dimension_wave SET respondents = 4 WHERE group_value = 'A'",
     ("expect_column_values_to_be_between", "visible_below_threshold")),
    # No published threshold: every visible cell fails rather than passing unchecked.
    ("marts_employee_survey_dimension_wave",
     "DELETE FROM marts.employee_survey_settings",
     ("expect_column_values_to_be_between", "visible_below_threshold")),
    ("marts_employee_survey_dimension_wave",
     "UPDATE marts.employee_survey_dimension_wave SET mean_score = 4.0 WHERE group_value = 'A'",
     ("expect_column_values_to_be_between", "mean_score_error")),
    ("marts_employee_survey_dimension_wave",
     "UPDATE marts.employee_survey_dimension_wave SET favourable_pct = 120.0 WHERE group_value = 'A'",
     ("expect_column_values_to_be_between", "favourable_pct")),
    # --- eNPS
    ("marts_employee_enps_wave",
     "UPDATE marts.employee_enps_wave SET suppression_reason = NULL WHERE group_value = 'B'",
     ("expect_column_values_to_be_between", "suppression_error")),
    ("marts_employee_enps_wave",
     "UPDATE marts.employee_survey_settings SET min_respondents = 6",
     ("expect_column_values_to_be_between", "visible_below_threshold")),
    ("marts_employee_enps_wave",
     "UPDATE marts.employee_enps_wave SET enps = 120.0 WHERE group_value = 'All'",
     ("expect_column_values_to_be_between", "enps")),
    ("marts_employee_enps_wave",
     "UPDATE marts.employee_enps_wave SET passives = 3 WHERE group_value = 'All'",
     ("expect_column_pair_values_to_be_equal", "classified_responses, responses")),
    ("marts_employee_enps_wave",
     "UPDATE marts.employee_enps_wave SET enps = 40.0 WHERE group_value = 'All'",
     ("expect_column_values_to_be_between", "enps_error")),
    # --- the published threshold
    ("marts_employee_survey_settings",
     "UPDATE marts.employee_survey_settings SET min_respondents = 2",
     ("expect_column_values_to_be_between", "min_respondents")),
    ("marts_employee_survey_settings",
     "INSERT INTO marts.employee_survey_settings VALUES (7)",
     ("expect_table_row_count_to_be_between", None)),
    # --- items
    ("marts_employee_survey_item_wave",
     "UPDATE marts.employee_survey_item_wave SET question_id = NULL WHERE wave = 'W1'",
     ("expect_column_values_to_not_be_null", "question_id")),
    ("marts_employee_survey_item_wave",
     "UPDATE marts.employee_survey_item_wave SET suppressed = false WHERE wave = 'W2'",
     ("expect_column_values_to_be_between", "suppression_error")),
    ("marts_employee_survey_item_wave",
     "UPDATE marts.employee_survey_item_wave SET respondents = 1 WHERE wave = 'W1'",
     ("expect_column_values_to_be_between", "visible_below_threshold")),
    ("marts_employee_survey_item_wave",
     "UPDATE marts.employee_survey_item_wave SET score_sum = 12.0 WHERE wave = 'W1'",
     ("expect_column_values_to_be_between", "mean_score_error")),
    # --- manager indicators
    ("marts_employee_manager_empathy_wave",
     "UPDATE marts.employee_manager_empathy_wave SET mean_score = 0.0 WHERE group_value = 'm2'",
     ("expect_column_values_to_be_between", "suppression_error")),
    ("marts_employee_manager_empathy_wave",
     "UPDATE marts.employee_manager_empathy_wave SET respondents = 2 WHERE group_value = 'm1'",
     ("expect_column_values_to_be_between", "visible_below_threshold")),
    ("marts_employee_manager_empathy_wave",
     "UPDATE marts.employee_manager_empathy_wave SET answers = 9 WHERE group_value = 'm1'",
     ("expect_column_values_to_be_between", "mean_score_error")),
    ("marts_employee_manager_empathy_wave",
     "UPDATE marts.employee_manager_empathy_wave SET favourable_pct = -5.0 WHERE group_value = 'm1'",
     ("expect_column_values_to_be_between", "favourable_pct")),
]  # fmt: skip
