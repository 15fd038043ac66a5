"""Print a page, or save it as PDF, with the browser's own print (docs/dashboard.md, "Printing a page").

Two pieces, both drawn from app.py so every page has them without editing the pages:

- PRINT_STYLESHEET, a print-only stylesheet (st.html with nothing but a <style> goes to Streamlit's event
  container and takes no space). On paper the page keeps its title, cards, charts and tables; the sidebar,
  the toolbar and header, buttons, download buttons and tables' hover toolbars are left out. Streamlit draws
  the page inside a full-height scrolling container, which a browser would print as one screenful: print
  lets it grow to its content. Each section (st.header) after the first starts a new sheet; a heading stays
  with what follows it and a card, chart or table is not split across sheets.
- a button (print_controls draws both) that opens the browser's print dialog for the whole page. Streamlit
  runs scripts only inside an iframe (st.iframe; its sandbox allows scripts and same-origin access to the app),
  so the button prints its parent window, the page around it. "Save as PDF" in that dialog writes the file; what it
  writes is what tests/test_dashboard_browser.py checks with Chromium's own print renderer.
"""

from __future__ import annotations

import streamlit as st

PRINT_LABEL = "Print or save as PDF"

# Streamlit's data-testid attributes are the stable hooks its own tests use.
PRINT_STYLESHEET = """
<style>
@media print {
  @page { margin: 12mm; }  /* no size: the dialog keeps its paper and portrait / landscape choice */
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stBottom"], [data-testid="stElementToolbar"], [data-testid="stButton"],
  [data-testid="stDownloadButton"], [data-testid="stFormSubmitButton"], [data-testid="stLinkButton"],
  [data-testid="stIFrame"], iframe, header, footer { display: none !important; }
  html, body, .stApp, [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"],
  [data-testid="stMainBlockContainer"] {
    height: auto !important; min-height: 0 !important; overflow: visible !important;
    position: static !important;
  }
  [data-testid="stMain"] { margin-left: 0 !important; }
  [data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 0 !important; }
  [data-testid="stElementContainer"]:has(h2) ~ [data-testid="stElementContainer"]:has(h2) {
    break-before: page;
  }
  /* Block flow instead of Streamlit's flex column, so the browser can keep a heading with what follows. */
  [data-testid="stVerticalBlock"] { display: block !important; }
  [data-testid="stVerticalBlock"] > * { margin-bottom: 0.75rem; }
  [data-testid="stHeading"], h1, h2, h3 { break-after: avoid; }
  [data-testid="stExpander"]:has(details:not([open])), [data-testid="stTooltipIcon"],
  [data-baseweb="select"] svg, [data-testid="stSelectbox"] svg, [data-testid="stMultiSelect"] svg {
    display: none !important;
  }
  [data-testid="stMetric"], [data-testid="stVegaLiteChart"], [data-testid="stDataFrame"],
  [data-testid="stTable"], [data-testid="stAlert"], [data-testid="stHorizontalBlock"] { break-inside: avoid; }
  canvas, svg { max-width: 100% !important; }
  * { -webkit-print-color-adjust: exact !important; print-color-adjust: exact !important; }
}
</style>
"""

# The iframe's own document: a button looking like Streamlit's secondary button, printing the page around it.
_BUTTON_HTML = f"""
<!doctype html>
<html><body style="margin:0">
<button type="button" onclick="window.parent.print()" title="Opens your browser's print dialog: choose a
printer, or Save as PDF"
  style="font: 400 0.95rem 'Source Sans Pro', sans-serif; width: 100%; padding: 0.4rem 0.75rem; cursor: pointer;
  border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; background: #fff; color: rgb(49, 51, 63);">
  {PRINT_LABEL}
</button>
</body></html>
"""


def print_controls() -> None:
    """The print stylesheet and, where this is called (app.py: the sidebar), the print button."""
    st.html(PRINT_STYLESHEET)
    st.iframe(_BUTTON_HTML, height=44, alt=PRINT_LABEL)
