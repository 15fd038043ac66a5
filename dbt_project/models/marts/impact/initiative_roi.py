"""Savings and ROI per initiative × component (docs/impact.md, "Savings and ROI"; D89-D91): the headline effects
with parallel pre-trends (marts.initiative_effects) priced by streamlit_app/roi.py with marts.roi_assumptions
and the base quantities at the treated units (dagster_project/impact/roi_mart.py)."""

from dagster_project.engine_frames import frame, read, table
from dagster_project.impact.roi_mart import initiative_roi


def model(dbt, session):
    dbt.config(materialized="table")
    tickets = frame(
        session,
        "select location, agent_id, opened_month as month, count(*) as tickets, "
        "coalesce(sum(handle_time_minutes), 0) as handle_minutes from {tickets} "
        "group by location, agent_id, opened_month",
        tickets=dbt.ref("stg_crm__tickets"),
    )
    employee_months = frame(
        session,
        "select team, month, count(*) as employees from {months} group by team, month",
        months=dbt.ref("int_employee_months"),
    )
    value = frame(
        session,
        "select location, sum(net_revenue) as net_revenue, sum(customer_years) as customer_years, "
        "sum(lost_customers_observed) as lost_customers_observed from {value} group by location",
        value=dbt.ref("customer_value_summary"),
    )
    base_inputs = {
        "value": value,
        "customers": read(session, dbt.ref("int_customer_lifecycle"), "location, is_lost"),
        "employee_months": employee_months,
        "tickets": tickets,
        "max_lifespan_years": float(dbt.config.get("cltv_max_lifespan_years")),
    }
    return table(
        session,
        initiative_roi(
            read(session, dbt.ref("stg_program__initiatives")),
            read(session, dbt.ref("int_initiative_units"), "initiative_id, unit_kind, unit"),
            read(session, dbt.ref("initiative_effects")),
            read(session, dbt.ref("roi_assumptions")),
            base_inputs,
        ),
    )
