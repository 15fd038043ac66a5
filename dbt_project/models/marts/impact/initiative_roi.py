"""Savings and ROI per initiative × component (docs/impact.md, "Savings and ROI"; D89-D91): the headline effects
with parallel pre-trends (marts.initiative_effects) priced by streamlit_app/roi.py with marts.roi_assumptions
and the base quantities at the treated units (dagster_project/impact/roi_mart.py)."""

from dagster_project.impact.roi_mart import initiative_roi


def model(dbt, session):
    dbt.config(materialized="table")
    tickets = dbt.ref("stg_crm__tickets").aggregate(
        "location, agent_id, opened_month as month, count(*) as tickets, "
        "coalesce(sum(handle_time_minutes), 0) as handle_minutes"
    )
    employee_months = dbt.ref("int_employee_months").aggregate("team, month, count(*) as employees")
    base_inputs = {
        "value": dbt.ref("customer_value_summary")
        .aggregate(
            "location, sum(net_revenue) as net_revenue, sum(customer_years) as customer_years, "
            "sum(lost_customers_observed) as lost_customers_observed"
        )
        .df(),
        "customers": dbt.ref("int_customer_lifecycle").project("location, is_lost").df(),
        "employee_months": employee_months.df(),
        "tickets": tickets.df(),
        "max_lifespan_years": float(dbt.config.get("cltv_max_lifespan_years")),
    }
    return initiative_roi(
        dbt.ref("stg_program__initiatives").df(),
        dbt.ref("int_initiative_units").project("initiative_id, unit_kind, unit").df(),
        dbt.ref("initiative_effects").df(),
        dbt.ref("roi_assumptions").df(),
        base_inputs,
    )
