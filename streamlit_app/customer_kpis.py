"""Customer KPI arithmetic for the Customer empathy page: pure functions, no Streamlit, no I/O.

Every KPI here is one ratio of summed counts, declared once: scale × (Σ added − Σ subtracted) / Σ denominator.
As in kpis.py, the counts of the selected rows are summed first and divided last, because averaging the
rows' ratios would let a location with 10 tickets weigh as much as one with 10,000. A denominator of 0
gives None ("no data"), never 0, which would read as a real score.

The help and formula texts mirror the dbt docs of the marts (dbt_project/models/marts/customer/*.yml), so
the page says what the warehouse computes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from streamlit_app import kpi_catalog


@dataclass(frozen=True)
class Kpi:
    key: str
    label: str
    mart: str  # a key of customer_marts.MARTS
    added: tuple[str, ...]
    denominator: str
    subtracted: tuple[str, ...] = ()
    scale: float = 1.0
    unit: str = ""  # written after the value: "%", " min"
    decimals: int = 1
    lower_is_better: bool = False
    help: str = ""
    formula: str = ""
    money: bool = False  # an amount of money: written with the dashboard's currency (ui.kpi_text), not `unit`

    @property
    def counts(self) -> list[str]:
        """The mart columns the KPI is computed from, each once."""
        return list(dict.fromkeys([*self.added, *self.subtracted, self.denominator]))

    @property
    def delta_unit(self) -> str:
        """A change of a percentage (or of NPS) is in points, not in percent."""
        return " pts" if self.scale == 100.0 else self.unit


def ratio(numerator: float, denominator: float, scale: float = 1.0) -> float | None:
    """scale × numerator / denominator; None when the denominator is 0 or missing (no data)."""
    if denominator is None or pd.isna(denominator) or denominator == 0:
        return None
    return scale * float(numerator) / float(denominator)


def _from_sums(kpi: Kpi, sums: pd.Series) -> float | None:
    numerator = sum(float(sums[c]) for c in kpi.added) - sum(float(sums[c]) for c in kpi.subtracted)
    return ratio(numerator, sums[kpi.denominator], kpi.scale)


def value_of(df: pd.DataFrame, kpi: Kpi) -> float | None:
    """The KPI over all rows of `df` (None when they hold nothing to divide by)."""
    return _from_sums(kpi, df[kpi.counts].sum())


def aggregate(df: pd.DataFrame, kpis: Kpi | Sequence[Kpi], by: Sequence[str] = ()) -> pd.DataFrame:
    """Sum the counts of `kpis` (one or several of one mart) per group of `by` (all rows when empty), then
    compute each KPI from the sums into a column named by its key."""
    kpis = [kpis] if isinstance(kpis, Kpi) else list(kpis)
    counts = list(dict.fromkeys(c for kpi in kpis for c in kpi.counts))
    by = list(by)
    if by:
        out = df.groupby(by, as_index=False, dropna=False, sort=True)[counts].sum()
    else:
        out = pd.DataFrame([df[counts].sum()])
    for kpi in kpis:
        out[kpi.key] = _ratios(kpi, out)
    return out


def _ratios(kpi: Kpi, sums: pd.DataFrame) -> pd.Series:
    """_from_sums for every row of `sums` at once (the same float operations in the same order), as Float64
    with <NA> where there is nothing to divide by: a page's groups in one array operation, not one pandas row
    at a time."""

    def column(name: str) -> np.ndarray:
        # Floats with NaN for a missing count (as .astype("Float64").astype("float64"), without two Series).
        return sums[name].to_numpy(dtype="float64", na_value=np.nan)

    numerator = sum((column(c) for c in kpi.added), 0.0) - sum((column(c) for c in kpi.subtracted), 0.0)
    denominator = column(kpi.denominator)
    with np.errstate(divide="ignore", invalid="ignore"):  # masked below
        values = pd.Series(kpi.scale * numerator / denominator, index=sums.index).astype("Float64")
    return values.mask(np.isnan(denominator) | (denominator == 0))


# --- the KPIs, in the order of the page's cards --------------------------------------------------------------
NPS = Kpi(
    "nps",
    kpi_catalog.label("nps"),
    "nps",
    added=("promoters",),
    subtracted=("detractors",),
    denominator="responses",
    decimals=kpi_catalog.decimals("nps"),
    scale=100.0,
    help="Net Promoter Score, −100…100: % promoters (9–10) minus % detractors (0–6) over the selected NPS "
    "answers of the month. Passives (7–8) count in the denominator.",
    formula="NPS = 100 × (Σ promoters − Σ detractors) / Σ responses. Promoters score ≥ 9, detractors ≤ 6, "
    "passives in between and in the denominator (Bain). −100…100.",
)
CSAT = Kpi(
    "csat_pct",
    kpi_catalog.label("csat_pct"),
    "csat",
    added=("satisfied_responses",),
    denominator="responses",
    decimals=kpi_catalog.decimals("csat_pct"),
    scale=100.0,
    unit="%",
    help="Share of the selected CSAT answers of the month in the top box (4–5 on a 1–5 scale).",
    formula="CSAT % = 100 × Σ satisfied_responses / Σ responses; satisfied = score ≥ 4, the top-2-box of a 1–5 scale.",
)
CES_MEAN = Kpi(
    "ces_mean",
    kpi_catalog.label("ces_mean"),
    "ces",
    added=("score_sum",),
    denominator="responses",
    decimals=kpi_catalog.decimals("ces_mean"),
    help="Customer Effort Score (CES 2.0): mean answer on 1–7 to “it was easy to handle my issue”; 7 = very "
    "easy, higher is better.",
    formula="CES mean = Σ score_sum / Σ responses, on CES 2.0's 1–7 scale (7 = very easy; higher is better).",
)
CES_EASY = Kpi(
    "ces_easy_pct",
    "CES easy %",
    "ces",
    added=("easy_responses",),
    denominator="responses",
    scale=100.0,
    unit="%",
    help="Share of the selected CES answers of the month that found it easy (5–7 on 1–7).",
    formula="CES easy % = 100 × Σ easy_responses / Σ responses; easy = score ≥ 5 (Gartner's share of 5–7). "
    "Difficult (≤ 3) is kept in the mart as ces_difficult_pct.",
)
CHURN = Kpi(
    "churn_pct",
    kpi_catalog.label("churn_pct"),
    "retention",
    added=("lost_from_start",),
    denominator="customers_at_start",
    decimals=kpi_catalog.decimals("churn_pct"),
    scale=100.0,
    unit="%",
    lower_is_better=True,
    help="Of the customers the month started with, the share lost during it (lower is better). Customers who "
    "joined and left within the month are not counted.",
    formula="Churn % = 100 × Σ lost_from_start / Σ customers_at_start: of the customers the month started "
    "with (signed up before it and not lost before it), the share lost in the month; a customer who joined and "
    "left within the month is in neither, so churn stays within 0–100. Lost = subscription ended where the "
    "CRM has a status, otherwise no order for var churn_inactivity_days (180 by default). Retention % = "
    "100 − churn % = 100 × (start − lost_from_start) / start.",
)
REPEAT = Kpi(
    "repeat_purchase_pct",
    "Repeat purchase %",
    "repeat",
    added=("repeat_buyers",),
    denominator="buyers",
    scale=100.0,
    unit="%",
    help="Of the customers with an order in the trailing window (12 months by default) ending with this "
    "month, the share with two or more.",
    formula="Repeat purchase % = 100 × Σ repeat_buyers / Σ buyers over a trailing window of var "
    "repeat_window_months (12 by default) ending with the month: buyers have 1+ non-cancelled order in the "
    "window, repeat buyers 2+. Counts add across segments and locations, never across months (the windows "
    "overlap). A window reaching back before the first order in the data is incomplete.",
)
CONVERSION = Kpi(
    "conversion_pct",
    "Conversion %",
    "conversion",
    added=("converted_leads",),
    denominator="leads",
    scale=100.0,
    unit="%",
    help="Of the leads created in the month, the share converted so far (a recent cohort can still rise).",
    formula="Conversion % = 100 × Σ converted_leads / Σ leads, per cohort of leads created in the month; "
    "leads still open can convert later, so a recent month's rate can still rise.",
)
AOV = Kpi(
    "aov",
    kpi_catalog.label("aov"),
    "orders",
    added=("gross_revenue",),
    denominator="orders",
    decimals=kpi_catalog.decimals("aov"),
    money=True,
    help="Average order value: gross revenue per non-cancelled order of the month, in the currency of the "
    "order totals.",
    formula="AOV = Σ gross_revenue / Σ orders; cancelled orders are excluded from both. Net AOV (after "
    "refunds) = Σ net_revenue / Σ orders.",
)
FCR = Kpi(
    "fcr_pct",
    kpi_catalog.label("fcr_pct"),
    "support",
    added=("first_contact_resolved_tickets",),
    denominator="resolved_tickets",
    decimals=kpi_catalog.decimals("fcr_pct"),
    scale=100.0,
    unit="%",
    help="First contact resolution: of the resolved tickets opened in the month, the share solved within the "
    "customer's first contact and never reopened.",
    formula="FCR % = 100 × Σ first_contact_resolved_tickets / Σ resolved_tickets; first-contact resolved = "
    "one customer contact and never reopened (the mart's fcr_definition 'first_contact'; 'one_touch' means "
    "at most one agent reply).",
)
FIRST_REPLY = Kpi(
    "first_reply_minutes",
    kpi_catalog.label("first_reply_minutes"),
    "support",
    added=("first_reply_minutes_sum",),
    denominator="replied_tickets",
    decimals=kpi_catalog.decimals("first_reply_minutes"),
    unit=" min",
    lower_is_better=True,
    help="Mean calendar minutes from opening a ticket to the first agent reply, over the replied tickets "
    "(lower is better).",
    formula="First reply time = Σ first_reply_minutes_sum / Σ replied_tickets, in calendar minutes; tickets "
    "without an agent reply have no first reply time and are not in the denominator.",
)
AHT = Kpi(
    "aht_minutes",
    "AHT",
    "support",
    added=("handle_minutes_sum",),
    denominator="handled_contacts",
    unit=" min",
    lower_is_better=True,
    help="Average handle time: agent working minutes per customer contact (lower is better).",
    formula="AHT = Σ handle_minutes_sum / Σ handled_contacts: agent working time per contact, over tickets "
    "with a recorded handle time.",
)
COST_PER_INTERACTION = Kpi(
    "cost_per_interaction",
    "Cost per interaction",
    "support",
    added=("support_cost",),
    denominator="contacts",
    decimals=2,
    lower_is_better=True,
    money=True,
    help="Support cost per customer contact, priced with the seed support_cost_assumptions (lower is better).",
    formula="Cost per interaction = Σ support_cost / Σ contacts, where support_cost = handle hours × "
    "agent_cost_per_hour + contacts × cost_per_contact from the seed support_cost_assumptions (its "
    "'default' row for channels it does not list).",
)
SENTIMENT = Kpi(
    "sentiment_score",
    "Sentiment score",
    "handle_time",
    added=("positive_tickets",),
    subtracted=("negative_tickets",),
    denominator="scored_tickets",
    scale=100.0,
    formula="Sentiment score = 100 × (Σ positive_tickets − Σ negative_tickets) / Σ scored_tickets, −100…100. "
    "The feeling is the latest survey answer about the ticket (sentiment_source 'survey_score'): NPS "
    "promoter, CSAT top box or CES easy = positive; detractor, bottom box or difficult = negative; the rest "
    "neutral. Tickets without a survey count in tickets, not in scored_tickets.",
)
NEGATIVE = Kpi(
    "negative_pct",
    "Negative %",
    "handle_time",
    added=("negative_tickets",),
    denominator="scored_tickets",
    scale=100.0,
    unit="%",
    formula="Negative % = 100 × Σ negative_tickets / Σ scored_tickets.",
)
HANDLE_MINUTES = Kpi(
    "handle_minutes_avg",
    "Mean handle time",
    "handle_time",
    added=("handle_minutes_sum",),
    denominator="tickets",
    unit=" min",
    formula="Mean handle time = Σ handle_minutes_sum / Σ tickets (tickets with a recorded handle time).",
)

CARD_ROWS: list[tuple[str, list[Kpi]]] = [
    ("Surveys", [NPS, CSAT, CES_MEAN, CES_EASY]),
    ("Customers and sales", [CHURN, REPEAT, CONVERSION, AOV]),
    ("Support", [FCR, FIRST_REPLY, AHT, COST_PER_INTERACTION]),
]
CARD_KPIS: list[Kpi] = [kpi for _, row in CARD_ROWS for kpi in row]


# --- customers to date (snapshot marts: no month) -------------------------------------------------------------
CHURN_TO_DATE = Kpi(
    "churn_to_date_pct",
    "Churn to date %",
    "churn_to_date",
    added=("lost_customers",),
    denominator="customers",
    scale=100.0,
    unit="%",
    lower_is_better=True,
    help="Of every customer the data holds, the share lost by its latest date: the churn figure a subscription "
    "export publishes (e.g. 26.5 % of customers churned). Not a monthly rate.",
    formula="Churn to date % = 100 × Σ lost_customers / Σ customers (customer_churn_summary): every customer "
    "ever signed up, lost = subscription ended where the CRM has a status, otherwise no order for var "
    "churn_inactivity_days (180 by default), as of the data's latest date.",
)
REPEAT_TO_DATE = Kpi(
    "repeat_to_date_pct",
    "Repeat purchase to date %",
    "repeat_to_date",
    added=("repeat_buyers",),
    denominator="buyers",
    scale=100.0,
    unit="%",
    help="Of every customer who ever ordered, the share who ordered twice or more: the whole history at once, "
    "beside the 12-month trailing rate of the cards above.",
    formula="Repeat purchase to date % = 100 × Σ repeat_buyers / Σ buyers (customer_repeat_purchase_to_date): buyers "
    "have 1+ non-cancelled order from the first order in the data (or var repeat_to_date_from) to the customers' "
    "as-of date, repeat buyers 2+.",
)
HISTORICAL_CLTV = Kpi(
    "historical_cltv",
    "Historical CLTV",
    "value",
    added=("net_revenue",),
    denominator="customers",
    decimals=2,
    money=True,
    help="Net revenue per customer to date (cancelled orders excluded, refunds deducted): what a customer has "
    "been worth so far.",
    formula="Historical CLTV = Σ net_revenue / Σ customers (customer_value_summary), net revenue to date.",
)
PREDICTIVE_CLTV = Kpi(
    "predictive_cltv",
    "Predictive CLTV",
    "value",
    added=("predictive_value",),
    denominator="predicted_customers",
    decimals=2,
    money=True,
    help="What a customer is expected to be worth over a whole relationship: net order value × orders per year × "
    "expected years as a customer × gross margin, per group of customers (the KPI reference's formula, not a "
    "statistical model).",
    formula="Predictive CLTV per group = aov_net × orders_per_customer_year × expected_lifespan_years × var "
    "cltv_gross_margin (customer_value_summary), expected lifespan = 1 / annual churn rate (losses per "
    "customer-year since the first order in the data) capped at var cltv_max_lifespan_years. Over several "
    "groups the page takes their customer-weighted mean, Σ (predictive_cltv × customers) / Σ customers, over "
    "the groups that have orders (a group without orders has no prediction).",
)


def with_predictive_value(value_rows: pd.DataFrame) -> pd.DataFrame:
    """customer_value_summary rows with the sums PREDICTIVE_CLTV divides: predictive_value = predictive_cltv ×
    customers and predicted_customers = customers, both 0 where the group has no prediction (no orders)."""
    predicted = pd.to_numeric(value_rows["predictive_cltv"], errors="coerce")
    has = predicted.notna()
    return value_rows.assign(
        predictive_value=(predicted.fillna(0.0) * value_rows["customers"]).astype("float64"),
        predicted_customers=value_rows["customers"].where(has, 0).astype("float64"),
    )


MODEL_CLTV = Kpi(
    "model_cltv_12m",
    "Expected value, next 12 months",
    "clv",
    added=("predicted_value",),
    denominator="customers",
    decimals=2,
    money=True,
    help="The expected value of a customer over the next 12 months, from their purchase pattern: how often and how "
    "recently each customer has ordered and what their orders were worth, net of refunds (a statistical model of "
    "every buyer, BG/NBD with Gamma-Gamma). An order counts as a purchase only when it is "
    "worth more than zero after refunds: customers who have never ordered, and those whose every order was returned "
    "or refunded in full, are not in it.",
    formula="Expected value per customer = Σ predicted_value / Σ customers (customer_clv_draws, averaged over the "
    "model's posterior draws); a customer's predicted value = expected purchases in the next 12 months (BG/NBD, "
    "Fader, Hardie & Lee 2005) × expected net value of a purchase (Gamma-Gamma, Fader, Hardie & Lee 2005), "
    "fitted with pymc-marketing. The interval is the 5th to 95th percentile of the same figure over 200 draws of "
    "the model's parameters (a Laplace approximation around the best fit): the uncertainty of the model's "
    "parameters, not of each customer's behaviour.",
)
# The share of the model's draws inside the interval shown (5th to 95th percentile; dagster_project/clv/model.py).
MODEL_INTERVAL = (0.05, 0.95)


@dataclass(frozen=True)
class ModelValue:
    """MODEL_CLTV over some customer_clv_draws rows: per customer and in total, each with its interval."""

    customers: int
    per_customer: float | None
    per_customer_low: float | None
    per_customer_high: float | None
    total: float | None
    total_low: float | None
    total_high: float | None


def model_value(draw_rows: pd.DataFrame) -> ModelValue:
    """Sum the selected groups' predicted values within each posterior draw, then take the mean and the
    MODEL_INTERVAL percentiles over the draws: an interval of any selection of groups, since every group's draw i
    comes from the same parameters. Customers are counted once (they repeat in every draw)."""
    if draw_rows.empty:
        return ModelValue(0, None, None, None, None, None, None)
    totals = draw_rows.groupby("draw")["predicted_value"].sum()
    customers = int(draw_rows.loc[draw_rows["draw"] == draw_rows["draw"].min(), "customers"].sum())
    low, high = (float(totals.quantile(q)) for q in MODEL_INTERVAL)
    mean = float(totals.mean())
    return ModelValue(
        customers,
        ratio(mean, customers),
        ratio(low, customers),
        ratio(high, customers),
        mean,
        low,
        high,
    )


DETRACTOR_THEME_SHARE = Kpi(
    "theme_share_pct",
    "Share of detractor comments",
    "detractor_themes",
    added=("theme_comments",),
    denominator="detractor_comments",
    scale=100.0,
    unit="%",
    help="Of the NPS detractors' comments, the share raising the theme.",
    formula="Detractor theme share = 100 × Σ theme_comments / Σ detractor_comments over the rows of one theme "
    "(customer_nps_detractor_themes: every theme has a row in every month and location with detractor comments, "
    "so Σ detractor_comments counts each comment once); themes from the seed text_themes, 'no recognised theme' "
    "for comments matching none. A comment can raise several themes.",
)
TO_DATE_KPIS: list[Kpi] = [CHURN_TO_DATE, HISTORICAL_CLTV, PREDICTIVE_CLTV]
