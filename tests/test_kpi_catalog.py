"""One label per KPI (docs/decisions.md D302): This week's cards (marts.kpi_summary.kpi_label, from dbt macro
summary_kpi_catalog) and the detail pages' cards name every KPI they share alike, because the macro is generated
from the dashboard's one list (streamlit_app/kpi_catalog.py)."""

from __future__ import annotations

import pytest

from streamlit_app import kpi_catalog
from tests.lake_helpers import BuiltLake
from tests.test_dashboard_apptest import rerun, run_app

# The KPIs This week shares with a detail page's cards, and that page (restated, not read from the code).
SHARED = {
    "app_pages/customer_empathy.py": ("nps", "csat_pct", "churn_pct", "aov", "fcr_pct", "ces_mean")
    + ("first_reply_minutes",),
    "app_pages/employee_empathy.py": ("enps", "turnover_pct"),
    "app_pages/brand_voice.py": ("brand_sentiment", "review_rating"),
}


def test_the_dbt_macro_is_generated_from_the_dashboards_list():
    """dbt_project/macros/summary_kpi_catalog.sql is exactly what streamlit_app/kpi_catalog.py writes: a label
    edited in one place only fails here (regenerate with `uv run python -m streamlit_app.kpi_catalog`)."""
    assert kpi_catalog.MACRO_FILE.read_text(encoding="utf-8") == kpi_catalog.macro_sql()


def test_this_week_and_the_detail_pages_name_each_shared_kpi_alike(monkeypatch, built_lake: BuiltLake):
    assert built_lake.success
    db = built_lake.settings.serving_db
    published = dict(built_lake.query("SELECT DISTINCT kpi, kpi_label FROM marts.kpi_summary", serving=True))
    summary = run_app(monkeypatch, db)  # This week is the owner's first page
    assert summary.title[0].value == "This week"
    this_week = {m.label for m in summary.metric}
    for page, keys in SHARED.items():
        detail = {m.label for m in rerun(run_app(monkeypatch, db).switch_page(page)).metric}
        for key in keys:
            label = published[key]
            assert label in this_week, (key, label, sorted(this_week))
            assert label in detail, (page, key, label, sorted(detail))


@pytest.mark.parametrize("kpi", [k.kpi for k in kpi_catalog.SUMMARY_KPIS])
def test_every_summary_kpi_has_one_label(kpi):
    labels = [k.kpi_label for k in kpi_catalog.SUMMARY_KPIS]
    assert labels.count(kpi_catalog.label(kpi)) == 1
