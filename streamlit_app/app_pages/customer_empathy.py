"""Customer empathy: survey, retention, sales and support KPIs from the customer marts with their change,
their trends, handle time against customer sentiment, and what NPS detractors said."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from streamlit_app import charts, customer_kpis, customer_marts, warehouse
from streamlit_app.access import Scope
from streamlit_app.formatting import format_month
from streamlit_app.labels import plain
from streamlit_app.ui import (
    count_column,
    data_table,
    kpi_column,
    kpi_text,
    monthly_card,
    nothing_chosen,
    open_page,
    period_picker,
    preset_from_link,
    report_loaded,
    report_sources,
    sample_column,
    with_sample_labels,
)

DETRACTOR_ROWS = 1_000  # the latest ones; the caption gives the full count
FOLLOW_UP_ROWS = 500  # the most negative first; the caption gives the full count
NO_TICKET = "No ticket"
HANDLE_TIME_BANDS = ["0-5 min", "5-10 min", "10-20 min", "20-40 min", "40+ min"]
KPIS_BY_KEY = {kpi.key: kpi for kpi in customer_kpis.CARD_KPIS}
HANDLE_TIME_KPIS = [customer_kpis.HANDLE_MINUTES, customer_kpis.SENTIMENT, customer_kpis.NEGATIVE]


def _filtered_by(mart: str) -> str:
    names = [label.lower() for f, label in customer_marts.FILTERS.items() if f in customer_marts.MARTS[mart].dimensions]
    return ", ".join(names)


scope = open_page("customer_empathy")
st.title("Customer empathy")
page_sources = report_sources("customer_empathy")

loaded = customer_marts.load_all(scope)
frames = loaded.frames
report_loaded(loaded, page_sources)
all_months = customer_marts.months_of(frames)
if not all_months:
    st.info("The published customer marts hold no monthly rows yet, so there is nothing to show.")
    st.stop()
default_start, default_end = customer_marts.default_period(frames)

# --- filters ---------------------------------------------------------------------------------------------
period_col, segment_col, location_col = st.columns([2, 1, 1])
with period_col:
    start, end = period_picker(
        all_months,
        (default_start, default_end),
        key="customer_period",
        help="The cards show the period's last month; trends, handle time and comments cover the whole "
        "period. By default it ends on the latest month every mart has reached (a later month is still "
        "partial) and spans 12 months.",
    )
with segment_col:
    segments = st.multiselect(
        "Segment",
        customer_marts.options(frames, "segment"),
        key="customer_segments",
        placeholder="All segments",
        format_func=plain,
    )
with location_col:
    location_options = customer_marts.options(frames, "location")
    # A link that names a location (the This week page's movers: ?location=Leeds) opens the page filtered to it.
    preset_from_link("customer_locations", "location", location_options)
    locations = st.multiselect(
        "Location",
        location_options,
        key="customer_locations",
        placeholder=nothing_chosen(scope, "location"),
        format_func=plain,
    )
acquisition_col, sales_col, contact_col = st.columns(3)
with acquisition_col:
    acquisition_channels = st.multiselect(
        "Acquisition channel",
        customer_marts.options(frames, "acquisition_channel"),
        key="acquisition_channels",
        format_func=plain,
        placeholder="All acquisition channels",
        help="How the customer came to us. Filters the surveys, churn, repeat purchase, conversion (the lead's "
        "channel) and the detractor comments.",
    )
with sales_col:
    sales_channels = st.multiselect(
        "Sales channel",
        customer_marts.options(frames, "sales_channel"),
        key="sales_channels",
        format_func=plain,
        placeholder="All sales channels",
        help="Where the order was placed. Filters AOV only.",
    )
with contact_col:
    contact_channels = st.multiselect(
        "Contact channel",
        customer_marts.options(frames, "contact_channel"),
        key="contact_channels",
        format_func=plain,
        placeholder="All contact channels",
        help="How the customer reached support. Filters the support cards and handle time × sentiment.",
    )
choices = {
    "segment": segments,
    "location": locations,
    "acquisition_channel": acquisition_channels,
    "sales_channel": sales_channels,
    "contact_channel": contact_channels,
}
selected = {name: customer_marts.filter_rows(frame, choices=choices) for name, frame in frames.items()}
period = (start, end)
period_text = format_month(end) if start == end else f"{format_month(start)} – {format_month(end)}"

# --- KPI cards: the last month of the period against the month before it ---------------------------------
# As on the Overview, the month before may lie outside the period: the change compares consecutive months.
previous = end - pd.DateOffset(months=1)
vs = f"vs {format_month(previous)}"
# A snapshot CRM export (a churn status, no monthly history) has no monthly churn: its card shows the share to date.
# The rule is dbt's (marts.kpi_snapshot_sources), the same the This week summary reads.
snapshot = customer_marts.is_snapshot("churn_pct")
churn_to_date = customer_kpis.value_of(selected["churn_to_date"], customer_kpis.CHURN_TO_DATE)
as_of = frames["churn_to_date"]["as_of_date"].dropna().max() if len(frames["churn_to_date"]) else None
as_of_text = f"{pd.Timestamp(as_of):%d %b %Y}" if as_of is not None and not pd.isna(as_of) else "the latest date"
st.subheader(format_month(end))
# One grouping by month per mart for all of its cards (D781).
card_months = {
    mart: customer_kpis.aggregate(selected[mart], [k for k in customer_kpis.CARD_KPIS if k.mart == mart], ["month"])
    for mart in dict.fromkeys(kpi.mart for kpi in customer_kpis.CARD_KPIS)
}
for title, row in customer_kpis.CARD_ROWS:
    st.markdown(f"**{title}**")
    bases: dict[tuple[str, str], tuple[list[str], int]] = {}  # one count per mart and denominator
    for column, kpi in zip(st.columns(len(row)), row, strict=True):
        if snapshot and kpi is customer_kpis.CHURN:
            column.metric(
                "Churn to date %",
                kpi_text(customer_kpis.CHURN_TO_DATE, churn_to_date),
                border=True,
                help=f"{customer_kpis.CHURN_TO_DATE.help}\n\nThis business's customer data is a snapshot (a churn "
                "status per customer, no dates of leaving), so a monthly churn rate cannot be computed; this is "
                f"the share of all customers lost by {as_of_text}.",
            )
            column.caption(f"Share of all customers lost by {as_of_text}, not a monthly rate")
            continue
        n = monthly_card(
            column,
            kpi,
            card_months[kpi.mart],
            period,
            end,
            previous,
            help=f"{kpi.help}\n\nFiltered by {_filtered_by(kpi.mart)}. The line shows the period's months.",
        )
        labels, _ = bases.setdefault((kpi.mart, kpi.denominator), ([], int(n)))
        labels.append(kpi.label)
    st.caption(
        " · ".join(
            f"{', '.join(labels)}: {count:,} {plain(denominator).lower()}"
            for (_, denominator), (labels, count) in bases.items()
        )
    )

repeat_month = selected["repeat"][selected["repeat"]["month"] == end]
if not repeat_month.empty and not repeat_month["window_complete"].astype(bool).all():
    window = int(repeat_month["window_months"].max())
    st.caption(
        f"Repeat purchase %: the {window}-month window ending {format_month(end)} reaches back before the first "
        "order in the data, so it counts fewer months than it should."
    )

# --- trends ----------------------------------------------------------------------------------------------
st.header("Trends")
trend_keys = [k for k in KPIS_BY_KEY if not (snapshot and k == customer_kpis.CHURN.key)]  # no monthly churn
trend_key = st.selectbox(
    "KPI",
    trend_keys,
    format_func=lambda key: KPIS_BY_KEY[key].label,
    key="customer_trend",
    width=320,
)
trend_kpi = KPIS_BY_KEY[trend_key]
trend_rows = customer_marts.filter_rows(selected[trend_kpi.mart], period)
trend_total = customer_kpis.aggregate(trend_rows, trend_kpi, ["month"])
chart_col, table_col = st.columns([3, 2])
with chart_col:
    st.markdown(f"**{trend_kpi.label} by month and segment**")
    if trend_total[trend_kpi.key].notna().any():
        by_segment = customer_kpis.aggregate(trend_rows, trend_kpi, ["month", "segment"])
        st.altair_chart(charts.monthly_by_segment(by_segment, trend_total, trend_kpi.key, trend_kpi.label))
    else:
        st.caption(f"No {trend_kpi.label} data in the selection for {period_text}.")
with table_col:
    st.markdown(f"**{trend_kpi.label}: the counts behind it**")
    table = trend_total.sort_values("month", ascending=False).assign(month=lambda t: t["month"].dt.date)
    table = with_sample_labels(
        table[["month", *trend_kpi.counts, trend_kpi.key]], {trend_kpi.denominator: trend_kpi.key}
    )
    data_table(
        table,
        hide_index=True,
        column_config={
            "month": st.column_config.DateColumn("Month", format="MMM YYYY"),
            **{c: count_column(plain(c)) for c in trend_kpi.counts},
            trend_kpi.key: kpi_column(trend_kpi),
            f"{trend_kpi.denominator}_sample": sample_column(),
        },
        download="customer_kpi_by_month",
    )

# --- handle time with sentiment overlay ------------------------------------------------------------------
st.header("Handle time and customer sentiment")
handle_rows = customer_marts.filter_rows(selected["handle_time"], period)
sources = sorted(handle_rows["sentiment_source"].dropna().unique())
if len(sources) > 1:
    # A ticket is counted once per source: never add sources up.
    source = st.selectbox("Sentiment from", sources, key="sentiment_source", format_func=plain)
    handle_rows = handle_rows[handle_rows["sentiment_source"] == source]
by_band = customer_kpis.aggregate(handle_rows, HANDLE_TIME_KPIS, ["band"])
bands = [b for b in HANDLE_TIME_BANDS if b in set(by_band["band"])] + sorted(
    set(by_band["band"]) - set(HANDLE_TIME_BANDS)
)
ignored = customer_marts.ignored_filters("handle_time", choices)
not_applied = (
    f"; the {' and '.join(f.lower() for f in ignored)} filter{'s do' if len(ignored) > 1 else ' does'} not apply"
)
source_text = f" ({plain(sources[0]).lower()})" if len(sources) == 1 else ""
st.caption(
    f"Tickets opened in {period_text} with a recorded handle time, by how long agents worked on them; the line "
    f"is the sentiment of the customer's latest survey answer about the ticket{source_text}. Short handle times "
    "with low sentiment point to rushed service. Filtered by location and contact channel"
    + (f"{not_applied} here (this mart has no such column)" if ignored else "")
    + "."
)
if by_band.empty:
    st.caption("No tickets with a handle time in the selection.")
else:
    by_band["_order"] = by_band["band"].map({b: i for i, b in enumerate(bands)})
    by_band = by_band.sort_values("_order").drop(columns="_order")
    st.altair_chart(charts.handle_time_sentiment(by_band, bands), height=320)
    data_table(
        with_sample_labels(
            by_band[
                ["band", "tickets", "handle_minutes_avg", "scored_tickets", "positive_tickets"]
                + ["negative_tickets", "sentiment_score", "negative_pct"]
            ],
            {"scored_tickets": "negative_pct"},
        ),
        hide_index=True,
        column_config={
            "band": "Handle time",
            "tickets": count_column("Tickets"),
            "scored_tickets": count_column("With a survey"),
            "scored_tickets_sample": sample_column(),
            "positive_tickets": count_column("Positive"),
            "negative_tickets": count_column("Negative"),
            **{kpi.key: kpi_column(kpi) for kpi in HANDLE_TIME_KPIS},
        },
        download="handle_time_sentiment",
    )

# --- NPS detractor comments ------------------------------------------------------------------------------
st.header("NPS detractor comments")
comment_count = int(customer_marts.filter_rows(selected["detractors"], period)["rows"].sum())
shown = f"; the latest {DETRACTOR_ROWS:,} are listed" if comment_count > DETRACTOR_ROWS else ""
st.caption(
    f"{comment_count:,} NPS detractors (score 0–6) left a comment in {period_text}{shown}. Filtered by segment, "
    "location and acquisition channel. No customer key: what was said and where, not who said it."
)
if comment_count:
    comments = customer_marts.list_rows(
        customer_marts.MARTS["detractors"], scope, period, choices, "responded_at DESC, response_id", DETRACTOR_ROWS
    )
    comments = comments.assign(
        ticket_id=comments["ticket_id"].fillna(NO_TICKET),
        **{c: comments[c].map(plain) for c in ("segment", "location", "touchpoint", "acquisition_channel")},
    )
    data_table(
        comments[
            ["responded_at", "score", "comment", "segment", "location", "touchpoint", "acquisition_channel"]
            + ["ticket_id"]
        ],
        hide_index=True,
        column_config={
            "responded_at": st.column_config.DatetimeColumn("Answered", format="YYYY-MM-DD"),
            "score": st.column_config.NumberColumn("Score", format="%d"),
            "comment": st.column_config.TextColumn("Comment", width=380),
            "segment": "Segment",
            "location": "Location",
            "touchpoint": "Touchpoint",
            "acquisition_channel": "Acquisition channel",
            "ticket_id": st.column_config.TextColumn("Ticket", help="The support ticket the answer is about, if any."),
        },
        download="nps_detractor_comments",
    )

# --- why detractors are unhappy: themes of their comments ------------------------------------------------
st.subheader("What detractors complain about")
theme_rows = customer_marts.filter_rows(selected["detractor_themes"], period)
themes = customer_kpis.aggregate(theme_rows, customer_kpis.DETRACTOR_THEME_SHARE, ["theme"])
themes = themes[themes["detractor_comments"] > 0].sort_values(
    [customer_kpis.DETRACTOR_THEME_SHARE.key, "theme"], ascending=[False, True]
)
ignored_here = customer_marts.ignored_filters("detractor_themes", choices)
if themes.empty:
    st.caption(f"No detractor comments in the selection for {period_text}.")
else:
    themed_total = int(themes["detractor_comments"].iloc[0])
    themes = themes.assign(theme=themes["theme"].map(plain))
    st.altair_chart(
        charts.share_bars(themes, "theme", customer_kpis.DETRACTOR_THEME_SHARE.key, "theme_comments", "Theme"),
        height=260,
    )
    st.caption(
        f"Share of the {themed_total:,} NPS detractor comments in {period_text} that raise each theme (a comment "
        "can raise several, so shares add up to more than 100 %). Filtered by location"
        + (
            f"; the {' and '.join(f.lower() for f in ignored_here)} filter"
            f"{'s do' if len(ignored_here) > 1 else ' does'} not apply here (themes are counted per location)"
            if ignored_here
            else ""
        )
        + "."
    )
    data_table(
        with_sample_labels(
            themes[["theme", "theme_comments", "detractor_comments", customer_kpis.DETRACTOR_THEME_SHARE.key]],
            {"detractor_comments": customer_kpis.DETRACTOR_THEME_SHARE.key},
            noun="comments",
        ),
        hide_index=True,
        column_config={
            "theme": "Theme",
            "theme_comments": count_column("Comments raising it"),
            "detractor_comments": count_column("Detractor comments"),
            customer_kpis.DETRACTOR_THEME_SHARE.key: kpi_column(customer_kpis.DETRACTOR_THEME_SHARE),
            "detractor_comments_sample": sample_column(),
        },
        download="detractor_themes",
    )

# --- customers to date: churn to date and lifetime value -------------------------------------------------
st.header("Customers to date: churn and lifetime value")
churn_rows = selected["churn_to_date"]
value_rows = customer_kpis.with_predictive_value(selected["value"])
customers_total = int(churn_rows["customers"].sum())
lost_total = int(churn_rows["lost_customers"].sum())
repeat_rows = selected["repeat_to_date"]
# Three cards a row: five at once cut the labels off on a laptop's width (walk s18: "Repeat purchase t…").
customers_card, churn_card, repeat_card = st.columns(3)
historical_card, predictive_card, _ = st.columns(3)
customers_card.metric(
    "Customers to date",
    f"{customers_total:,}" if len(churn_rows) else "—",
    border=True,
    help="Every customer the data holds, active or lost, in the selection.",
)
# Without a single order in the data (a subscription export), lifetime value is no data, not £0.00.
has_orders = float(value_rows["orders"].sum()) > 0
for column, kpi, rows in (
    (churn_card, customer_kpis.CHURN_TO_DATE, churn_rows),
    (repeat_card, customer_kpis.REPEAT_TO_DATE, repeat_rows),
    (historical_card, customer_kpis.HISTORICAL_CLTV, value_rows if has_orders else value_rows.iloc[0:0]),
    (predictive_card, customer_kpis.PREDICTIVE_CLTV, value_rows),
):
    column.metric(
        kpi.label, kpi_text(kpi, customer_kpis.value_of(rows, kpi)), border=True, help=f"{kpi.help}\n\n{kpi.formula}"
    )
if len(value_rows) and not has_orders:
    historical_card.caption("This business's data has no orders")
elif len(value_rows):
    # Beside the model's 12-month figure below, this one's horizon must be unmistakable.
    predictive_card.caption("Expected over a whole customer relationship, not 12 months")
if buyers := int(repeat_rows["buyers"].sum()):
    repeat_card.caption(f"{buyers:,} customers with an order, {customer_marts.period_text(repeat_rows)}")
st.caption(
    f"As of {as_of_text}: {lost_total:,} of {customers_total:,} customers lost"
    + (
        " — lost means: "
        + "; ".join(sorted({plain(b)[:1].lower() + plain(b)[1:] for b in churn_rows["churn_basis"].dropna().unique()}))
        if len(churn_rows)
        else ""
    )
    + f". Lifetime value over {int(value_rows['customers'].sum()):,} customers; the predictive figure over the "
    f"{int(value_rows['predicted_customers'].sum()):,} in groups with orders. Filtered by segment, location and "
    "acquisition channel; the period does not apply (these count everything to date)."
)
group_labels = {"segment": "Segment", "location": "Location", "acquisition_channel": "Acquisition channel"}
group_by = st.selectbox(
    "Break down by", list(group_labels), format_func=group_labels.get, key="customer_value_group", width=320
)
churn_by = customer_kpis.aggregate(churn_rows, customer_kpis.CHURN_TO_DATE, [group_by])
value_by = customer_kpis.aggregate(
    value_rows, [customer_kpis.HISTORICAL_CLTV, customer_kpis.PREDICTIVE_CLTV], [group_by]
).drop(columns="customers")
breakdown = churn_by.merge(value_by, on=group_by, how="outer").sort_values(group_by)
breakdown[group_by] = breakdown[group_by].map(plain)
if not has_orders:  # no data, not £0.00
    breakdown[["net_revenue", customer_kpis.HISTORICAL_CLTV.key]] = float("nan")
# Money as the cards write it ("£1,241.32"; — for no data: a number column would show a missing value as "None").
for money, kpi in (
    ("net_revenue", customer_kpis.HISTORICAL_CLTV),
    (customer_kpis.HISTORICAL_CLTV.key, customer_kpis.HISTORICAL_CLTV),
    (customer_kpis.PREDICTIVE_CLTV.key, customer_kpis.PREDICTIVE_CLTV),
):
    breakdown[money] = [kpi_text(kpi, None if pd.isna(v) else float(v)) for v in breakdown[money]]
data_table(
    with_sample_labels(
        breakdown[
            [group_by, "customers", "lost_customers", customer_kpis.CHURN_TO_DATE.key]
            + ["net_revenue", customer_kpis.HISTORICAL_CLTV.key]
            + ["predicted_customers", customer_kpis.PREDICTIVE_CLTV.key]
        ],
        {"customers": customer_kpis.CHURN_TO_DATE.key},
        noun="customers",
    ),
    hide_index=True,
    column_config={
        group_by: group_labels[group_by],
        "customers": count_column("Customers"),
        "customers_sample": sample_column(),
        "lost_customers": count_column("Lost"),
        customer_kpis.CHURN_TO_DATE.key: kpi_column(customer_kpis.CHURN_TO_DATE),
        "net_revenue": st.column_config.TextColumn("Net revenue to date"),
        customer_kpis.HISTORICAL_CLTV.key: st.column_config.TextColumn(customer_kpis.HISTORICAL_CLTV.label),
        "predicted_customers": count_column("Customers with a prediction"),
        customer_kpis.PREDICTIVE_CLTV.key: st.column_config.TextColumn(customer_kpis.PREDICTIVE_CLTV.label),
    },
    download="customer_value_and_churn",
)

# --- predictive CLTV from the BG/NBD + Gamma-Gamma model ------------------------------------------------
model_kpi = customer_kpis.MODEL_CLTV
st.subheader(f"{model_kpi.label} (statistical model)")
if not warehouse.table_exists("marts", customer_marts.MODEL_CLTV.table):
    st.info(
        "Not computed yet. The expected value of each customer over the next 12 months, from their purchase "
        "pattern, comes from a statistical model fitted outside the daily run: an operator runs "
        "`empathy-lake clv` once the data is loaded (or turns on the weekly predictive lifetime value schedule), "
        "and it appears here."
    )
else:
    model_rows = customer_marts.filter_rows(customer_marts.load_mart(customer_marts.MODEL_CLTV, scope), choices=choices)
    model = customer_kpis.model_value(model_rows)
    # The fit's date and data window are no business figure: every viewer sees them; the counts only the unscoped.
    fit = warehouse.query_table("*", customer_marts.MODEL_FIT_TABLE, Scope.all_rows())
    fit_row = fit.iloc[0] if len(fit) else None
    per_customer_card, total_card, modelled_card = st.columns(3)
    per_customer_card.metric(
        "Per customer, next 12 months",
        kpi_text(model_kpi, model.per_customer),
        border=True,
        help=f"{model_kpi.help}\n\n{model_kpi.formula}",
    )
    total_card.metric(
        "These customers, next 12 months",
        kpi_text(model_kpi, model.total),
        border=True,
        help="The per-customer figure times the customers modelled: what the selected customers are expected to "
        "spend, net of refunds, over the next 12 months.",
    )
    modelled_card.metric(
        "Customers modelled",
        f"{model.customers:,}",
        border=True,
        help="Customers in the selection with at least one order worth more than zero after refunds, in groups large "
        "enough to publish.",
    )
    if model.customers:
        per_customer_card.caption(
            f"90 % interval {kpi_text(model_kpi, model.per_customer_low)} to "
            f"{kpi_text(model_kpi, model.per_customer_high)}"
        )
        total_card.caption(
            f"90 % interval {kpi_text(model_kpi, model.total_low)} to {kpi_text(model_kpi, model.total_high)}"
        )
    fitted = (
        f"Model fitted on {pd.Timestamp(fit_row['fitted_at']):%d %b %Y} from the orders of "
        f"{pd.Timestamp(fit_row['window_start']):%d %b %Y} to {pd.Timestamp(fit_row['window_end']):%d %b %Y}. "
        if fit_row is not None
        else ""
    )
    left_out = (
        f"Across the business {int(fit_row['customers_fitted']):,} buyers were modelled and "
        f"{int(fit_row['left_out_customers']):,} left out because {fit_row['left_out_reason']}; "
        f"{int(fit_row['unpublished_customers']):,} were in groups too small to publish (fewer than "
        f"{int(fit_row['min_customers'])} customers). "
        if fit_row is not None and scope.everything
        else ""
    )
    st.caption(
        f"{fitted}{left_out}Beside it, historical CLTV is what a customer has been worth so far and predictive CLTV "
        "(the formula above) is over a whole relationship, not 12 months. Small groups of customers are combined "
        "into 'Other (small groups)'. Filtered by segment, location and acquisition channel; the period does not "
        "apply."
    )
    if model.customers:
        by_group = []
        for value, rows in model_rows.groupby(group_by, sort=True):
            group_value = customer_kpis.model_value(rows)
            by_group.append(
                {
                    group_by: plain(value),
                    "customers": group_value.customers,
                    "per_customer": kpi_text(model_kpi, group_value.per_customer),
                    "interval": f"{kpi_text(model_kpi, group_value.per_customer_low)} to "
                    f"{kpi_text(model_kpi, group_value.per_customer_high)}",
                    "total": kpi_text(model_kpi, group_value.total),
                }
            )
        data_table(
            pd.DataFrame(by_group),
            hide_index=True,
            column_config={
                group_by: group_labels[group_by],
                "customers": count_column("Customers modelled"),
                "per_customer": st.column_config.TextColumn("Expected per customer, next 12 months"),
                "interval": st.column_config.TextColumn("90 % interval per customer"),
                "total": st.column_config.TextColumn("Expected in total, next 12 months"),
            },
            download="customer_expected_value",
        )

# --- customers to call back ------------------------------------------------------------------------------
st.header("Customers to call back")
follow_up = customer_marts.FOLLOW_UP
if not warehouse.table_exists("marts", follow_up.table):
    st.caption("This publication has no call-back list (it was built before the list existed).")
else:
    follow_counts = customer_marts.filter_rows(customer_marts.load_mart(follow_up, scope), choices=choices)
    follow_total = int(follow_counts["rows"].sum())
    listed = f"; the {FOLLOW_UP_ROWS:,} most negative are listed" if follow_total > FOLLOW_UP_ROWS else ""
    st.caption(
        f"{follow_total:,} customers whose recent comments and tickets are mostly negative, as of {as_of_text}"
        f"{listed}: the warehouse's follow-up rule (enough recent scored texts, most of them negative). Customers "
        "appear under their pseudonym, as published: look them up in the CRM by that key. Filtered by segment, "
        "location and acquisition channel; the period does not apply (the rule looks at recent texts)."
    )
    if follow_total:
        people = customer_marts.list_rows(
            follow_up,
            scope,
            None,
            choices,
            "recent_negative_pct DESC, last_negative_at DESC, customer_id",
            FOLLOW_UP_ROWS,
        )
        people = people.assign(**{c: people[c].map(plain) for c in ("segment", "location", "acquisition_channel")})
        data_table(
            people[
                ["customer_id", "segment", "location", "acquisition_channel", "recent_negative_texts"]
                + ["recent_scored_texts", "recent_negative_pct", "last_negative_at"]
            ],
            hide_index=True,
            column_config={
                "customer_id": st.column_config.TextColumn("Customer (pseudonym)"),
                "segment": "Segment",
                "location": "Location",
                "acquisition_channel": "Acquisition channel",
                "recent_negative_texts": count_column("Negative recent texts"),
                "recent_scored_texts": count_column("Recent texts scored"),
                "recent_negative_pct": st.column_config.NumberColumn("Negative %", format="%.0f%%"),
                "last_negative_at": st.column_config.DatetimeColumn("Last negative text", format="YYYY-MM-DD"),
            },
            download="customers_to_call_back",
        )

# --- definitions ----------------------------------------------------------------------------------------
with st.expander("KPI definitions: how every number is computed"):
    st.markdown(
        """
Every number comes from the published customer marts (schema `marts`), which hold **counts** beside each
ratio. For any selection the page **adds up the counts first and divides last**; it never averages the
rows' ratios, which would let a location with 10 answers weigh as much as one with 10,000. A month or
selection with nothing to divide by shows **—** (no data), never 0.

- **Cards** show the last month of the period; the change compares it with the month before (even when that
  month lies before the period's start). For churn, first reply time, AHT and cost a fall is good (green).
- **Channel** means three things: the *acquisition* channel (how the customer came to us) in the survey,
  churn, repeat-purchase and conversion marts (there the lead's channel), the *sales* channel of the order
  in the orders mart, the *contact* channel of the ticket in the support marts. Each has its own filter.
- **Filters** apply to every mart with that dimension. A chosen value a mart does not hold leaves it with no
  rows (—), rather than showing everyone's numbers. Handle time × sentiment has no segment, so the segment
  filter does not apply to it.
- Cut-offs (NPS 9/6, CSAT 4, CES 5/3, lost after 180 days without an order where the CRM has no status,
  a 12-month repeat window) are the warehouse's defaults; a pipeline run may set others (`dbt_project.yml`
  vars).
"""
    )
    st.markdown(
        "\n".join(
            f"- **{kpi.label}**: {kpi.formula}"
            for kpi in [*customer_kpis.CARD_KPIS, *HANDLE_TIME_KPIS, *customer_kpis.TO_DATE_KPIS]
            + [customer_kpis.DETRACTOR_THEME_SHARE]
        )
    )
