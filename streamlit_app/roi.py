"""Savings and ROI of an initiative from its measured effects: the one formula (docs/impact.md, "Savings and ROI").

Pure arithmetic, no Streamlit: the dbt Python model marts.initiative_roi and the dashboard's what-if both import
it, so the numbers on the page and in the warehouse come from the same lines.

Inputs
- effects: {kpi: (estimate, ci_low, ci_high)} in the KPI's own units (the marts' column names; rates in
  percent per month, handle time in minutes), from marts.initiative_effects (headline estimate, parallel pre-trends).
- base: quantities at the treated units, per month (BASE_FIELDS): active customers, their yearly net revenue and
  expected lifespan, headcount, tickets and minutes per ticket.
- assumptions: {assumption: value} (ASSUMPTIONS; marts.roi_assumptions gives value, low and high of each).

Savings per component, over the years the effect is assumed to last (effect_years):
- customers_kept = avoided churn (percentage points per month, from churn_rate, or from retention_rate with the
  sign turned) × active customers × 12 × effect_years × CLTV margin per customer (yearly net revenue × gross margin ×
  min(CLTV horizon, expected lifespan));
- employees_kept = avoided leavers (voluntary_turnover_pct points per month × headcount × 12 × effect_years) ×
  cost per leaver;
- support_cost = minutes saved (fewer reopens × minutes per ticket, plus minutes of handle time saved per ticket) ×
  tickets per month × 12 × effect_years × cost per support minute.
ROI = (savings − cost) / cost on the total; no ROI when the cost is zero or unknown.
The central figure counts only clear effects (95 % CI excluding zero; a conservative rule in the spirit of Phillips'
ROI method, D110); low and high put every effect at the limit of its 95 % CI that makes the saving smallest or
largest (a joint extreme, wider than a 95 % range of the total; D111).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

COMPONENTS = ("customers_kept", "employees_kept", "support_cost")
# The KPIs each component can be valued from, in order of preference; sign: +1 when a rise saves money.
COMPONENT_KPIS = {
    "customers_kept": (("churn_rate", -1.0), ("retention_rate", +1.0)),
    "employees_kept": (("voluntary_turnover_pct", -1.0),),
    "support_cost": (("reopen_rate", -1.0), ("handle_time_minutes", -1.0)),
}
MONEY_KPIS = tuple(kpi for options in COMPONENT_KPIS.values() for kpi, _ in options)
ASSUMPTIONS = ("gross_margin", "cltv_horizon_years", "effect_years", "cost_per_leaver", "cost_per_support_minute")
EFFECT_SIZE = "effect_size"  # the tornado's extra row: every effect at its CI bound
BASE_FIELDS = (
    "customers",
    "revenue_per_customer_year",
    "expected_lifespan_years",
    "employees",
    "tickets_per_month",
    "minutes_per_ticket",
)
LEVELS = ("low", "central", "high")


def _number(value) -> float | None:
    """A finite float, or None for missing/NaN."""
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _effect(effects: Mapping, kpi: str, level: str) -> float | None:
    row = effects.get(kpi)
    if row is None:
        return None
    estimate, ci_low, ci_high = (_number(v) for v in row)
    if level == "central":
        # The best estimate counts only a clear effect (its 95 % CI excludes zero; D110): an effect the data cannot
        # tell from none saves nothing in the central figure, while low/high still read the CI.
        return estimate if is_clear(row) else (None if estimate is None else 0.0)
    bounds = [v for v in (ci_low, ci_high) if v is not None]
    if not bounds:
        return estimate
    return min(bounds) if level == "low" else max(bounds)


def is_clear(row) -> bool:
    """An effect (estimate, ci_low, ci_high) whose 95 % CI excludes zero. A row with no CI bound at all keeps its
    estimate at every level, as before (the marts always carry a CI with an estimate)."""
    _, ci_low, ci_high = (_number(v) for v in row)
    bounds = [v for v in (ci_low, ci_high) if v is not None]
    return not bounds or min(bounds) > 0 or max(bounds) < 0


def component_is_clear(component: str, effects: Mapping) -> bool:
    """At least one of the effects a component is valued from is clear (else the page says "no clear saving")."""
    return any(is_clear(effects[kpi]) for kpi in component_kpis(component, effects))


def usable_effects(effects) -> dict[str, dict]:
    """Initiative -> {kpi: (estimate, ci_low, ci_high)} from rows of marts.initiative_effects (a pandas frame): the
    headline estimate per money KPI, only where the pre-trends were not found to differ. The one selection
    marts.initiative_roi and the page's what-if both use."""
    if effects is None or len(effects) == 0:
        return {}
    differs = effects["pretrend_differs"].astype(object).where(effects["pretrend_differs"].notna(), False)
    keep = effects[
        effects["headline"].astype(object).where(effects["headline"].notna(), False).astype(bool)
        & ~differs.astype(bool)
        & effects["kpi"].isin(MONEY_KPIS)
    ]
    out: dict[str, dict] = {}
    for row in keep.itertuples():
        out.setdefault(row.initiative_id, {})[row.kpi] = (row.estimate, row.ci_low, row.ci_high)
    return out


def component_kpis(component: str, effects: Mapping) -> list[str]:
    """The KPIs a component is valued from: customers the first of churn/retention with an estimate, support
    every one of reopens and handle time with an estimate (both count), employees voluntary turnover."""
    found = [kpi for kpi, _ in COMPONENT_KPIS[component] if _number((effects.get(kpi) or (None,))[0]) is not None]
    return found if component == "support_cost" else found[:1]


def component_kpi(component: str, effects: Mapping) -> str | None:
    """The first KPI a component is valued from (the mart's `kpi`; `kpis` lists them all, '|'-separated)."""
    found = component_kpis(component, effects)
    return found[0] if found else None


def _per_year(base: Mapping, field: str) -> float:
    return (_number(base.get(field)) or 0.0) * 12.0


def component_savings(component: str, effects: Mapping, base: Mapping, assumptions: Mapping, level: str = "central"):
    """Money saved by one component at one level of the effect ('low'|'central'|'high' read the effect's CI for the
    saving, not the KPI: 'low' is the smaller saving). None when no effect can value it or a base quantity is
    missing (no CLTV, no tickets)."""
    a = {k: _number(assumptions.get(k)) for k in ASSUMPTIONS}
    years = a["effect_years"] or 0.0
    values = []
    for bound in ("low", "high") if level != "central" else ("central",):
        if component == "customers_kept":
            kpi = component_kpi(component, effects)
            effect = _effect(effects, kpi, bound) if kpi else None
            revenue = _number(base.get("revenue_per_customer_year"))
            lifespan = _number(base.get("expected_lifespan_years"))
            if effect is None or revenue is None or lifespan is None or a["gross_margin"] is None:
                return None
            sign = dict(COMPONENT_KPIS[component])[kpi]
            margin = revenue * a["gross_margin"] * min(a["cltv_horizon_years"] or 0.0, lifespan)
            values.append(sign * effect / 100.0 * _per_year(base, "customers") * years * margin)
        elif component == "employees_kept":
            effect = _effect(effects, "voluntary_turnover_pct", bound)
            if effect is None or a["cost_per_leaver"] is None:
                return None
            values.append(-effect / 100.0 * _per_year(base, "employees") * years * a["cost_per_leaver"])
        elif component == "support_cost":
            reopen = _effect(effects, "reopen_rate", bound)
            handle = _effect(effects, "handle_time_minutes", bound)
            minutes = _number(base.get("minutes_per_ticket"))
            if (reopen is None and handle is None) or a["cost_per_support_minute"] is None:
                return None
            if reopen is not None and minutes is None:
                return None
            saved = -(reopen or 0.0) / 100.0 * (minutes or 0.0) - (handle or 0.0)
            values.append(saved * _per_year(base, "tickets_per_month") * years * a["cost_per_support_minute"])
        else:
            raise ValueError(f"unknown component {component!r}")
    value = values[0] if level == "central" else (min(values) if level == "low" else max(values))
    return value + 0.0  # no "-0.0"


def roi(savings: float | None, cost: float | None) -> float | None:
    """(savings − cost) / cost; None when the cost is zero, negative or unknown (ROI is undefined)."""
    savings, cost = _number(savings), _number(cost)
    if savings is None or cost is None or cost <= 0:
        return None
    return (savings - cost) / cost


def evaluate(effects: Mapping, base: Mapping, assumptions: Mapping, cost) -> list[dict]:
    """One dict per component plus 'total': component, kpi, kpis, savings_low/central/high, and on the total also
    cost and roi_low/central/high. A component nothing can value has savings None and does not add to the total."""
    rows = []
    totals = dict.fromkeys(LEVELS, 0.0)
    valued = False
    for component in COMPONENTS:
        used = component_kpis(component, effects)
        row = {"component": component, "kpi": used[0] if used else None, "kpis": "|".join(used) or None}
        for level in LEVELS:
            value = component_savings(component, effects, base, assumptions, level)
            row[f"savings_{level}"] = value
            if value is not None:
                totals[level] += value
                valued = True
        rows.append(row)
    total = {"component": "total", "kpi": None, "kpis": None, "cost": _number(cost)}
    for level in LEVELS:
        total[f"savings_{level}"] = totals[level] if valued else None
        total[f"roi_{level}"] = roi(total[f"savings_{level}"], cost)
    return [*rows, total]


def total_roi(effects: Mapping, base: Mapping, assumptions: Mapping, cost) -> float | None:
    return evaluate(effects, base, assumptions, cost)[-1]["roi_central"]


def scale_effects(effects: Mapping, factor: float) -> dict:
    """Every effect (estimate and CI) times factor: 'what if the effect were half as large'."""
    return {kpi: tuple(None if _number(v) is None else float(v) * factor for v in row) for kpi, row in effects.items()}


def _effects_at(effects: Mapping, level: str) -> dict:
    """Every effect moved to the CI bound that makes savings smallest ('low') or largest ('high')."""
    out = {}
    for options in COMPONENT_KPIS.values():
        for kpi, sign in options:
            if kpi not in effects:
                continue
            low, high = _effect(effects, kpi, "low"), _effect(effects, kpi, "high")
            # sign +1: a larger KPI saves more, so the low saving is at the low bound.
            pick = (low if sign > 0 else high) if level == "low" else (high if sign > 0 else low)
            out[kpi] = (pick, pick, pick)
    return out


def tornado(assumptions: Mapping, effects: Mapping, base: Mapping, cost) -> list[dict]:
    """For each assumption ({id: (value, low, high)}) and the effect size (its 95 % CI), ROI at the low and the high
    value with everything else central; sorted by swing (|ROI at high − ROI at low|), largest first. Rows whose ROI
    is undefined (no cost, nothing valued) are left out."""
    central = {k: v[0] for k, v in assumptions.items()}
    rows = []
    for name, (value, low, high) in assumptions.items():
        at_low = total_roi(effects, base, {**central, name: low}, cost)
        at_high = total_roi(effects, base, {**central, name: high}, cost)
        rows.append(
            {"assumption": name, "value": value, "low": low, "high": high, "roi_low": at_low, "roi_high": at_high}
        )
    rows.append(
        {
            "assumption": EFFECT_SIZE,
            "value": None,
            "low": None,
            "high": None,
            "roi_low": total_roi(_effects_at(effects, "low"), base, central, cost),
            "roi_high": total_roi(_effects_at(effects, "high"), base, central, cost),
        }
    )
    rows = [r for r in rows if r["roi_low"] is not None and r["roi_high"] is not None]
    for r in rows:
        r["swing"] = abs(r["roi_high"] - r["roi_low"])
    return sorted(rows, key=lambda r: (-r["swing"], r["assumption"]))


def per_unit(base: Mapping, units: int) -> dict:
    """Base quantities per treated unit: counts divided by the units, per-customer/per-ticket values unchanged."""
    counts = ("customers", "employees", "tickets_per_month")
    return {k: (_number(v) / units if k in counts and _number(v) is not None and units else v) for k, v in base.items()}


def what_if(
    effects: Mapping, extra_units: int, base_per_unit: Mapping, assumptions: Mapping, cost_per_unit
) -> list[dict]:
    """Planning: the same effects at `extra_units` more units like the treated ones, at cost_per_unit each
    ("if a similar training lifted retention by X at Y more stores"). Same rows as evaluate()."""
    counts = ("customers", "employees", "tickets_per_month")
    base = {
        k: (_number(v) * extra_units if k in counts and _number(v) is not None else v) for k, v in base_per_unit.items()
    }
    cost = None if _number(cost_per_unit) is None else float(cost_per_unit) * extra_units
    return evaluate(effects, base, assumptions, cost)
