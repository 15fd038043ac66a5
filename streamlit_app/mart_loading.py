"""Loading a page's marts whole, with a message for every mart a publication cannot give.

Shared by the Customer and Employee empathy pages: a mart the serving copy lacks, or one lacking a column
the page needs, becomes a frame with the right columns and no rows plus a message; an empty mart gets a
note. The rest of the page keeps working either way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from streamlit_app import warehouse
from streamlit_app.formatting import listed


class PageMart(Protocol):
    table: str
    label: str

    @property
    def qualified(self) -> str: ...

    @property
    def columns(self) -> list[str] | tuple[str, ...]: ...


@dataclass(frozen=True)
class Loaded:
    """Every mart's rows (no rows, same columns, when unusable) and what the page must say about them."""

    frames: dict[str, pd.DataFrame]
    missing: list[str]  # messages: not in this publication, or lacking columns the page needs
    empty: list[str]  # marts present with no rows
    # What the business's data lacks, in words, for the empty marts that say so (a mart's `subject`): one sentence
    # for all of them instead of one per mart.
    lacking: list[str] = field(default_factory=list)


def published_columns() -> dict[str, frozenset[str]]:
    """Table -> column names of schema `marts` in the serving copy (warehouse.catalog: one read per publication)."""
    return {table: columns for (schema, table), columns in warehouse.catalog().items() if schema == "marts"}


def load_marts(
    marts: Mapping[str, PageMart],
    statement: Callable[[str], warehouse.Statement],
    no_rows: Callable[[PageMart], pd.DataFrame],
    finish: Callable[[str, pd.DataFrame], pd.DataFrame],
) -> Loaded:
    """Every usable mart read in one round trip (warehouse.query_all of each name's `statement`, its rows then
    passed through `finish`: dates parsed), the others as `no_rows` with a message (D780)."""
    frames: dict[str, pd.DataFrame] = {}
    missing: list[str] = []
    empty: list[str] = []
    lacking_subjects: list[str] = []
    published = published_columns()
    usable: list[str] = []
    for name, mart in marts.items():
        present = published.get(mart.table)
        lacking = None if present is None else [c for c in mart.columns if c not in present]
        if lacking is None:
            missing.append(_missing_message(mart))
        elif lacking:
            missing.append(
                f"This publication's {mart.label} data is in an older shape this page cannot read; it is left out."
            )
        else:
            usable.append(name)
    read = dict(zip(usable, warehouse.query_all([statement(name) for name in usable]), strict=True))
    for name, mart in marts.items():
        if name not in read:
            frames[name] = no_rows(mart)
            continue
        frames[name] = finish(name, read[name])
        if frames[name].empty:
            if subject := getattr(mart, "subject", ""):
                lacking_subjects += [] if subject in lacking_subjects else [subject]
            else:
                empty.append(f"Nothing published for {mart.label}.")
    return Loaded(frames=frames, missing=missing, empty=empty, lacking=lacking_subjects)


def _missing_message(mart: PageMart) -> str:
    if subject := getattr(mart, "subject", ""):
        return (
            f"This publication has nothing for {mart.label}: it was built before the dashboard showed "
            f"{subject}. The next pipeline run adds them; until then the {mart.label} figures show — (no data)."
        )
    return f"This publication has nothing for {mart.label}; it is left out."


def lacking_sentence(subjects: list[str]) -> str:
    """One sentence for what the business's data lacks: "This business's data has no orders or support tickets,
    so their figures show — (no data)." """
    return f"This business's data has no {listed(subjects, 'or')}, so their figures show — (no data)."
