"""The headline KPIs of the "This week" summary: the one place each one's area, label, unit, direction, the noun
of its n, its decimals, its order on the page and its measure are written (docs/decisions.md D302).

The detail pages take the label of a KPI they share with the summary from here (customer_kpis, brand_kpis, the
Employee empathy page), and dbt reads the same rows from macro summary_kpi_catalog, whose file is generated
from this list — never edited by hand:

    uv run python -m streamlit_app.kpi_catalog

(tests/test_kpi_catalog.py fails while the macro differs from this list). The dashboard deploys alone: this
module is its own, and dbt only reads the file written from it.

measure: 'ratio' (a share or mean of its n, which a small n makes unreliable) or 'count' (the n itself:
headcount, mentions). unit 'money' is written with the dashboard's currency; 'pts' for NPS-like scores.
higher_is_better None: a count with no better direction.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class SummaryKpi:
    area: str
    kpi: str
    kpi_label: str
    unit: str
    higher_is_better: bool | None
    n_noun: str
    decimals: int
    sort_order: int
    measure: str


SUMMARY_KPIS = (
    SummaryKpi("Customers", "nps", "NPS", "pts", True, "answers", 1, 10, "ratio"),
    SummaryKpi("Customers", "csat_pct", "CSAT %", "%", True, "answers", 1, 20, "ratio"),
    SummaryKpi("Customers", "churn_pct", "Churn %", "%", False, "customers", 1, 30, "ratio"),
    SummaryKpi("Customers", "aov", "AOV", "money", True, "orders", 2, 40, "ratio"),
    SummaryKpi("Support", "fcr_pct", "FCR %", "%", True, "resolved tickets", 1, 50, "ratio"),
    SummaryKpi("Support", "first_reply_minutes", "First reply time", "min", False, "replied tickets", 1, 60, "ratio"),
    SummaryKpi("Support", "ces_mean", "CES mean", "", True, "answers", 2, 70, "ratio"),
    SummaryKpi("Employees", "turnover_pct", "Turnover %", "%", False, "staff in the month", 1, 80, "ratio"),
    SummaryKpi("Employees", "headcount", "Headcount", "", None, "staff at month end", 0, 90, "count"),
    SummaryKpi("Employees", "enps", "eNPS", "pts", True, "answers", 1, 100, "ratio"),
    SummaryKpi("Employees", "absence_pct", "Lost worktime %", "%", False, "staff in the month", 1, 110, "ratio"),
    SummaryKpi("Brand", "review_rating", "Mean rating", "", True, "reviews", 2, 120, "ratio"),
    SummaryKpi("Brand", "brand_sentiment", "Brand sentiment", "pts", True, "scored texts", 1, 130, "ratio"),
    SummaryKpi("Brand", "mention_volume", "Mentions", "", None, "mentions", 0, 140, "count"),
)
BY_KEY = {k.kpi: k for k in SUMMARY_KPIS}


def label(kpi: str) -> str:
    """The one label of a summary KPI (`nps`, `csat_pct`, `turnover_pct`...), on every page that shows it."""
    return BY_KEY[kpi].kpi_label


def decimals(kpi: str) -> int:
    """The one rounding of a summary KPI, on every page that shows it (walk s18: first reply 142 vs 141.8 min)."""
    return BY_KEY[kpi].decimals


MACRO_FILE = Path(__file__).resolve().parent.parent / "dbt_project" / "macros" / "summary_kpi_catalog.sql"


def _sql(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def macro_sql() -> str:
    """dbt macro summary_kpi_catalog: SUMMARY_KPIS as a VALUES list (dbt_project/macros/summary_kpi_catalog.sql)."""
    rows = ",\n".join(f"    ({', '.join(_sql(v) for v in astuple(k))})" for k in SUMMARY_KPIS)
    columns = ", ".join(f.name for f in fields(SummaryKpi))
    return (
        "{#- GENERATED from streamlit_app/kpi_catalog.py (the one list of the summary's headline KPIs, D302): change\n"
        "    the list there and run `uv run python -m streamlit_app.kpi_catalog`; never edit this file by hand.\n"
        "    Each KPI's area, label, unit, direction (NULL: a count with no better direction), the noun of its n,\n"
        "    decimals, order on the page and measure ('ratio' or 'count'), for marts.kpi_summary(_monthly). -#}\n"
        "{% macro summary_kpi_catalog() -%}\n"
        "    select * from (values\n"
        f"{rows}\n"
        f") as t ({columns})\n"
        "{%- endmacro %}\n"
    )


if __name__ == "__main__":
    MACRO_FILE.write_text(macro_sql(), encoding="utf-8")
    print(f"wrote {MACRO_FILE.relative_to(MACRO_FILE.parents[2])}")
