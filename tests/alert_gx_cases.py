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
        "base_count DOUBLE, previous_base_count DOUBLE, base_unit VARCHAR, z_score DOUBLE, p_value DOUBLE, "
        "certainty VARCHAR, reason VARCHAR, owner VARCHAR, rule_description VARCHAR"
    ),
    "marts.customer_support_agent_monthly": _columns(
        "month DATE, agent VARCHAR, location VARCHAR, team VARCHAR, tickets BIGINT, resolved_tickets BIGINT, "
        "first_contact_resolved_tickets BIGINT, fcr_pct DOUBLE, handled_tickets BIGINT, handle_minutes_sum DOUBLE, "
        "handle_minutes_per_ticket DOUBLE, csat_responses BIGINT, satisfied_responses BIGINT, csat_pct DOUBLE"
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
    """UPDATE marts.alert_breaches SET z_score = 3.1, p_value = 0.001, certainty = 'rare by chance'
       WHERE alert_key = 'k1'""",
    """INSERT INTO marts.customer_support_agent_monthly (month, agent, location, tickets, resolved_tickets,
           first_contact_resolved_tickets, fcr_pct, handled_tickets, handle_minutes_sum, handle_minutes_per_ticket,
           csat_responses, satisfied_responses, csat_pct) VALUES
       (DATE '2025-01-01', 'agt_69e7c4a52cb63971', 'Leeds', 4, 3, 2, 66.7, 3, 60, 20.0, 2, 1, 50.0),
       (DATE '2025-01-01', 'agt_f5650331bd7d3d61', 'York', 1, 0, 0, NULL, 0, 0, NULL, 0, 0, NULL)""",
]

ALERT_BAD_CASES = [
    # Four answers against a minimum of five: a small sample fired.
    ("marts_alert_breaches", "UPDATE marts.alert_breaches SET base_count = 4 WHERE alert_key = 'k1'",
     ("expect_column_values_to_be_between", "sample_margin")),
    ("marts_alert_breaches", "UPDATE marts.alert_breaches SET p_value = 1.5 WHERE alert_key = 'k1'",
     ("expect_column_values_to_be_between", "p_value")),
    *[
        ("marts_customer_support_agent_monthly", f"UPDATE marts.customer_support_agent_monthly SET {damage}",
         ("expect_column_values_to_be_between", damage.split(" ")[0]))
        for damage in (
            "tickets = 0 WHERE location = 'York'",
            "csat_pct = 150 WHERE location = 'Leeds'",
            "fcr_pct = -1 WHERE location = 'Leeds'",
        )
    ],
]  # fmt: skip
