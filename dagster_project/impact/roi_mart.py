"""marts.initiative_roi assembled from its inputs (docs/impact.md, "Savings and ROI"; D89-D91). The money
formula itself is streamlit_app/roi.py, shared with the dashboard's what-if.

- Effects: marts.initiative_effects, the headline estimate per KPI, only where the pre-trends do not differ
  (pretrend_differs false): an effect whose pre-period already diverged is not worth money.
- Base quantities at the treated units (int_initiative_units: its locations, teams, or its initiative_units):
  active customers, their yearly net revenue and expected lifespan (customer_value_summary's inputs, summed over
  the treated locations), average monthly headcount of the treated teams and tickets per month at the treated
  locations (or of the treated agents) over the last 12 months, minutes of handle time per ticket.
- Assumptions: marts.roi_assumptions `value` (each also becomes a column, so a row says what it was priced with).
"""

from __future__ import annotations

import pandas as pd

from streamlit_app import roi

BASE_MONTHS = 12


def treated_units(units: pd.DataFrame) -> dict[str, set[str]]:
    """Initiative -> its treated unit names, from int_initiative_units (the one definition: its initiative_units
    rows if any, else its treated locations and teams)."""
    return {k: set(v) for k, v in units.groupby("initiative_id")["unit"]}


MAIN_KINDS = ("any", "location", "team")  # the kind an initiative is counted (and priced per unit) in, first found


def main_unit_count(units: pd.DataFrame) -> dict[str, int]:
    """Initiative -> how many units of its main kind it treated (D113): a store roll-out with the stores' teams
    counts its stores, not stores plus teams, so the what-if's cost per unit is the cost of one store."""
    if "unit_kind" not in units:
        return {k: len(v) for k, v in treated_units(units).items()}
    out = {}
    for initiative, rows in units.groupby("initiative_id"):
        kind = next((k for k in MAIN_KINDS if (rows["unit_kind"] == k).any()), None)
        out[initiative] = int(rows.loc[rows["unit_kind"] == kind, "unit"].nunique()) if kind else rows["unit"].nunique()
    return out


def base_quantities(
    units: set[str],
    value: pd.DataFrame,
    customers: pd.DataFrame,
    employee_months: pd.DataFrame,
    tickets: pd.DataFrame,
    max_lifespan_years: float,
) -> dict:
    """value: customer_value_summary (location, net_revenue, customer_years, lost_customers_observed);
    customers: location, is_lost; employee_months: team, month, employees; tickets: location, agent_id, month,
    tickets, handle_minutes (a unit may be a location or an agent). The last BASE_MONTHS months of each are used
    for the monthly rates."""
    v = value[value["location"].isin(units)]
    years = v["customer_years"].sum()
    lost = v["lost_customers_observed"].sum()
    lifespan = None
    if years > 0:
        lifespan = min(years / lost, max_lifespan_years) if lost > 0 else max_lifespan_years
    e = employee_months[employee_months["team"].isin(units)]
    e = e[e["month"] > e["month"].max() - pd.DateOffset(months=BASE_MONTHS)] if len(e) else e
    t = tickets[tickets["location"].isin(units) | tickets["agent_id"].isin(units)]
    t = t[t["month"] > t["month"].max() - pd.DateOffset(months=BASE_MONTHS)] if len(t) else t
    at_units = customers[customers["location"].isin(units)]
    return {
        "customers": float((~at_units["is_lost"].astype(bool)).sum()),
        "revenue_per_customer_year": float(v["net_revenue"].sum() / years) if years > 0 else None,
        "expected_lifespan_years": lifespan,
        "employees": float(e.groupby("month")["employees"].sum().mean()) if len(e) else 0.0,
        "tickets_per_month": float(t.groupby("month")["tickets"].sum().mean()) if len(t) else 0.0,
        "minutes_per_ticket": float(t["handle_minutes"].sum() / t["tickets"].sum()) if t["tickets"].sum() else None,
    }


def initiative_roi(
    initiatives: pd.DataFrame,
    units: pd.DataFrame,
    effects: pd.DataFrame,
    assumptions: pd.DataFrame,
    base_inputs: dict,
) -> pd.DataFrame:
    """One row per initiative × component (customers_kept, employees_kept, support_cost, total)."""
    values = dict(zip(assumptions["assumption"], assumptions["value"].astype(float), strict=True))
    treated = treated_units(units)
    usable = roi.usable_effects(effects)
    counted = main_unit_count(units)
    rows = []
    for initiative in initiatives.itertuples():
        effect = usable.get(initiative.initiative_id, {})
        units_of = treated.get(initiative.initiative_id, set())
        base = base_quantities(units_of, **base_inputs)
        for row in roi.evaluate(effect, base, values, initiative.cost):
            rows.append(
                {
                    "initiative_id": initiative.initiative_id,
                    "initiative_name": initiative.name,
                    "component": row["component"],
                    "kpi": row["kpi"],
                    "kpis": row["kpis"],
                    "cost": None if pd.isna(initiative.cost) else float(initiative.cost),
                    **{f"savings_{level}": row[f"savings_{level}"] for level in roi.LEVELS},
                    **{f"roi_{level}": row.get(f"roi_{level}") for level in roi.LEVELS},
                    "treated_units": counted.get(initiative.initiative_id, 0),
                    **base,
                    **{a: values.get(a) for a in roi.ASSUMPTIONS},
                }
            )
    columns = ["initiative_id", "initiative_name", "component", "kpi", "cost"]
    columns += [f"{m}_{level}" for m in ("savings", "roi") for level in roi.LEVELS]
    columns += ["treated_units", *roi.BASE_FIELDS, *roi.ASSUMPTIONS, "kpis"]
    numeric = [c for c in columns[4:] if c not in ("treated_units", "kpis")]
    # Typed even with no initiative (an empty frame's columns would otherwise be published with no type).
    text = dict.fromkeys(["initiative_id", "initiative_name", "component", "kpi", "kpis"], "string")
    return pd.DataFrame(rows, columns=columns).astype(
        {**dict.fromkeys(numeric, "float64"), **text, "treated_units": "int64"}
    )
