"""Brand & voice: brand sentiment, review ratings, mention volume, empathy language and themes of public
reviews and social mentions from the brand marts, with example review texts. Every ratio is recomputed from
summed counts (brand_kpis.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from streamlit_app import brand_kpis, brand_marts, charts, kpis
from streamlit_app.brand_kpis import Kpi
from streamlit_app.formatting import compared_with, format_delta, format_month, format_value
from streamlit_app.labels import plain
from streamlit_app.ui import (
    data_table,
    nothing_chosen,
    open_page,
    period_picker,
    ratio_card,
    report_loaded,
    report_sources,
)

EXAMPLE_ROWS = 500  # the latest ones; the caption gives the full count
SOURCE_LABELS = {"review": "Reviews", "mention": "Mentions"}


scope = open_page("brand_voice")
st.title("Brand & voice")
st.caption(
    "What the public says about us: ratings and text of public reviews, and social mentions. Counts are "
    "summed over the selection and divided last; — means nothing to divide by."
)

page_sources = report_sources("brand_voice")
loaded = brand_marts.load_all(scope)
frames = loaded.frames
report_loaded(loaded, page_sources)
all_months = brand_marts.months_of(frames)
if not all_months:
    st.info("The published brand marts hold no monthly rows yet, so there is nothing to show.")
    st.stop()
default_start, default_end = brand_marts.default_period(frames)

# --- filters ---------------------------------------------------------------------------------------------
period_col, platform_col, location_col = st.columns([2, 1, 1])
with period_col:
    start, end = period_picker(
        all_months,
        (default_start, default_end),
        key="brand_period",
        help="The cards show the period's last month; trends, ratings, themes and examples cover the whole "
        "period. By default it ends on the latest month every brand mart has reached and spans 12 months.",
    )
with platform_col:
    platforms = st.multiselect(
        "Platform",
        brand_marts.options(frames, "platform"),
        key="brand_platforms",
        placeholder="All platforms",
        format_func=plain,
        help="Review sites and social networks. A mention-only platform has no ratings (—).",
    )
with location_col:
    locations = st.multiselect(
        "Location",
        brand_marts.options(frames, "location"),
        key="brand_locations",
        placeholder=nothing_chosen(scope, "location"),
        format_func=plain,
    )
choices = {"platform": platforms, "location": locations}
selected = {name: brand_marts.filter_rows(frame, choices=choices) for name, frame in frames.items()}
period = (start, end)
in_period = {name: brand_marts.filter_rows(frame, period) for name, frame in selected.items()}
period_text = format_month(end) if start == end else f"{format_month(start)} – {format_month(end)}"

# --- KPI cards: the last month of the period against the month before it ---------------------------------
previous = end - pd.DateOffset(months=1)
vs = f"vs {format_month(previous)}"
st.subheader(format_month(end))
sentiment, reviews = selected["sentiment"], selected["reviews"]


def _ratio_card(column, kpi: Kpi) -> None:
    ratio_card(column, kpi, selected[kpi.mart], in_period[kpi.mart], end, previous)


sentiment_card, rating_card, top_box_card, volume_card, empathy_card = st.columns(5)
_ratio_card(sentiment_card, brand_kpis.SENTIMENT)
_ratio_card(rating_card, brand_kpis.RATING)
_ratio_card(top_box_card, brand_kpis.TOP_BOX)
# A business whose data has no social mentions at all has no mention volume: — (no data), never 0.
mentions_in_data = brand_kpis.has_mentions(frames["sentiment"])
volume_now = brand_kpis.mention_volume(sentiment[sentiment["month"] == end], mentions_in_data)
volume_before = brand_kpis.mention_volume(sentiment[sentiment["month"] == previous], mentions_in_data)
volume_trend = in_period["sentiment"].query("source == 'mention'").groupby("month")["texts"].sum()
volume_change = kpis.change(volume_now, volume_before)
volume_card.metric(
    "Mention volume",
    format_value(volume_now, 0),
    delta=(volume_delta := format_delta(volume_change, "", 0)),
    delta_color="off",  # more mentions are neither good nor bad news by themselves
    delta_description=compared_with(volume_delta, vs),
    border=True,
    help=brand_kpis.MENTION_VOLUME_HELP,
    chart_data=[float(v) for v in volume_trend] if len(volume_trend) > 1 else None,
)
if not mentions_in_data:
    volume_card.caption("This business's data has no social mentions")
_ratio_card(empathy_card, brand_kpis.EMPATHY)
month_texts = sentiment[sentiment["month"] == end]
month_reviews = reviews[reviews["month"] == end]
st.caption(
    f"Brand sentiment: {int(month_texts['scored_texts'].sum()):,} scored of {int(month_texts['texts'].sum()):,} "
    f"texts · Mean rating, rated 4–5 %: {int(month_reviews['reviews'].sum()):,} reviews · Empathy language: "
    f"{int(month_texts['texts'].sum()):,} texts (reviews and mentions)"
)

# --- sentiment and empathy-language trends -----------------------------------------------------------------
st.header("Trends")
sentiment_col, empathy_col = st.columns(2)
by_source = in_period["sentiment"].assign(source=lambda d: d["source"].map(SOURCE_LABELS).fillna(d["source"]))
for col, kpi in ((sentiment_col, brand_kpis.SENTIMENT), (empathy_col, brand_kpis.EMPATHY)):
    with col:
        st.markdown(f"**{kpi.label} by month**")
        total = brand_kpis.aggregate(in_period["sentiment"], kpi, ["month"])
        if total[kpi.key].notna().any():
            grouped = brand_kpis.aggregate(by_source, kpi, ["month", "source"])
            st.altair_chart(charts.monthly_by_group(grouped, total, kpi.key, kpi.label, "source", "Source"))
        else:
            st.caption(f"No {kpi.label} data in the selection for {period_text}.")
st.caption(
    "One line per source and a dashed line for the selection as a whole (its own summed counts, not the mean "
    "of the two lines). A month with nothing to divide by is a gap."
)

# --- ratings and themes ------------------------------------------------------------------------------------
rating_col, theme_col = st.columns(2)
with rating_col:
    st.subheader("Rating distribution")
    distribution = brand_kpis.rating_distribution(in_period["reviews"])
    total_reviews = int(distribution["reviews"].sum())
    if total_reviews:
        st.altair_chart(charts.rating_distribution(distribution), height=300)
        period_rating = brand_kpis.value_of(in_period["reviews"], brand_kpis.RATING)
        period_top = brand_kpis.value_of(in_period["reviews"], brand_kpis.TOP_BOX)
        st.caption(
            f"{total_reviews:,} reviews in {period_text}, on whole stars (a 4.5 counts as 5): mean "
            f"{format_value(period_rating, 2, ' ★')}, rated 4–5 {format_value(period_top, 1, '%')}."
        )
    else:
        st.caption(f"No reviews in the selection for {period_text} (a mention-only platform has no ratings).")
with theme_col:
    st.subheader("Themes")
    # One theme's rows hold every text of the selection once, so Σ texts per theme is the right denominator.
    themes = brand_kpis.theme_shares(in_period["themes"])
    if not themes.empty and themes["texts"].sum() > 0:
        st.altair_chart(charts.theme_shares(themes), height=300)
        st.caption(
            f"Share of the {int(themes['texts'].iloc[0]):,} texts (reviews and mentions) in {period_text} that "
            "raise each theme; a text can raise several. Colour: the theme's own sentiment."
        )
    else:
        st.caption(f"No themed texts in the selection for {period_text}.")

# --- example comments --------------------------------------------------------------------------------------
st.header("Example reviews")
example_count = int(in_period["examples"]["rows"].sum())
shown = f"; the latest {EXAMPLE_ROWS:,} are listed" if example_count > EXAMPLE_ROWS else ""
st.caption(
    f"{example_count:,} public reviews in {period_text}{shown}. Public review text only: no social-media "
    "handles, no survey comments, no customer key."
)
if example_count:
    examples = brand_marts.list_rows(
        brand_marts.MARTS["examples"], scope, period, choices, "month DESC, review_id", EXAMPLE_ROWS
    )
    examples = examples.assign(
        sentiment_label=examples["sentiment_label"].map(plain),
        language=examples["language"].map(plain),
        themes=examples["themes"].map(brand_kpis.theme_words),
        review_text=examples["review_text"].map(brand_kpis.review_words),
    )
    data_table(
        examples[
            ["month", "platform", "location", "rating", "sentiment_label", "has_empathy", "themes", "review_text"]
            + ["language", "review_id"]
        ],
        hide_index=True,
        column_config={
            "month": st.column_config.DateColumn("Month", format="MMM YYYY"),
            "platform": "Platform",
            "location": "Location",
            "rating": st.column_config.NumberColumn("Rating", format="%.1f ★"),
            "sentiment_label": "Sentiment",
            "has_empathy": st.column_config.CheckboxColumn("Empathy language"),
            "themes": "Themes",
            "review_text": st.column_config.TextColumn("Review", width=420),
            "language": "Language",
            "review_id": "Review id",
        },
        download="review_examples",
    )

# --- definitions ----------------------------------------------------------------------------------------
with st.expander("KPI definitions: how every number is computed"):
    st.markdown(
        """
Every number comes from the published brand marts (schema `marts`), which hold **counts** beside each
ratio. For any selection the page **adds up the counts first and divides last**; it never averages the
rows' ratios. A month or selection with nothing to divide by shows **—** (no data), never 0.

- **Cards** show the last month of the period; the change compares it with the month before (even when
  that month lies before the period's start).
- **Texts** are public reviews and social mentions (`source`); brand sentiment, empathy language and themes
  cover both, ratings only reviews. A mention-only platform therefore has no rating (—).
- **Filters** (platform, location) apply to every brand mart.
"""
    )
    st.markdown(
        "\n".join(
            f"- **{kpi.label}.** {kpi.formula}"
            for kpi in [*brand_kpis.CARDS[:3], brand_kpis.ANTI_EMPATHY, brand_kpis.THEME_SHARE]
            + [brand_kpis.THEME_SENTIMENT]
        )
        + f"\n- **Empathy language %.** {brand_kpis.EMPATHY.formula}"
        + f"\n- **Mention volume.** {brand_kpis.MENTION_VOLUME_FORMULA}"
        + "\n- **Rating distribution.** Σ rating_N_reviews per whole star (N = 1…5, a 4.5 counts as 5) "
        "/ Σ reviews."
    )
