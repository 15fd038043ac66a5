"""The Impact & ROI page served by `streamlit run` and read by headless Chromium (tests/test_dashboard_browser.py
says how the browser is found and started): the owner opens the page, picks an initiative, and its effect cards,
verdicts and charts are drawn; a screenshot of the whole page goes to the test's tmp dir."""

from __future__ import annotations

import re

import pytest

from tests.dashboard_expectations import sql
from tests.impact_sample import TRAINING, impact_marts
from tests.serving_fixture import sample_tables, write_serving_db
from tests.test_dashboard_browser import (
    RENDER_TIMEOUT_MS,
    metric_text,
    owner_on_page,
    require_chromium,
    save_screenshot,
)

pytestmark = pytest.mark.browser


def test_impact_page_in_headless_chromium(tmp_path):
    require_chromium()

    serving_db = write_serving_db(tmp_path / "serving" / "empathy_lake.duckdb", {**sample_tables(), **impact_marts()})
    [(name, csat)] = sql(
        serving_db,
        "SELECT initiative_name, estimate FROM marts.initiative_effects "
        "WHERE initiative_id = ? AND kpi = 'csat_pct' AND headline",
        [TRAINING],
    )
    [(roi_central,)] = sql(
        serving_db,
        "SELECT roi_central FROM marts.initiative_roi WHERE initiative_id = ? AND component = 'total'",
        [TRAINING],
    )

    with owner_on_page(serving_db, tmp_path, "impact_roi", 4200) as page:
        page.get_by_role("heading", name="Impact & ROI").first.wait_for(timeout=RENDER_TIMEOUT_MS)
        picker = page.get_by_test_id("stSelectbox").filter(has_text="Initiative")
        picker.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        picker.click()
        page.get_by_role("option", name=name).click()
        page.get_by_role("heading", name=name).first.wait_for(timeout=RENDER_TIMEOUT_MS)
        assert metric_text(page, "CSAT %") == f"+{csat:.1f} points"
        verdict = page.get_by_text("CSAT rose 9.8 points more at the three locations where it ran than elsewhere")
        verdict.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        assert metric_text(page, "Return on investment") == f"{roi_central * 100:+,.0f} %"
        page.get_by_text("No clear change in NPS").wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        charts = page.get_by_test_id("stVegaLiteChart")
        charts.nth(3).wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)  # event study, tornado, drivers, chain
        assert charts.first.locator("svg text").filter(has_text=re.compile(r"^Start$")).count() == 1
        page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=RENDER_TIMEOUT_MS)
        assert save_screenshot(page, tmp_path, "impact_roi.png").stat().st_size > 0


def test_impact_page_on_a_real_pipeline_run_in_headless_chromium(tmp_path, built_lake):
    """The demo's EMP-TRAIN-1 on a real pipeline run's serving copy: its CSAT card shows the mart's estimate, the
    event study marks the start; screenshot impact_roi_demo.png."""
    require_chromium()
    assert built_lake.success
    serving_db = built_lake.settings.serving_db
    [(name, csat)] = sql(
        serving_db,
        "SELECT initiative_name, estimate FROM marts.initiative_effects "
        "WHERE initiative_id = 'EMP-TRAIN-1' AND kpi = 'csat_pct' AND unit_type = 'location' AND headline",
    )
    several = sql(serving_db, "SELECT count(DISTINCT initiative_id) > 1 FROM marts.initiative_effects")[0][0]

    with owner_on_page(serving_db, tmp_path, "impact_roi", 4200) as page:
        page.get_by_role("heading", name="Impact & ROI").first.wait_for(timeout=RENDER_TIMEOUT_MS)
        if several:
            picker = page.get_by_test_id("stSelectbox").filter(has_text="Initiative")
            picker.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
            picker.click()
            page.get_by_role("option", name=name).click()
        page.get_by_role("heading", name=name).first.wait_for(timeout=RENDER_TIMEOUT_MS)
        label = page.get_by_test_id("stMetricLabel").get_by_text(re.compile(r"^CSAT %( · per location)?$"))
        card = page.get_by_test_id("stMetric").filter(has=label)
        value = card.first.get_by_test_id("stMetricValue")
        value.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        assert value.inner_text().strip() == f"{csat:+.1f} points".replace("-", "−")
        charts = page.get_by_test_id("stVegaLiteChart")
        charts.first.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        assert charts.first.locator("svg text").filter(has_text=re.compile(r"^Start$")).count() == 1
        page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=RENDER_TIMEOUT_MS)
        assert save_screenshot(page, tmp_path, "impact_roi_demo.png").stat().st_size > 0
