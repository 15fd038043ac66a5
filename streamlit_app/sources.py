"""Which sources each page's figures come from, and what a page says when some are not loaded yet.

The pipeline publishes `meta.source_status` (one row per source of the landing contract: its words, its landing
folder, files received, rows loaded, status; dagster_project/source_status.py). A business that starts with one
or two exports publishes; each page names the sources it lacks and how to load them, in one sentence written
here (ui.report_sources shows it). A publication without the table (older than it) says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from streamlit_app import warehouse
from streamlit_app.formatting import NO_DATA, listed

# The sources behind each page (access.PAGES keys); None: every source (the Data quality page).
PAGE_SOURCES: dict[str, tuple[str, ...] | None] = {
    "summary": ("customers", "orders", "tickets", "customer_responses", "employees", "employee_responses", "reviews"),
    "overview": ("customer_responses",),
    "customer_empathy": ("customers", "orders", "leads", "tickets", "customer_responses"),
    "employee_empathy": (
        "employees",
        "absences",
        "recognitions",
        "internal_requests",
        "eap_usage",
        "employee_responses",
        "survey_questions",
    ),
    "brand_voice": ("reviews", "mentions"),
    "alerts": ("customer_responses", "tickets", "employees", "reviews", "mentions"),
    "support_team": ("tickets",),
    "data_quality": None,
    "impact_roi": ("initiatives", "initiative_units"),
}

NOT_LOADED = "not loaded"
NO_ROWS = "no rows"
GUIDE = "see “Loading data” in the documentation"


@dataclass(frozen=True)
class PageSources:
    not_loaded: pd.DataFrame  # words, landing_folder of the page's sources that never received a file
    no_rows: pd.DataFrame  # words of those whose files came but left no row
    any_loaded: bool  # at least one of the page's sources holds rows (or the publication does not say)


def page_sources(page: str) -> PageSources:
    """The status of `page`'s sources in the current publication."""
    none = pd.DataFrame(columns=["words", "landing_folder"])
    if not warehouse.table_exists("meta", "source_status"):
        return PageSources(none, none, True)
    status = warehouse.query(
        "SELECT entity, words, landing_folder, status FROM meta.source_status ORDER BY lower(words)"
    )
    wanted = PAGE_SOURCES.get(page)
    if wanted is not None:  # in the page's order: its main sources first
        order = {entity: i for i, entity in enumerate(wanted)}
        status = status[status["entity"].isin(wanted)]
        status = status.assign(_order=status["entity"].map(order)).sort_values("_order").drop(columns="_order")
    return PageSources(
        not_loaded=status[status["status"] == NOT_LOADED],
        no_rows=status[status["status"] == NO_ROWS],
        any_loaded=bool((~status["status"].isin([NOT_LOADED, NO_ROWS])).any()) if len(status) else True,
    )


def not_loaded_sentence(missing: pd.DataFrame) -> str:
    """ "No customer survey answers are loaded yet, so their figures show — (no data). To load them, put the files
    in the landing folder “customer_responses”, or describe your own export in an import mapping (see …)." """
    words = list(missing["words"])
    folders = listed([f"“{folder}”" for folder in missing["landing_folder"]])
    if len(words) == 1:
        return (
            f"No {words[0]} are loaded yet, so their figures show {NO_DATA} (no data). To load them, put the files "
            f"in the landing folder {folders}, or describe your own export in an import mapping ({GUIDE})."
        )
    return (
        f"Not loaded yet: {listed(words)}, so their figures show {NO_DATA} (no data). To load one, put its files "
        f"in its landing folder ({folders}), or describe your own export in an import mapping ({GUIDE})."
    )


def no_rows_sentence(empty: pd.DataFrame) -> str:
    return (
        f"Files of {listed(list(empty['words']))} arrived, but none of their rows could be loaded: the Data quality "
        "page says why."
    )
