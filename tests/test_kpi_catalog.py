"""One label per KPI (docs/decisions.md D302): This week's cards (marts.kpi_summary.kpi_label, from dbt macro
summary_kpi_catalog) and the detail pages' cards name every KPI they share alike, because the macro is generated
from the dashboard's one list (streamlit_app/kpi_catalog.py).

The pages are checked where their tests already render them on the session lake (no extra renders):
tests/test_summary_page.py (This week), tests/test_dashboard_customer.py and tests/test_dashboard_employee.py call
assert_named_as_on_this_week; Brand & voice is rendered here."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from streamlit_app import kpi_catalog
from tests.lake_helpers import BuiltLake
from tests.test_dashboard_apptest import open_app_page

# The KPIs This week shares with a detail page's cards, per page (restated, not read from the code).
SHARED = {
    "customer_empathy": ("nps", "csat_pct", "churn_pct", "aov", "fcr_pct", "ces_mean", "first_reply_minutes"),
    "employee_empathy": ("enps", "turnover_pct"),
    "brand_voice": ("brand_sentiment", "review_rating"),
}


def published_labels(db: Path) -> dict[str, str]:
    """kpi -> the label This week shows for it (marts.kpi_summary, as the page reads it)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("SELECT DISTINCT kpi, kpi_label FROM marts.kpi_summary").fetchall())


def assert_named_as_on_this_week(db: Path, at, page: str) -> None:
    """Every KPI `page` shares with This week has a card on `at` (the rendered page) under This week's label."""
    shown = {m.label for m in at.metric}
    published = published_labels(db)
    for key in SHARED[page]:
        assert published[key] in shown, (page, key, published[key], sorted(shown))


def test_the_dbt_macro_is_generated_from_the_dashboards_list():
    """dbt_project/macros/summary_kpi_catalog.sql is exactly what streamlit_app/kpi_catalog.py writes: a label
    edited in one place only fails here (regenerate with `uv run python -m streamlit_app.kpi_catalog`)."""
    assert kpi_catalog.MACRO_FILE.read_text(encoding="utf-8") == kpi_catalog.macro_sql()


def test_brand_and_voice_names_its_kpis_as_this_week_does(monkeypatch, built_lake: BuiltLake):
    assert built_lake.success
    db = built_lake.settings.serving_db
    assert_named_as_on_this_week(db, open_app_page(monkeypatch, db, "app_pages/brand_voice.py"), "brand_voice")


@pytest.mark.parametrize("kpi", [k.kpi for k in kpi_catalog.SUMMARY_KPIS])
def test_every_summary_kpi_has_one_label(kpi):
    labels = [k.kpi_label for k in kpi_catalog.SUMMARY_KPIS]
    assert labels.count(kpi_catalog.label(kpi)) == 1


def test_a_shared_kpi_is_rounded_alike_on_every_page():
    """One rounding per KPI (walk s19): a KPI This week shares with a detail page's card shows the same number of
    decimals on both (the catalog's `decimals`), so a reader never sees 142 min on one page and 141.8 on another."""
    from streamlit_app import brand_kpis, customer_kpis

    by_label = {k.kpi_label: k for k in kpi_catalog.SUMMARY_KPIS}
    cards = [*customer_kpis.CARD_KPIS, brand_kpis.SENTIMENT, brand_kpis.RATING]
    shared = [card for card in cards if card.label in by_label]
    assert len(shared) >= 8, [c.label for c in shared]
    for card in shared:
        assert card.decimals == by_label[card.label].decimals, (card.label, card.decimals, by_label[card.label])
