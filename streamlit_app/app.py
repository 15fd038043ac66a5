"""Empathy Lake dashboard entry point: `streamlit run streamlit_app/app.py`.

Reads only the published serving copy (streamlit_app/warehouse.py); never imports the pipeline.
"""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run streamlit_app/app.py` puts only this folder on sys.path. When the project is not
# installed (the dashboard deployed on its own from a checkout), make the `streamlit_app` package importable.
_PROJECT_ROOT = str(Path(__file__).resolve().parent.parent)
if _PROJECT_ROOT not in sys.path:
    sys.path.append(_PROJECT_ROOT)

from streamlit_app import access, login, printing, warehouse  # noqa: E402

st.set_page_config(layout="wide", page_title="Empathy Lake")
# st.dataframe's own CSV export writes cells as they are; downloads go through downloads.csv_button, which
# escapes spreadsheet formulas.
st.set_option("client.disableDataExport", True)

user, account = login.log_in()  # stops here (login form, or why nobody can log in) until someone has logged in
if not user.pages:
    st.info("Your role has no pages to show. Ask the dashboard's owner to give it some.")
    st.stop()
navigation = st.navigation(
    [
        st.Page(page.path(key), title=page.title, icon=page.icon, default=index == 0)
        for index, (key, page) in enumerate((k, access.PAGES[k]) for k in user.pages)
    ]
)

with st.sidebar:
    try:
        published = warehouse.publication()
    except warehouse.NotPublishedError:
        st.caption("Nothing published yet.")
    else:
        st.markdown(f"**Published** {published.published_at:%Y-%m-%d %H:%M:%S}")
        st.caption(
            f"{published.tables} tables · {published.total_rows:,} rows",
            help=f"Pipeline run {published.run_id}: quote it to your data team when asking about these numbers.",
        )
    printing.print_controls()
account()

navigation.run()
