"""Printing a page (streamlit_app/printing.py) in AppTest: every logged-in page has the print button in its
sidebar and the print stylesheet; the login form has neither. What the printout holds is checked in the real
browser (tests/test_dashboard_browser.py::test_a_page_prints_to_pdf_without_the_sidebar)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from streamlit_app.printing import PRINT_LABEL
from tests.serving_fixture import sample_serving_db
from tests.test_dashboard_apptest import run_app


def elements(node, kind: str) -> list:
    """Every element of type `kind` ("iframe", "html") under `node`, however deeply nested."""
    found = [node] if getattr(node, "type", None) == kind else []
    for child in getattr(node, "children", {}).values():
        found += elements(child, kind)
    return found


def print_parts(at: AppTest) -> tuple[list[str], list[str]]:
    """The sidebar's iframes' documents and the whole app's HTML bodies."""
    frames = [e.proto.srcdoc for e in elements(at.sidebar, "iframe")]
    bodies = [e.proto.body for e in elements(at._tree, "html")]
    return frames, bodies


def test_every_page_has_the_print_button_and_stylesheet_after_login(tmp_path, monkeypatch):
    db = sample_serving_db(tmp_path)
    at = run_app(monkeypatch, db, user=None)
    assert print_parts(at) == ([], [])  # the login form: nothing to print yet

    at = run_app(monkeypatch, db, user="steward")  # one page (Data quality), drawn from app.py like every page
    frames, bodies = print_parts(at)
    [button] = frames
    assert "window.parent.print()" in button and PRINT_LABEL in button
    [stylesheet] = [b for b in bodies if "@media print" in b]
    assert '[data-testid="stSidebar"]' in stylesheet
