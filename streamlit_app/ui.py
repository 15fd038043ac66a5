"""Streamlit pieces shared by the pages."""

from __future__ import annotations

import streamlit as st

from streamlit_app import warehouse

NOT_PUBLISHED_MESSAGE = (
    "No warehouse has been published yet, so there is nothing to show. Build one with `make demo` "
    "(generates sample data, builds the warehouse and starts this dashboard) or `uv run empathy-lake run` "
    "(builds from your landing folder), then reload this page."
)


def require_published() -> warehouse.Publication:
    """The current publication, or a clear message and the end of this page's run."""
    try:
        return warehouse.publication()
    except warehouse.NotPublishedError as exc:
        st.info(NOT_PUBLISHED_MESSAGE, icon=":material/info:")
        st.caption(f"Looked for the serving copy at `{warehouse.serving_db_path()}` ({exc}).")
        st.stop()
        raise  # st.stop() raises; this line only tells type checkers the function never returns here
