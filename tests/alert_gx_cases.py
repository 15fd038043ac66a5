"""The alert_breaches mart's part of tests/test_gx_checks.py: its columns as dbt builds them (read from a
real build), small consistent rows that pass its suite, and one damage per expectation that must fail it.
Kept apart like tests/employee_gx_cases.py."""

from __future__ import annotations


def _columns(spec: str) -> dict[str, str]:
    return dict(item.strip().split(" ", 1) for item in spec.split(","))


ALERT_MART_COLUMNS = {
    "marts.alert_breaches": _columns(
        "alert_key VARCHAR, rule_id VARCHAR, severity VARCHAR, kpi VARCHAR, scope VARCHAR, scope_value VARCHAR, "
        "period DATE, kpi_value DOUBLE, previous_value DOUBLE, threshold DOUBLE, min_count INTEGER, "
        "base_count DOUBLE, previous_base_count DOUBLE, base_unit VARCHAR, reason VARCHAR, owner VARCHAR, "
        "rule_description VARCHAR"
    ),
}

# The dbt unit tests' breaches: an NPS drop at Leeds and a team's eNPS.
ALERT_GOOD_ROWS = [
    """INSERT INTO marts.alert_breaches (alert_key, rule_id, severity, kpi, scope, scope_value, period, kpi_value,
           previous_value, threshold, min_count, base_count, previous_base_count, base_unit, reason, owner) VALUES
       ('k1', 'nps_drop_location', 'high', 'nps', 'location', 'Leeds', DATE '2025-03-01', 10.0, 30.0, 10, 5, 10,
        10, 'answers', 'NPS at Leeds fell', 'Store manager, Leeds'),
       ('k2', 'enps_below_team', 'medium', 'enps', 'team', 'Y', DATE '2025-03-01', -40.0, NULL, -20, 5, 10, NULL,
        'respondents', 'eNPS of team Y', 'team manager: Y')""",
]

ALERT_BAD_CASES = [
    ("marts_alert_breaches", "UPDATE marts.alert_breaches SET alert_key = NULL WHERE alert_key = 'k2'",
     ("expect_column_values_to_not_be_null", "alert_key")),
    ("marts_alert_breaches", "UPDATE marts.alert_breaches SET alert_key = 'k1'",
     ("expect_column_values_to_be_unique", "alert_key")),
    ("marts_alert_breaches", "UPDATE marts.alert_breaches SET rule_id = 'nps_drop' WHERE alert_key = 'k1'",
     ("expect_column_values_to_be_in_set", "rule_id")),
    ("marts_alert_breaches", "UPDATE marts.alert_breaches SET severity = 'urgent' WHERE alert_key = 'k1'",
     ("expect_column_values_to_be_in_set", "severity")),
    ("marts_alert_breaches", "UPDATE marts.alert_breaches SET owner = NULL WHERE alert_key = 'k2'",
     ("expect_column_values_to_not_be_null", "owner")),
    ("marts_alert_breaches", "UPDATE marts.alert_breaches SET reason = NULL WHERE alert_key = 'k1'",
     ("expect_column_values_to_not_be_null", "reason")),
    # Four answers against a minimum of five: a small sample fired.
    ("marts_alert_breaches", "UPDATE marts.alert_breaches SET base_count = 4 WHERE alert_key = 'k1'",
     ("expect_column_values_to_be_between", "sample_margin")),
]  # fmt: skip
