"""The customer marts the Customer empathy page reads, and its filters over them.

"channel" means a different thing per mart: the customer's acquisition channel in the survey, retention,
repeat-purchase and detractor marts (the lead's channel in the conversion mart), the order's sales channel
in the orders mart, the ticket's contact channel in the support marts. "phone" is a value of all three, so
one "Channel" filter would silently mix them. Each mart's `channel` is therefore loaded under the name of
what it means (`acquisition_channel`, `sales_channel`, `contact_channel`), and each meaning has its own
filter.

A filter applies to every mart that has its dimension; a chosen value a mart does not hold leaves no rows
there, so its numbers show "no data" rather than numbers for everyone. A mart without the dimension at all
(handle time has no segment) ignores the filter, and the page says so (`ignored_filters`).

Only counts are loaded, never the marts' ratio columns: every ratio is recomputed (customer_kpis.py).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import pandas as pd

from streamlit_app import warehouse
from streamlit_app.access import Scope
from streamlit_app.formatting import format_day
from streamlit_app.kpis import period_start
from streamlit_app.mart_loading import Loaded, load_marts
from streamlit_app.marts import UNKNOWN

FILTERS = {
    "segment": "Segment",
    "location": "Location",
    "acquisition_channel": "Acquisition channel",
    "sales_channel": "Sales channel",
    "contact_channel": "Contact channel",
}
DEFAULT_PERIOD_MONTHS = 12
# Marts counting single events (detractor comments and their themes): a month without any is not missing, so they
# do not hold the default period back.
EVENT_MARTS = {"detractors", "detractor_themes"}


@dataclass(frozen=True)
class Mart:
    table: str  # in schema marts
    label: str
    dimensions: dict[str, str]  # name on the page (a FILTERS key or another dimension) -> mart column
    counts: tuple[str, ...]
    other: tuple[str, ...] = ()  # further columns read as they are
    monthly: bool = True  # has a `month` column
    # A list of single events (one row per comment or review): read as a count per month and dimension
    # (`rows`), never whole; the page reads at most one page of its rows with list_rows.
    listed: bool = False
    # What the business's data lacks, in words, when the mart is empty ("support tickets"): mart_loading says
    # "This business's data has no support tickets, so the support figures show — (no data)."
    subject: str = ""

    @property
    def qualified(self) -> str:
        return f"marts.{self.table}"

    @property
    def columns(self) -> list[str]:
        return [*(["month"] if self.monthly else []), *self.dimensions.values(), *self.counts, *self.other]


_SURVEY_DIMENSIONS = {
    "segment": "segment",
    "region": "region",
    "location": "location",
    "acquisition_channel": "channel",
    "touchpoint": "touchpoint",
}
_CUSTOMER_DIMENSIONS = {"segment": "segment", "region": "region", "location": "location"}

MARTS: dict[str, Mart] = {
    "nps": Mart(
        "customer_nps_monthly",
        "NPS",
        _SURVEY_DIMENSIONS,
        ("responses", "promoters", "passives", "detractors"),
        subject="NPS survey answers",
    ),
    "csat": Mart(
        "customer_csat_monthly",
        "CSAT",
        _SURVEY_DIMENSIONS,
        ("responses", "satisfied_responses", "score_sum"),
        subject="CSAT survey answers",
    ),
    "ces": Mart(
        "customer_ces_monthly",
        "CES",
        _SURVEY_DIMENSIONS,
        ("responses", "easy_responses", "difficult_responses", "score_sum"),
        subject="customer effort (CES) survey answers",
    ),
    "retention": Mart(
        "customer_retention_monthly",
        "retention",
        {**_CUSTOMER_DIMENSIONS, "acquisition_channel": "channel"},
        ("customers_at_start", "new_customers", "lost_customers", "lost_from_start", "customers_at_end"),
        subject="monthly customer history (sign-up and loss dates)",
    ),
    "repeat": Mart(
        "customer_repeat_purchase_monthly",
        "repeat purchase",
        {**_CUSTOMER_DIMENSIONS, "acquisition_channel": "channel"},
        ("buyers", "repeat_buyers", "orders"),
        other=("window_months", "window_complete"),
        subject="orders",
    ),
    "conversion": Mart(
        "customer_conversion_monthly",
        "conversion",
        {**_CUSTOMER_DIMENSIONS, "acquisition_channel": "channel"},
        ("leads", "converted_leads", "lost_leads", "open_leads", "days_to_convert_sum"),
        subject="sales leads",
    ),
    "orders": Mart(
        "customer_orders_monthly",
        "orders",
        {**_CUSTOMER_DIMENSIONS, "sales_channel": "channel"},
        ("orders_placed", "cancelled_orders", "orders", "gross_revenue", "refunds", "net_revenue"),
        subject="orders",
    ),
    "support": Mart(
        "customer_support_monthly",
        "support",
        {**_CUSTOMER_DIMENSIONS, "contact_channel": "channel", "category": "category"},
        (
            "tickets",
            "replied_tickets",
            "first_reply_minutes_sum",
            "resolved_tickets",
            "first_contact_resolved_tickets",
            "contacts",
            "handled_tickets",
            "handle_minutes_sum",
            "handled_contacts",
            "support_cost",
        ),
        subject="support tickets",
    ),
    "handle_time": Mart(
        "customer_handle_time_sentiment",
        "handle time × sentiment",
        {"region": "region", "location": "location", "contact_channel": "channel", "band": "handle_time_band"},
        ("tickets", "handle_minutes_sum", "scored_tickets", "positive_tickets", "neutral_tickets", "negative_tickets"),
        other=("sentiment_source",),
        subject="support tickets with a recorded handle time",
    ),
    "detractors": Mart(
        "customer_nps_detractor_comments",
        "NPS detractor comments",
        _SURVEY_DIMENSIONS,
        (),
        other=("response_id", "responded_at", "score", "comment", "ticket_id"),
        listed=True,
        subject="comments from NPS detractors",
    ),
    "detractor_themes": Mart(
        "customer_nps_detractor_themes",
        "detractor themes",
        {"region": "region", "location": "location", "theme": "theme"},
        ("detractor_comments", "theme_comments"),
        subject="comments from NPS detractors",
    ),
    "churn_to_date": Mart(
        "customer_churn_summary",
        "churn to date",
        {**_CUSTOMER_DIMENSIONS, "acquisition_channel": "channel", "churn_basis": "churn_basis"},
        ("customers", "lost_customers", "active_customers"),
        other=("as_of_date",),
        monthly=False,
        subject="customer records",
    ),
    "repeat_to_date": Mart(
        "customer_repeat_purchase_to_date",
        "repeat purchase to date",
        {**_CUSTOMER_DIMENSIONS, "acquisition_channel": "channel"},
        ("buyers", "repeat_buyers", "orders"),
        other=("period_start", "period_end"),
        monthly=False,
        subject="orders",
    ),
    "value": Mart(
        "customer_value_summary",
        "customer lifetime value",
        {**_CUSTOMER_DIMENSIONS, "acquisition_channel": "channel"},
        ("customers", "buyers", "orders", "net_revenue", "customer_years", "lost_customers_observed"),
        other=("predictive_cltv",),
        monthly=False,
        subject="customer records",
    ),
}
# The call-back list (customer_sentiment_follow_up): one row per customer, read a page at a time (list_rows), its
# pseudonymous key as published. Not in MARTS: an empty list is good news, not missing data.
FOLLOW_UP = Mart(
    "customer_sentiment_follow_up",
    "customers to call back",
    {**_CUSTOMER_DIMENSIONS, "acquisition_channel": "channel"},
    (),
    other=("customer_id", "recent_scored_texts", "recent_negative_texts", "recent_negative_pct", "last_negative_at")
    + ("as_of_date",),
    monthly=False,
    listed=True,
)


def no_rows(mart: Mart) -> pd.DataFrame:
    columns = {"month": "datetime64[us]"} if mart.monthly else {}
    columns.update({name: "str" for name in mart.dimensions})
    if mart.listed:
        columns["rows"] = "int64"
    else:
        columns.update({c: "float64" for c in mart.counts})
        columns.update({c: "object" for c in mart.other})
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def _dimensions(mart: Mart) -> list[str]:
    return [f"coalesce({column}, '{UNKNOWN}') AS {name}" for name, column in mart.dimensions.items()]


def mart_statement(mart: Mart, scope: Scope) -> warehouse.Statement:
    """The query of one mart's rows `scope` may read, dimensions renamed to what they mean and a missing dimension
    value as '(unknown)'; a listed mart: its number of rows per month and dimensions (`rows`) instead of the rows."""
    if mart.listed:
        keys = [*(["month"] if mart.monthly else []), *_dimensions(mart)]
        return warehouse.table_statement(f"{', '.join(keys)}, count(*) AS rows", mart.qualified, scope, "GROUP BY ALL")
    columns = [*(["month"] if mart.monthly else []), *_dimensions(mart), *mart.counts, *mart.other]
    return warehouse.table_statement(", ".join(columns), mart.qualified, scope)


def with_months(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its `month` (if any) as a Timestamp."""
    if "month" in frame:
        frame["month"] = pd.to_datetime(frame["month"])
    return frame


def load_mart(mart: Mart, scope: Scope) -> pd.DataFrame:
    """One mart's rows `scope` may read (mart_statement), `month` as a Timestamp. Shared with brand_marts."""
    return with_months(warehouse.query(*mart_statement(mart, scope)))


def list_rows(
    mart: Mart,
    scope: Scope,
    months: tuple[pd.Timestamp, pd.Timestamp] | None,
    choices: Mapping[str, Collection[str]],
    order_by: str,
    limit: int,
) -> pd.DataFrame:
    """The first `limit` rows (in `order_by` order) of a listed mart that `scope` may read, in the month range
    (inclusive) and the chosen values of each filter the mart has a dimension for, as filter_rows selects
    them: filtered, ordered and cut in SQL, so a mart of millions of rows is never read whole."""
    conditions, params = ["true"], []
    if months is not None:  # None for a mart without months (the call-back list)
        conditions, params = ["month BETWEEN ? AND ?"], [months[0].date(), months[1].date()]
    for name, values in choices.items():
        if values and name in mart.dimensions:
            conditions.append(f"list_contains(?, coalesce({mart.dimensions[name]}, '{UNKNOWN}'))")
            params.append(list(values))
    frame = warehouse.query_table(
        ", ".join([*(["month"] if mart.monthly else []), *_dimensions(mart), *mart.other]),
        mart.qualified,
        scope,
        f"WHERE {' AND '.join(conditions)} ORDER BY {order_by} LIMIT {int(limit)}",
        params,
    )
    if mart.monthly:
        frame["month"] = pd.to_datetime(frame["month"])
    return frame


def load_all(scope: Scope) -> Loaded:
    return load_marts(
        MARTS, lambda name: mart_statement(MARTS[name], scope), no_rows, lambda _, frame: with_months(frame)
    )


# --- filters -------------------------------------------------------------------------------------------------
def filter_rows(
    df: pd.DataFrame,
    months: tuple[pd.Timestamp, pd.Timestamp] | None = None,
    choices: Mapping[str, Collection[str]] | None = None,
) -> pd.DataFrame:
    """Rows in the month range (inclusive) and the chosen values of each filter the frame has a column for.
    An empty choice means all values; a filter without a column here filters nothing (see ignored_filters).
    Nothing to filter: `df` itself, not a copy (the page reads, never writes, these frames)."""
    applied = {name: values for name, values in (choices or {}).items() if values and name in df.columns}
    if months is None and not applied:
        return df
    keep = pd.Series(True, index=df.index)
    if months is not None:
        keep &= df["month"].between(months[0], months[1])
    for name, values in (choices or {}).items():
        if values and name in df.columns:
            keep &= df[name].isin(list(values))
    return df[keep]


def ignored_filters(name: str, choices: Mapping[str, Collection[str]]) -> list[str]:
    """Labels of the filters in use that mart `name` has no dimension for."""
    dimensions = MARTS[name].dimensions
    return [FILTERS[f] for f, values in choices.items() if values and f in FILTERS and f not in dimensions]


def options(frames: Mapping[str, pd.DataFrame], name: str) -> list[str]:
    """Every value of dimension `name` in any mart, sorted (the filter's choices)."""
    values: set[str] = set()
    for frame in frames.values():
        if name in frame.columns:
            values.update(frame[name].dropna().unique())
    return sorted(values)


def months_of(frames: Mapping[str, pd.DataFrame]) -> list[pd.Timestamp]:
    """Every month any monthly mart holds, oldest first (the period's choices)."""
    months: set[pd.Timestamp] = set()
    for frame in frames.values():
        if "month" in frame.columns:
            months.update(pd.Timestamp(m) for m in frame["month"].dropna().unique())
    return sorted(months)


def default_period(frames: Mapping[str, pd.DataFrame]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The latest month EVERY non-empty KPI mart has reached, and the 11 months before it (or the first
    month). Some marts run up to the as-of date, whose month is still partial (a few survey answers, churn
    counted for part of the month); ending on the latest month of any mart would show mostly "no data".
    Marts of single events (detractor comments) do not count: a month without a comment is not missing."""
    months = months_of(frames)
    latest = [
        frame["month"].max()
        for name, frame in frames.items()
        if MARTS[name].counts and name not in EVENT_MARTS and "month" in frame and not frame.empty
    ]
    end = min(latest) if latest else months[-1]
    start = period_start(months, end, DEFAULT_PERIOD_MONTHS)
    return pd.Timestamp(start), pd.Timestamp(end)


def is_snapshot(kpi: str) -> bool:
    """Whether `kpi` (churn_pct, turnover_pct) comes from a snapshot export, as published in
    marts.kpi_snapshot_sources (the one place the rule is written, in dbt): every loss dated to at most one month,
    so a monthly rate would read 0 % in every other month. A publication without that mart: not known, False."""
    if not warehouse.table_exists("marts", "kpi_snapshot_sources"):
        return False
    flags = warehouse.query("SELECT is_snapshot FROM marts.kpi_snapshot_sources WHERE kpi = ?", [kpi])
    return bool(len(flags)) and bool(flags["is_snapshot"].iloc[0])


# Predictive CLTV from the BG/NBD + Gamma-Gamma model (dagster_project/clv; `empathy-lake clv`): one row per customer
# group and posterior draw, the group's summed predicted value in that draw. Not in MARTS: it exists only once the
# model has been fitted, and its absence is not missing data of the business.
MODEL_CLTV = Mart(
    "customer_clv_draws",
    "predictive customer lifetime value (model)",
    {**_CUSTOMER_DIMENSIONS, "acquisition_channel": "channel"},
    ("predicted_value", "customers"),
    other=("draw",),
    monthly=False,
)
MODEL_FIT_TABLE = "marts.customer_clv_model_fit"


def period_text(rows: pd.DataFrame) -> str:
    """The period a to-date mart's rows cover, in words: "from 5 Jan 2023 to 2 Jul 2025"."""
    start, end = pd.to_datetime(rows["period_start"]).min(), pd.to_datetime(rows["period_end"]).max()
    return f"from {format_day(start)} to {format_day(end)}"
