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
    CHROMIUM,
    CHROMIUM_ARGS,
    RENDER_TIMEOUT_MS,
    log_in,
    metric_text,
    require_chromium,
    save_screenshot,
    streamlit_server,
)

pytestmark = pytest.mark.browser


def test_impact_page_in_headless_chromium(tmp_path):
    require_chromium()
    from playwright.sync_api import sync_playwright

    serving_db = write_serving_db(tmp_path / "serving" / "empathy_lake.duckdb", {**sample_tables(), **impact_marts()})
    [(name, csat)] = sql(
        serving_db,
        "SELECT initiative_name, estimate FROM marts.initiative_effects "
        "WHERE initiative_id = ? AND kpi = 'csat_pct' AND headline",
        [TRAINING],
    )

    with streamlit_server(serving_db, tmp_path / "streamlit.log") as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 4200})
            log_in(page, url)
            page.goto(f"{url}/impact_roi", wait_until="domcontentloaded")
            page.get_by_role("heading", name="Impact & ROI").first.wait_for(timeout=RENDER_TIMEOUT_MS)
            picker = page.get_by_test_id("stSelectbox").filter(has_text="Initiative")
            picker.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
            picker.click()
            page.get_by_role("option", name=name).click()
            page.get_by_role("heading", name=name).first.wait_for(timeout=RENDER_TIMEOUT_MS)
            assert metric_text(page, "CSAT %") == f"+{csat:.1f} points"
            verdict = page.get_by_text("CSAT rose 9.8 points more at the three locations where it ran than elsewhere")
            verdict.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
            page.get_by_text("No clear change in NPS").wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
            charts = page.get_by_test_id("stVegaLiteChart")
            charts.nth(2).wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)  # event study, drivers, chain
            assert charts.first.locator("svg text").filter(has_text=re.compile(r"^Start$")).count() == 1
            page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=RENDER_TIMEOUT_MS)
            assert save_screenshot(page, tmp_path, "impact_roi.png").stat().st_size > 0
        finally:
            browser.close()
