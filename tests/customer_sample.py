"""The customer marts of the fixture's small fictional business (tests/serving_fixture.py).

Consistent the way a publish is: every mart uses the same months, segments and locations (each location in
one region); every row keeps the marts' own identities (promoters + passives + detractors = responses,
end = start + new − lost, orders + cancelled = placed, …); the ratio columns are computed from the counts
as dbt does; the detractor comments come from the NPS mart's detractors. Row sizes vary a lot, so a mean
of row ratios differs from the ratio of summed counts.

Planted for the tests:
- "channel" has three meanings and shares the value "phone" across them: acquisition (survey, retention,
  repeat purchase, conversion, comments), sales (orders) and contact (support, handle time).
- Retention runs one month further than the other marts (a partial as-of month, as in a real run), so the
  page's default month is the latest one every mart has reached.
- Toronto has no leads in the last full month: its conversion shows "no data", not 0.
- Short handle times go with worse sentiment.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd

MONTHS = pd.date_range("2025-01-01", "2025-06-01", freq="MS")
AS_OF_MONTH = pd.Timestamp("2025-07-01")  # retention counts the partial month of the as-of date too
SEGMENTS = ["Enterprise", "SMB", "Consumer"]
LOCATIONS = {"Berlin": "EMEA", "Lisbon": "EMEA", "Toronto": "AMER"}
ACQUISITION_CHANNELS = ["web", "store", "phone"]
TOUCHPOINTS = ["web", "store", "delivery"]
SALES_CHANNELS = ["web", "store", "phone"]
CONTACT_CHANNELS = ["chat", "email", "phone"]
CATEGORIES = ["billing", "delivery"]
HANDLE_TIME_BANDS = {"0-5 min": 3.0, "5-10 min": 7.5, "10-20 min": 14.0, "20-40 min": 27.0, "40+ min": 55.0}
LEAN = {"Enterprise": 0.55, "SMB": 0.4, "Consumer": 0.25}  # Enterprise is happiest, Consumer least happy
COMMENTS = [
    "The agent was rude and rushed me off the phone.",
    "Delivery came a week late and nobody told me.",
    "Copy-paste answers that did not help.",
    "Too expensive for the quality.",
    "I waited forever and nobody called back.",
]


def _pct(numerator, denominator) -> np.ndarray:
    """dbt's pct(): 100 × n / d, NULL when d is 0."""
    numerator, denominator = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    return np.where(denominator > 0, 100.0 * numerator / np.where(denominator > 0, denominator, 1), np.nan)


def _ratio(numerator, denominator) -> np.ndarray:
    return _pct(numerator, denominator) / 100.0


def _grid(rng: np.random.Generator, keep: float, months=MONTHS, **dimensions: list[str]) -> pd.DataFrame:
    """Month × segment × location (with its region) × `dimensions`; a random `keep` share of the cells, as a
    mart holds only the cells where something happened."""
    names = ["month", "segment", "location", *dimensions]
    cells = pd.DataFrame(
        list(itertools.product([m.date() for m in months], SEGMENTS, LOCATIONS, *dimensions.values())),
        columns=names,
    )
    cells.insert(2, "region", cells["location"].map(LOCATIONS))
    return cells[rng.random(len(cells)) < keep].reset_index(drop=True)


def _lean(frame: pd.DataFrame) -> np.ndarray:
    return frame["segment"].map(LEAN).to_numpy()


def survey_marts(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """NPS, CSAT and CES at their grain: month × segment × region × location × channel × touchpoint."""
    dims = {"channel": ACQUISITION_CHANNELS, "touchpoint": TOUCHPOINTS}

    nps = _grid(rng, 0.6, **dims)
    nps["responses"] = rng.choice([0, 2, 6, 20, 70], size=len(nps), p=[0.05, 0.25, 0.3, 0.27, 0.13])
    nps["promoters"] = rng.binomial(nps["responses"], _lean(nps))
    nps["detractors"] = rng.binomial(nps["responses"] - nps["promoters"], 0.5)
    nps["passives"] = nps["responses"] - nps["promoters"] - nps["detractors"]
    nps["nps"] = _pct(nps["promoters"] - nps["detractors"], nps["responses"])

    csat = _grid(rng, 0.6, **dims)
    csat["responses"] = rng.choice([0, 2, 6, 20, 70], size=len(csat), p=[0.05, 0.25, 0.3, 0.27, 0.13])
    csat["satisfied_responses"] = rng.binomial(csat["responses"], _lean(csat) + 0.3)
    unsatisfied = csat["responses"] - csat["satisfied_responses"]
    csat["score_sum"] = (csat["satisfied_responses"] * 4.5 + unsatisfied * 2.2).round(1)
    csat["csat_pct"] = _pct(csat["satisfied_responses"], csat["responses"])
    csat["csat_mean"] = _ratio(csat["score_sum"], csat["responses"])

    ces = _grid(rng, 0.5, **dims)
    ces["responses"] = rng.choice([1, 3, 9, 30], size=len(ces), p=[0.3, 0.3, 0.25, 0.15])
    ces["easy_responses"] = rng.binomial(ces["responses"], _lean(ces) + 0.2)
    ces["difficult_responses"] = rng.binomial(ces["responses"] - ces["easy_responses"], 0.6)
    middle = ces["responses"] - ces["easy_responses"] - ces["difficult_responses"]
    ces["score_sum"] = (6.0 * ces["easy_responses"] + 2.0 * ces["difficult_responses"] + 4.0 * middle).astype(float)
    ces["ces_mean"] = _ratio(ces["score_sum"], ces["responses"])
    ces["ces_easy_pct"] = _pct(ces["easy_responses"], ces["responses"])
    ces["ces_difficult_pct"] = _pct(ces["difficult_responses"], ces["responses"])
    return {
        "marts.customer_nps_monthly": nps,
        "marts.customer_csat_monthly": csat,
        "marts.customer_ces_monthly": ces,
    }


def detractor_comments(rng: np.random.Generator, nps: pd.DataFrame) -> pd.DataFrame:
    """Up to two commenting detractors per NPS cell that has detractors, with that cell's dimensions."""
    rows = []
    for cell in nps[nps["detractors"] > 0].itertuples(index=False):
        for _ in range(int(rng.integers(0, min(cell.detractors, 2) + 1))):
            rows.append(
                {
                    "response_id": f"R{len(rows) + 1:05d}",
                    "month": cell.month,
                    "responded_at": dt.datetime.combine(cell.month, dt.time(9))
                    + dt.timedelta(days=int(rng.integers(0, 28)), minutes=int(rng.integers(0, 600))),
                    "score": float(rng.integers(0, 7)),
                    "comment": COMMENTS[int(rng.integers(0, len(COMMENTS)))],
                    "segment": cell.segment,
                    "region": cell.region,
                    "location": cell.location,
                    "channel": cell.channel,
                    "touchpoint": cell.touchpoint,
                    "ticket_id": f"T{int(rng.integers(1, 9999)):05d}" if rng.random() < 0.4 else None,
                }
            )
    return pd.DataFrame(rows)


def retention(rng: np.random.Generator) -> pd.DataFrame:
    """Every month of every group up to the as-of month; each month starts where the last one ended. Some new
    customers leave in the month they joined: they count in lost_customers, not in lost_from_start (churn)."""
    months = [*MONTHS, AS_OF_MONTH]
    frame = _grid(rng, 1.0, months=months, channel=ACQUISITION_CHANNELS)
    frame = frame.sort_values(["segment", "location", "channel", "month"]).reset_index(drop=True)
    counts = ["customers_at_start", "new_customers", "lost_customers", "lost_from_start"]
    frame[counts] = 0
    for _, group in frame.groupby(["segment", "location", "channel"]):
        # Toronto's phone customers arrive in the first month: a start of 0 (churn "no data") is real.
        start = 0 if group["location"].iloc[0] == "Toronto" and group["channel"].iloc[0] == "phone" else None
        start = int(rng.integers(20, 400)) if start is None else start
        for index in group.index:  # a running total: each month starts where the previous one ended
            new = int(rng.poisson(12))
            lost_from_start = int(rng.binomial(start, (1 - LEAN[frame.at[index, "segment"]]) * 0.06))
            lost = lost_from_start + int(rng.binomial(new, 0.15))
            frame.loc[index, counts] = [start, new, lost, lost_from_start]
            start = start + new - lost
    frame[counts] = frame[counts].astype("int64")
    frame["customers_at_end"] = frame["customers_at_start"] + frame["new_customers"] - frame["lost_customers"]
    frame["churn_pct"] = _pct(frame["lost_from_start"], frame["customers_at_start"])
    frame["retention_pct"] = _pct(frame["customers_at_start"] - frame["lost_from_start"], frame["customers_at_start"])
    return frame


def repeat_purchase(rng: np.random.Generator) -> pd.DataFrame:
    """Trailing 12-month windows; the data's first order is in March 2024, so January 2025's window (from
    February 2024) is incomplete and the later ones are complete."""
    frame = _grid(rng, 0.9, channel=ACQUISITION_CHANNELS)
    frame["buyers"] = rng.integers(1, 300, size=len(frame))
    frame["repeat_buyers"] = rng.binomial(frame["buyers"], _lean(frame) + 0.2)
    frame["orders"] = frame["buyers"] + frame["repeat_buyers"] * rng.integers(1, 4, size=len(frame))
    frame["window_months"] = 12
    frame["window_start_month"] = [(pd.Timestamp(m) - pd.DateOffset(months=11)).date() for m in frame["month"]]
    frame["window_complete"] = frame["window_start_month"] >= dt.date(2024, 3, 1)
    frame["repeat_purchase_pct"] = _pct(frame["repeat_buyers"], frame["buyers"])
    return frame


def orders(rng: np.random.Generator) -> pd.DataFrame:
    frame = _grid(rng, 0.8, channel=SALES_CHANNELS)
    frame["orders_placed"] = rng.integers(1, 120, size=len(frame))
    frame["cancelled_orders"] = rng.binomial(frame["orders_placed"], 0.06)
    frame["orders"] = frame["orders_placed"] - frame["cancelled_orders"]
    basket = frame["segment"].map({"Enterprise": 420.0, "SMB": 140.0, "Consumer": 45.0}).to_numpy()
    frame["gross_revenue"] = (frame["orders"] * basket * rng.uniform(0.7, 1.3, size=len(frame))).round(2)
    frame["refunds"] = (frame["gross_revenue"] * rng.uniform(0, 0.08, size=len(frame))).round(2)
    frame["net_revenue"] = (frame["gross_revenue"] - frame["refunds"]).round(2)
    frame["aov"] = _ratio(frame["gross_revenue"], frame["orders"])
    frame["aov_net"] = _ratio(frame["net_revenue"], frame["orders"])
    return frame


def conversion(rng: np.random.Generator) -> pd.DataFrame:
    frame = _grid(rng, 0.7, channel=ACQUISITION_CHANNELS)
    last_month = MONTHS[-1].date()
    frame = frame[~((frame["location"] == "Toronto") & (frame["month"] == last_month))].reset_index(drop=True)
    frame["leads"] = rng.integers(1, 40, size=len(frame))
    frame["converted_leads"] = rng.binomial(frame["leads"], _lean(frame) * 0.6)
    frame["lost_leads"] = rng.binomial(frame["leads"] - frame["converted_leads"], 0.5)
    frame["open_leads"] = frame["leads"] - frame["converted_leads"] - frame["lost_leads"]
    frame["days_to_convert_sum"] = (frame["converted_leads"] * rng.uniform(3, 40, size=len(frame))).round(3)
    frame["conversion_pct"] = _pct(frame["converted_leads"], frame["leads"])
    frame["days_to_convert_avg"] = _ratio(frame["days_to_convert_sum"], frame["converted_leads"])
    return frame


SUPPORT_COSTS = {"chat": (32.0, 0.6), "email": (32.0, 0.4), "phone": (32.0, 1.1)}  # per hour, per contact


def support(rng: np.random.Generator) -> pd.DataFrame:
    frame = _grid(rng, 0.7, channel=CONTACT_CHANNELS, category=CATEGORIES)
    n = len(frame)
    channel = frame["channel"]
    tickets = rng.integers(1, 60, size=n)
    frame["tickets"] = tickets
    frame["replied_tickets"] = tickets - rng.binomial(tickets, 0.05)
    reply_minutes = channel.map({"chat": 4.0, "email": 240.0, "phone": 1.5}).to_numpy()
    frame["first_reply_minutes_sum"] = (frame["replied_tickets"] * reply_minutes * rng.uniform(0.5, 1.5, n)).round(3)
    frame["resolved_tickets"] = rng.binomial(tickets, 0.9)
    frame["first_resolution_hours_sum"] = (frame["resolved_tickets"] * rng.uniform(2, 30, n)).round(3)
    frame["fully_resolved_tickets"] = frame["resolved_tickets"] - rng.binomial(frame["resolved_tickets"], 0.05)
    frame["full_resolution_hours_sum"] = (frame["fully_resolved_tickets"] * rng.uniform(3, 40, n)).round(3)
    first_time = channel.map({"chat": 0.7, "email": 0.45, "phone": 0.8}).to_numpy()
    frame["first_contact_resolved_tickets"] = rng.binomial(frame["resolved_tickets"], first_time)
    frame["reopened_tickets"] = rng.binomial(frame["resolved_tickets"] - frame["first_contact_resolved_tickets"], 0.3)
    frame["reopens"] = frame["reopened_tickets"] + rng.binomial(frame["reopened_tickets"], 0.2)
    frame["contacts"] = tickets + rng.binomial(tickets, 0.6) + frame["reopens"]
    frame["handled_tickets"] = tickets - rng.binomial(tickets, 0.03)
    frame["handled_contacts"] = np.maximum(
        frame["handled_tickets"], (frame["contacts"] * frame["handled_tickets"]) // tickets
    )
    frame["handle_minutes_sum"] = (frame["handled_contacts"] * rng.uniform(4, 14, n)).round(3)
    per_hour = channel.map({c: v[0] for c, v in SUPPORT_COSTS.items()}).to_numpy()
    per_contact = channel.map({c: v[1] for c, v in SUPPORT_COSTS.items()}).to_numpy()
    frame["support_cost"] = (frame["handle_minutes_sum"] / 60 * per_hour + frame["contacts"] * per_contact).round(4)
    frame["first_reply_minutes_avg"] = _ratio(frame["first_reply_minutes_sum"], frame["replied_tickets"])
    frame["first_resolution_hours_avg"] = _ratio(frame["first_resolution_hours_sum"], frame["resolved_tickets"])
    frame["full_resolution_hours_avg"] = _ratio(frame["full_resolution_hours_sum"], frame["fully_resolved_tickets"])
    frame["fcr_pct"] = _pct(frame["first_contact_resolved_tickets"], frame["resolved_tickets"])
    frame["reopen_pct"] = _pct(frame["reopened_tickets"], frame["resolved_tickets"])
    frame["aht_minutes"] = _ratio(frame["handle_minutes_sum"], frame["handled_contacts"])
    frame["handle_minutes_per_ticket"] = _ratio(frame["handle_minutes_sum"], frame["handled_tickets"])
    frame["cost_per_interaction"] = _ratio(frame["support_cost"], frame["contacts"])
    frame["cost_per_ticket"] = _ratio(frame["support_cost"], frame["tickets"])
    return frame


def handle_time_sentiment(rng: np.random.Generator) -> pd.DataFrame:
    """Month × location × contact channel × band (no segment: the mart has none). Rushed tickets (short
    bands) are more often negative."""
    cells = pd.DataFrame(
        list(itertools.product([m.date() for m in MONTHS], LOCATIONS, CONTACT_CHANNELS, HANDLE_TIME_BANDS)),
        columns=["month", "location", "channel", "handle_time_band"],
    )
    cells.insert(2, "region", cells["location"].map(LOCATIONS))
    frame = cells[rng.random(len(cells)) < 0.8].reset_index(drop=True)
    n = len(frame)
    frame["sentiment_source"] = "survey_score"
    frame["tickets"] = rng.integers(1, 80, size=n)
    minutes = frame["handle_time_band"].map(HANDLE_TIME_BANDS).to_numpy()
    frame["handle_minutes_sum"] = (frame["tickets"] * minutes * rng.uniform(0.8, 1.2, n)).round(3)
    frame["scored_tickets"] = rng.binomial(frame["tickets"], 0.3)
    negative_share = frame["handle_time_band"].map(
        {"0-5 min": 0.5, "5-10 min": 0.3, "10-20 min": 0.15, "20-40 min": 0.12, "40+ min": 0.2}
    )
    frame["negative_tickets"] = rng.binomial(frame["scored_tickets"], negative_share.to_numpy())
    frame["positive_tickets"] = rng.binomial(frame["scored_tickets"] - frame["negative_tickets"], 0.7)
    frame["neutral_tickets"] = frame["scored_tickets"] - frame["negative_tickets"] - frame["positive_tickets"]
    frame["handle_minutes_avg"] = _ratio(frame["handle_minutes_sum"], frame["tickets"])
    frame["sentiment_score"] = _pct(frame["positive_tickets"] - frame["negative_tickets"], frame["scored_tickets"])
    frame["negative_pct"] = _pct(frame["negative_tickets"], frame["scored_tickets"])
    return frame


def snapshot_marts(rng: np.random.Generator, retention_rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Churn and value summaries per segment × region × location × channel, and a few customers for the
    360 view; the page does not read them, a publish has them."""
    groups = retention_rows.groupby(["segment", "region", "location", "channel"], as_index=False).agg(
        customers=("new_customers", "sum"), first_start=("customers_at_start", "first"), lost=("lost_customers", "sum")
    )
    churn = groups[["segment", "region", "location", "channel"]].copy()
    churn["churn_basis"] = "status"
    churn["customers"] = groups["customers"] + groups["first_start"]
    churn["lost_customers"] = groups["lost"]
    churn["active_customers"] = churn["customers"] - churn["lost_customers"]
    churn["as_of_date"] = dt.date(2025, 7, 2)
    churn["churn_pct"] = _pct(churn["lost_customers"], churn["customers"])

    value = churn[["segment", "region", "location", "channel", "customers"]].copy()
    value["buyers"] = rng.binomial(value["customers"], 0.9)
    value["orders"] = value["buyers"] * rng.integers(1, 6, size=len(value))
    value["gross_revenue"] = (value["orders"] * rng.uniform(40, 400, size=len(value))).round(2)
    value["net_revenue"] = (value["gross_revenue"] * 0.95).round(2)
    value["customer_years"] = (value["customers"] * rng.uniform(0.5, 3, size=len(value))).round(4)
    value["lost_customers_observed"] = churn["lost_customers"]
    value["historical_cltv"] = _ratio(value["net_revenue"], value["customers"])
    value["aov_net"] = _ratio(value["net_revenue"], value["orders"])
    value["orders_per_customer_year"] = _ratio(value["orders"], value["customer_years"])
    value["annual_churn_rate"] = _ratio(value["lost_customers_observed"], value["customer_years"])
    lifespan = np.minimum(10.0, 1 / np.where(value["annual_churn_rate"] > 0, value["annual_churn_rate"], 0.1))
    value["expected_lifespan_years"] = lifespan
    value["predictive_cltv"] = value["aov_net"] * value["orders_per_customer_year"] * lifespan

    repeat = value[["segment", "region", "location", "channel", "buyers", "orders"]].copy()
    repeat["repeat_buyers"] = rng.binomial(repeat["buyers"], 0.4)
    repeat["first_order_date"] = repeat["period_start"] = dt.date(2023, 1, 5)
    repeat["last_order_date"] = repeat["period_end"] = dt.date(2025, 7, 2)
    repeat["repeat_purchase_pct"] = _pct(repeat["repeat_buyers"], repeat["buyers"])

    people = churn.sample(n=12, random_state=int(rng.integers(0, 2**31)))
    c360 = people[["segment", "region", "location", "channel", "churn_basis"]].reset_index(drop=True)
    c360.insert(0, "customer_id", [f"C{i:04d}" for i in range(1, len(c360) + 1)])
    c360["signup_date"] = dt.date(2024, 5, 1)
    c360["is_lost"] = [i % 4 == 0 for i in range(len(c360))]
    c360["lost_date"] = [dt.date(2025, 3, 1) if lost else None for lost in c360["is_lost"]]
    c360["tenure_days"] = [(d or dt.date(2025, 7, 2)) - dt.date(2024, 5, 1) for d in c360["lost_date"]]
    c360["tenure_days"] = c360["tenure_days"].map(lambda delta: delta.days)
    c360["lifetime_orders"] = rng.integers(0, 9, size=len(c360))
    c360["lifetime_gross_revenue"] = (c360["lifetime_orders"] * 80.0).astype(float)
    c360["lifetime_net_revenue"] = c360["lifetime_gross_revenue"] * 0.95
    c360["tickets"] = rng.integers(0, 4, size=len(c360))
    c360["open_tickets"] = np.minimum(c360["tickets"], 1)
    c360["latest_nps_score"] = rng.integers(0, 11, size=len(c360)).astype(float)
    c360["risk_inactive"] = False
    c360["risk_detractor"] = (c360["latest_nps_score"] <= 6) & ~c360["is_lost"]
    c360["risk_low_csat"] = False
    c360["risk_aging_ticket"] = (c360["open_tickets"] > 0) & ~c360["is_lost"]
    c360["risk_flags"] = (c360["risk_detractor"].astype(int) + c360["risk_aging_ticket"].astype(int)).astype("int32")
    c360["at_risk"] = c360["risk_flags"] > 0
    c360["as_of_date"] = dt.date(2025, 7, 2)
    return {
        "marts.customer_churn_summary": churn,
        "marts.customer_value_summary": value,
        "marts.customer_repeat_purchase_to_date": repeat,
        "marts.customer_360": c360,
    }


def detractor_themes(comments: pd.DataFrame) -> pd.DataFrame:
    """Themes of the detractor comments per month × region × location, as dbt counts them: every theme (and
    'no_theme') has a row in every cell with comments; a comment's theme follows from its text."""
    themes_of = {
        COMMENTS[0]: ["staff_attitude"],
        COMMENTS[1]: ["delivery", "waiting"],
        COMMENTS[2]: [],
        COMMENTS[3]: ["price"],
        COMMENTS[4]: ["waiting"],
    }
    themes = ["delivery", "price", "staff_attitude", "waiting", "no_theme"]
    rows = []
    for (month, region, location), cell in comments.groupby(["month", "region", "location"]):
        raised = [t for text in cell["comment"] for t in (themes_of[text] or ["no_theme"])]
        for theme in themes:
            count = raised.count(theme)
            rows.append((month, region, location, theme, len(cell), count, 100.0 * count / len(cell)))
    return pd.DataFrame(
        rows,
        columns=["month", "region", "location", "theme", "detractor_comments", "theme_comments", "theme_share_pct"],
    )


def follow_up(churn: pd.DataFrame) -> pd.DataFrame:
    """Three customers to call back (pseudonymous keys as published): two in the first location (Berlin), one in
    Lisbon, so a viewer scoped to Lisbon sees exactly that one."""
    cell = churn.sort_values(["location", "segment", "channel"]).iloc[0][["segment", "region", "location", "channel"]]
    rows = [
        ("cus_0a1b2c3d4e5f6a7b", *cell, 4, 4, 100.0, 3),
        ("cus_1b2c3d4e5f6a7b8c", *cell, 5, 3, 60.0, 9),
        ("cus_2c3d4e5f6a7b8c9d", "SMB", "EMEA", "Lisbon", "web", 3, 2, 66.7, 1),
    ]
    frame = pd.DataFrame(
        rows,
        columns=["customer_id", "segment", "region", "location", "channel", "recent_scored_texts"]
        + ["recent_negative_texts", "recent_negative_pct", "days_ago"],
    )
    frame["last_negative_at"] = [dt.datetime(2025, 7, 2, 9) - dt.timedelta(days=d) for d in frame.pop("days_ago")]
    frame["as_of_date"] = dt.date(2025, 7, 2)
    return frame


def support_cost_assumptions() -> pd.DataFrame:
    rows = [(channel, per_hour, per_contact, "fixture") for channel, (per_hour, per_contact) in SUPPORT_COSTS.items()]
    return pd.DataFrame(
        [*rows, ("default", 32.0, 0.5, "Used for any channel not listed above.")],
        columns=["channel", "agent_cost_per_hour", "cost_per_contact", "note"],
    )


def customer_marts(seed: int = 3) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    surveys = survey_marts(rng)
    retention_rows = retention(rng)
    comments = detractor_comments(rng, surveys["marts.customer_nps_monthly"])
    snapshots = snapshot_marts(rng, retention_rows)
    return {
        **surveys,
        "marts.customer_nps_detractor_comments": comments,
        "marts.customer_nps_detractor_themes": detractor_themes(comments),
        "marts.customer_sentiment_follow_up": follow_up(snapshots["marts.customer_churn_summary"]),
        "marts.customer_retention_monthly": retention_rows,
        "marts.customer_repeat_purchase_monthly": repeat_purchase(rng),
        "marts.customer_orders_monthly": orders(rng),
        "marts.customer_conversion_monthly": conversion(rng),
        "marts.customer_support_monthly": support(rng),
        "marts.customer_handle_time_sentiment": handle_time_sentiment(rng),
        **snapshots,
        "marts.support_cost_assumptions": support_cost_assumptions(),
    }
