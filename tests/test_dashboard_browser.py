"""The real thing: `streamlit run` serving the dashboard, read by headless Chromium through Playwright.

Needs Debian's chromium at /usr/bin/chromium (`make browser`; Playwright cannot download a browser here,
docs/stack_pitfalls.md #6). Without it the test is skipped, unless EMPATHY_LAKE_REQUIRE_BROWSER is set (CI
sets it), in which case a missing browser is a failure. Anything else that goes wrong once chromium exists fails.
Screenshots go to the test's tmp_path and, if EMPATHY_LAKE_SCREENSHOT_DIR is set, there as well.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.dashboard_expectations import (
    assert_shows,
    customer_default_month,
    latest_load,
    months,
    shown_number,
    sql,
    sql_customer_kpi,
    sql_nps,
)
from tests.dashboard_login import Login, session_users
from tests.serving_fixture import sample_serving_db

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 90  # seconds; a cold start imports pandas, duckdb and streamlit on 2 shared cores
RENDER_TIMEOUT_MS = 60_000


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} not found: install Debian's chromium (`make browser`) to run the browser test"
    if os.environ.get("EMPATHY_LAKE_REQUIRE_BROWSER"):
        pytest.fail(reason + " (EMPATHY_LAKE_REQUIRE_BROWSER is set)")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(serving_db: Path, log_path: Path, auth_config: Path | None = None) -> Iterator[str]:
    """Serve the dashboard on a free port until the block ends; the server is always stopped. Its users are
    `auth_config`'s (default: one per role, tests/dashboard_login.py)."""
    port = free_port()
    auth_config = auth_config or session_users().config
    env = {**os.environ, "EMPATHY_LAKE_SERVING_DB": str(serving_db), "EMPATHY_LAKE_AUTH_CONFIG": str(auth_config)}
    command = [sys.executable, "-m", "streamlit", "run", "streamlit_app/app.py"]
    command += ["--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1"]
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_healthy(server, url, log_path)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=15)


def wait_until_healthy(server: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"streamlit exited with {server.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"streamlit not healthy after {SERVER_START_TIMEOUT} s:\n{log_path.read_text()}")


def log_in(page, url: str | None, login: Login | None = None) -> None:
    """Open the dashboard (`url`; None: the page as it is) and log in through its form (default: the owner); wait
    until the menu is drawn."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    login = login or session_users()["owner"]
    if url is not None:
        page.goto(url, wait_until="domcontentloaded")
    log_out = page.get_by_role("button", name="Log out")
    for attempt in range(2):
        page.get_by_role("textbox", name="Username").wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        # The re-login cookie component reruns the script once it has loaded, redrawing the form: type only
        # once the app is idle, or a loaded machine can lose what was typed before the rerun.
        page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=RENDER_TIMEOUT_MS)
        page.get_by_role("textbox", name="Username").fill(login.username)
        page.get_by_role("textbox", name="Password").fill(login.password)
        page.get_by_role("button", name="Log in").click()
        try:
            log_out.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS // (2 - attempt))
            return
        except PlaywrightTimeoutError:
            if attempt or page.get_by_role("textbox", name="Username").count() == 0:
                raise


def open_page(page, address: str) -> None:
    """Go to the page at URL path `address` (e.g. "alerts") as a user does: its link in the sidebar, in the same
    session. (Typing the URL starts a new session, which signs in again only once the login cookie's component has
    answered; under CI's load that answer came after the test's minute, and the form asked again.)"""
    link = page.get_by_test_id("stSidebarNav").locator(f'a[href$="/{address}"]')
    link.wait_for(state="attached", timeout=RENDER_TIMEOUT_MS)
    if not link.is_visible():  # a long menu folds its last links under "View more"
        page.get_by_test_id("stSidebarNav").get_by_role("button", name=re.compile("View")).first.click()
    link.click()
    page.wait_for_url(f"**/{address}", timeout=RENDER_TIMEOUT_MS)


def metric_text(page, label: str) -> str:
    """The value of the st.metric card labelled exactly `label`, once it has rendered."""
    # Streamlit marks an element left from the previous script run `data-stale="true"` until the new run replaces
    # or removes it: only the current run's cards count.
    current = page.locator('[data-testid="stElementContainer"]:not([data-stale="true"])')
    card = current.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
    value = card.get_by_test_id("stMetricValue")
    # While Streamlit re-runs the script (the login cookie component triggers one after it loads), the last
    # run's elements stay on screen until the new ones replace them, so a card can briefly exist twice.
    # Read it once the page is idle and the card is unique again.
    deadline = time.monotonic() + RENDER_TIMEOUT_MS / 1000
    while True:
        value.first.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=RENDER_TIMEOUT_MS)
        if value.count() == 1 or time.monotonic() > deadline:
            return value.inner_text().strip()
        time.sleep(0.25)


def save_screenshot(page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    if extra := os.environ.get("EMPATHY_LAKE_SCREENSHOT_DIR"):
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / name)
    return path


@contextmanager
def owner_on_page(serving_db: Path, tmp_path: Path, address: str, height: int) -> Iterator:
    """Serve `serving_db`, log the owner in through the form in headless Chromium, open `address` (a page's URL
    path, e.g. "alerts") and yield the browser page; the server and the browser always stop."""
    from playwright.sync_api import sync_playwright

    with streamlit_server(serving_db, tmp_path / "streamlit.log") as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": height})
            log_in(page, url)
            open_page(page, address)
            yield page
        finally:
            browser.close()


def test_dashboard_in_headless_chromium(tmp_path):
    require_chromium()
    from playwright.sync_api import sync_playwright

    serving_db = sample_serving_db(tmp_path)
    expected_nps = sql_nps(serving_db, months(serving_db)[0])
    expected_read = sql(
        serving_db, "SELECT sum(rows_read) FROM meta.load_report WHERE load_id = ?", [latest_load(serving_db)]
    )[0][0]
    expected_fcr = sql_customer_kpi(serving_db, "FCR %", customer_default_month(serving_db))

    with streamlit_server(serving_db, tmp_path / "streamlit.log") as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 2000})
            log_in(page, url)
            open_page(page, "overview")  # the default page is This week (D150)
            assert_shows(metric_text(page, "NPS"), expected_nps)
            page.get_by_test_id("stVegaLiteChart").first.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
            page.get_by_test_id("stDataFrame").first.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
            assert save_screenshot(page, tmp_path, "overview.png").stat().st_size > 0
            # The repository's .streamlit/config.toml (toolbarMode "viewer"): no Deploy button, as with `serve`.
            page.get_by_test_id("stMainMenu").wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
            assert page.get_by_test_id("stAppDeployButton").count() == 0

            open_page(page, "data_quality")
            assert shown_number(metric_text(page, "Rows read")) == expected_read
            assert metric_text(page, "Read = loaded + quarantined + excluded") == "yes"
            page.get_by_test_id("stDataFrame").first.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
            assert save_screenshot(page, tmp_path, "data_quality.png").stat().st_size > 0

            open_page(page, "customer_empathy")
            assert_shows(metric_text(page, "FCR %"), expected_fcr)
            page.get_by_test_id("stVegaLiteChart").nth(1).wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
            page.get_by_test_id("stDataFrame").last.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
            assert save_screenshot(page, tmp_path, "customer_empathy.png").stat().st_size > 0
        finally:
            browser.close()


def test_employee_page_in_headless_chromium(tmp_path, built_lake):
    """The Employee empathy page on a real pipeline run's serving copy (the fixture's employee marts are
    empty): the eNPS card equals SQL, and the heatmap draws every suppressed team as "suppressed" with its
    short reason — as many such cells as the mart has suppressed rows."""
    require_chromium()

    assert built_lake.success
    serving_db = built_lake.settings.serving_db
    wave, enps = sql(
        serving_db,
        "SELECT wave, 100.0 * (promoters - detractors) / nullif(responses, 0) FROM marts.employee_enps_wave "
        "WHERE breakdown = 'org' ORDER BY wave_month DESC, wave DESC LIMIT 1",
    )[0]
    suppressed = sql(
        serving_db,
        "SELECT suppression_reason FROM marts.employee_survey_dimension_wave WHERE wave = ? AND breakdown = 'team' "
        "AND suppressed AND dimension IN ('engagement', 'wellbeing', 'manager_empathy', 'presenteeism')",
        [wave],
    )
    assert suppressed, "the session data must hold a suppressed team"
    codes = {"n < " + r.split()[2] if r.startswith("fewer than") else "protects a hidden group" for (r,) in suppressed}

    with owner_on_page(serving_db, tmp_path, "employee_empathy", 4000) as page:
        assert_shows(metric_text(page, "eNPS"), enps)
        heatmap = page.get_by_test_id("stVegaLiteChart").first
        heatmap.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        # Vega renders SVG: each suppressed cell is one text mark, "suppressed" over its reason code.
        marks = heatmap.locator("svg text").filter(has_text="suppressed")
        marks.first.wait_for(state="attached", timeout=RENDER_TIMEOUT_MS)
        texts = [t.replace("\n", " ") for t in marks.all_text_contents()]
        assert len(texts) == len(suppressed), texts
        assert {t.removeprefix("suppressed").strip() for t in texts} == codes
        assert save_screenshot(page, tmp_path, "employee_empathy.png").stat().st_size > 0


def test_alerts_page_in_headless_chromium(tmp_path, built_lake):
    """The Alerts page on a real pipeline run's serving copy: the open-alert count equals SQL on meta.alerts,
    the table and the selected alert's reason and trend chart render."""
    require_chromium()

    assert built_lake.success
    serving_db = built_lake.settings.serving_db
    [(open_alerts,)] = sql(serving_db, "SELECT count(*) FROM meta.alerts WHERE status = 'open'")
    assert open_alerts > 0, "the session data must raise alerts"

    with owner_on_page(serving_db, tmp_path, "alerts", 2400) as page:
        assert shown_number(metric_text(page, "Open alerts")) == open_alerts
        page.get_by_test_id("stDataFrame").first.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        page.get_by_text("Why did it fire?").wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        page.get_by_test_id("stVegaLiteChart").first.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        assert save_screenshot(page, tmp_path, "alerts.png").stat().st_size > 0


# Restated from the brief: each role's pages by title, and the heading of its first page. Streamlit draws no
# menu for a single page.
ROLE_PAGES = {
    "owner": {"This week", "Overview", "Customer empathy", "Employee empathy", "Brand & voice", "Alerts"}
    | {"Data quality", "Impact & ROI", "Support team"},
    "hr": {"This week", "Employee empathy"},
    "analyst": {"This week", "Overview", "Customer empathy", "Brand & voice", "Impact & ROI"},
    "steward": {"Data quality"},
    "location-manager": {"This week", "Overview", "Customer empathy", "Employee empathy", "Brand & voice", "Alerts"}
    | {"Support team"},
    "team-manager": {"This week", "Employee empathy", "Alerts", "Support team"},
}
FIRST_HEADING = {  # every role that sees an area of the summary lands on it (D150)
    "owner": "This week",
    "hr": "This week",
    "analyst": "This week",
    "steward": "Data quality",
    "location-manager": "This week",
    "team-manager": "This week",
}


def menu(page) -> set[str]:
    """The titles of the sidebar's page links (each link's text is its icon's name, then its title)."""
    page.get_by_role("button", name="Log out").wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
    return {
        t.split("\n")[-1].strip() for t in page.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()
    }


def absent(page, label: str, heading: str) -> bool:
    """No metric card labelled `label` once the page headed `heading` has been drawn and has finished running."""
    page.get_by_role("heading", name=heading).first.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=RENDER_TIMEOUT_MS)
    return page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True).count() == 0


def test_each_role_in_headless_chromium(tmp_path):
    """Every role logs in through the real form in its own browser context: its menu, the numbers it sees
    (a location manager's NPS is their location's, by SQL), and a page outside its role opened by URL shows
    nothing of that page. Without a login there is only the form."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    from tests.dashboard_login import user_specs, write_users

    serving_db = sample_serving_db(tmp_path)
    latest = months(serving_db)[0]
    location = sql(serving_db, "SELECT min(location) FROM marts.customer_nps_monthly")[0][0]
    users = write_users(tmp_path, user_specs(location=location))
    location_nps = sql(
        serving_db,
        "SELECT 100.0 * (sum(promoters) - sum(detractors)) / sum(responses) FROM marts.customer_nps_monthly "
        "WHERE month = ? AND location = ?",
        [latest, location],
    )[0][0]
    expected_read = sql(
        serving_db, "SELECT sum(rows_read) FROM meta.load_report WHERE load_id = ?", [latest_load(serving_db)]
    )[0][0]

    with (
        streamlit_server(serving_db, tmp_path / "streamlit.log", users.config) as url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            anonymous = browser.new_context(viewport={"width": 1440, "height": 1200}).new_page()
            anonymous.goto(f"{url}/data_quality", wait_until="domcontentloaded")
            anonymous.get_by_role("button", name="Log in").wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
            assert absent(anonymous, "Rows read", "Log in to Empathy Lake")
            assert anonymous.get_by_test_id("stSidebarNav").count() == 0
            save_screenshot(anonymous, tmp_path, "role_none.png")

            for username, titles in ROLE_PAGES.items():
                page = browser.new_context(viewport={"width": 1440, "height": 2000}).new_page()
                log_in(page, url, users[username])
                assert menu(page) == (titles if len(titles) > 1 else set()), username
                page.get_by_role("heading", name=FIRST_HEADING[username]).first.wait_for(timeout=RENDER_TIMEOUT_MS)
                if username in ("owner", "location-manager"):
                    open_page(page, "overview")
                    page.get_by_role("heading", name="Customer empathy overview").first.wait_for(
                        timeout=RENDER_TIMEOUT_MS
                    )
                if username == "owner":
                    assert_shows(metric_text(page, "NPS"), sql_nps(serving_db, latest))
                if username == "location-manager":
                    assert_shows(metric_text(page, "NPS"), location_nps)
                    assert round(location_nps, 1) != round(sql_nps(serving_db, latest), 1)
                if username == "steward":
                    assert shown_number(metric_text(page, "Rows read")) == expected_read
                save_screenshot(page, tmp_path, f"role_{username}.png")
                if "Data quality" not in titles:
                    # A URL opened by hand starts a new session: the login cookie signs the user in again and the
                    # page is not found; or, when the cookie's component has not answered (seen under CI's load), the
                    # form asks again, as it would a user, and logging in leads to the user's own first page.
                    page.goto(f"{url}/data_quality", wait_until="domcontentloaded")
                    not_found = page.get_by_text("Page not found")
                    asked = page.get_by_role("textbox", name="Username")
                    not_found.or_(asked).first.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
                    if not not_found.is_visible():
                        assert absent(page, "Rows read", "Log in to Empathy Lake"), username
                        log_in(page, None, users[username])
                    assert absent(page, "Rows read", FIRST_HEADING[username]), username
                    assert menu(page) == (titles if len(titles) > 1 else set())
                    save_screenshot(page, tmp_path, f"role_{username}_data_quality_by_url.png")
                page.context.close()
        finally:
            browser.close()


def test_a_page_prints_to_pdf_without_the_sidebar(tmp_path):
    """Printing a page (streamlit_app/printing.py): the sidebar's button opens the browser's print dialog for
    the whole page, and what "Save as PDF" writes — Chromium's own print renderer, page.pdf() with print media —
    holds the page's title and its KPI card on the first sheet, and none of the sidebar (login, publication,
    the button itself). The PDF and its first sheet are kept beside the screenshots."""
    require_chromium()
    from pypdf import PdfReader

    serving_db = sample_serving_db(tmp_path)
    expected_nps = sql_customer_kpi(serving_db, "NPS", customer_default_month(serving_db))
    pdf = tmp_path / "customer_empathy.pdf"

    with owner_on_page(serving_db, tmp_path, "customer_empathy", 1200) as page:
        shown_nps = metric_text(page, "NPS")
        assert_shows(shown_nps, expected_nps)
        title = page.get_by_test_id("stHeading").locator("h1").first.inner_text().strip()
        page.get_by_test_id("stVegaLiteChart").first.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        page.get_by_test_id("stDataFrame").last.wait_for(state="visible", timeout=RENDER_TIMEOUT_MS)
        last_section = page.get_by_test_id("stHeading").locator("h2").last.inner_text().strip()

        # The button prints the page around its iframe (window.print replaced by a counter: headless Chromium
        # has no dialog to show). The expression ends in a number: Playwright would call a function result.
        page.evaluate("window.printCalls = 0; window.print = () => { window.printCalls += 1; }; 0")
        button = page.frame_locator('[data-testid="stIFrame"]').get_by_role("button", name="Print or save as PDF")
        button.click()
        assert page.evaluate("window.printCalls") == 1

        page.pdf(path=str(pdf), format="A4", print_background=True)
        save_screenshot(page, tmp_path, "customer_empathy_print_page.png")
    if extra := os.environ.get("EMPATHY_LAKE_SCREENSHOT_DIR"):
        shutil.copy(pdf, Path(extra) / pdf.name)

    sheets = [sheet.extract_text() for sheet in PdfReader(pdf).pages]
    first = sheets[0]
    assert title and title in first, first
    assert shown_nps in first, first
    for sidebar_text in ("Log out", "Print or save as PDF", "Published", "tables ·"):
        assert sidebar_text not in "\n".join(sheets), sidebar_text
    # The whole page is printed, not one screenful: its last section is in the PDF, on a sheet of its own.
    assert last_section and any(sheet.lstrip().startswith(last_section) for sheet in sheets[1:]), sheets
