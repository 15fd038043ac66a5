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

from streamlit_app import warehouse  # noqa: E402

st.set_page_config(layout="wide", page_title="Empathy Lake")

navigation = st.navigation(
    [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/monitoring:", default=True),
        st.Page("app_pages/customer_empathy.py", title="Customer empathy", icon=":material/favorite:"),
        st.Page("app_pages/employee_empathy.py", title="Employee empathy", icon=":material/groups:"),
        st.Page("app_pages/brand_voice.py", title="Brand & voice", icon=":material/campaign:"),
        st.Page("app_pages/alerts.py", title="Alerts", icon=":material/notification_important:"),
        st.Page("app_pages/data_quality.py", title="Data quality", icon=":material/fact_check:"),
    ]
)

with st.sidebar:
    try:
        published = warehouse.publication()
    except warehouse.NotPublishedError:
        st.caption("Nothing published yet.")
    else:
        st.markdown(f"**Published** {published.published_at:%Y-%m-%d %H:%M:%S}")
        st.caption(f"run `{published.run_id}` · {published.tables} tables · {published.total_rows:,} rows")

navigation.run()
