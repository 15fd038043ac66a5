"""Predictive CLTV from each buyer's purchase pattern: BG/NBD (Fader, Hardie & Lee 2005) for how many orders a
customer will place, Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV") for what an order will be worth, both
from pymc-marketing (docs/kpi_definitions.md, "Predictive CLTV, BG/NBD + Gamma-Gamma (s13)"; decisions D276-D285).

Pure functions on DataFrames: `buyers` summarises orders, `fit` fits both models (MAP, then a Laplace approximation
of the posterior from pymc-extras for the interval), `predict` gives each customer's expected net value over the next
12 months per posterior draw, and `publishable` turns those into group totals no smaller than the anonymity minimum.
pymc-marketing is imported inside the functions: it takes seconds to import and only this job needs it.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

# pip-installed PyTensor links no BLAS: a warning on every import, though these small models never need it.
warnings.filterwarnings("ignore", message="PyTensor could not link to a BLAS installation")

# The purchase history is summarised in weeks: a day is too fine for the default priors and for retail rhythms.
TIME_UNIT = "W"
HORIZON_MONTHS = 12
HORIZON_WEEKS = HORIZON_MONTHS * 365.25 / 12 / 7
# Posterior draws kept from the Laplace approximation: the interval's precision, and the published draw rows.
DRAWS = 200
INTERVAL = (0.05, 0.95)
GROUP_DIMENSIONS = ("segment", "region", "location", "channel")
SMALL_GROUPS = "Other (small groups)"
# Why a buyer is not in the model, in plain words (the fit table and the page show them with their counts).
LEFT_OUT_NO_PURCHASE = "none of their orders was worth more than zero (each returned or refunded in full)"


@dataclass(frozen=True)
class Buyers:
    """Per-customer purchase summary of the modelled buyers and the count of buyers left out, by reason."""

    rfm: pd.DataFrame  # customer_id, frequency, recency, T, monetary_value (+ group dimensions)
    left_out: dict[str, int]
    window_start: dt.date
    window_end: dt.date


def buyers(orders: pd.DataFrame, as_of: dt.date) -> Buyers:
    """Summarise non-cancelled orders (customer_id, ordered_at, net_amount, group dimensions) into frequency
    (repeat purchase weeks), recency, T (weeks since the first purchase) and monetary value (mean net value of repeat
    purchase weeks), with pymc-marketing's `rfm_summary`. A purchase is an order worth more than zero net of refunds:
    a returned order (net 0) or a refund booked as an order (net below 0) is no purchase, else it would count as a
    repeat purchase and lower the spend per purchase. Buyers left with no purchase are left out and counted (the
    Gamma-Gamma likelihood is undefined for them)."""
    from pymc_marketing.clv.utils import rfm_summary

    purchases = orders[orders["net_amount"] > 0]
    rfm = rfm_summary(
        purchases,
        "customer_id",
        "ordered_at",
        "net_amount",
        observation_period_end=pd.Timestamp(as_of),
        time_unit=TIME_UNIT,
    )
    dims = orders.drop_duplicates("customer_id").set_index("customer_id")[list(GROUP_DIMENSIONS)]
    rfm = rfm.join(dims, on="customer_id").reset_index(drop=True)
    return Buyers(
        rfm=rfm,
        left_out={LEFT_OUT_NO_PURCHASE: orders["customer_id"].nunique() - len(rfm)},
        window_start=pd.Timestamp(orders["ordered_at"].min()).date(),
        window_end=as_of,
    )


@dataclass
class Fit:
    """The two fitted models (their posteriors hold DRAWS Laplace draws around the MAP estimate)."""

    transactions: object  # pymc_marketing.clv.BetaGeoModel
    spend: object  # pymc_marketing.clv.GammaGammaModel
    customers: int
    repeat_customers: int

    def parameters(self) -> dict[str, float]:
        """Posterior means of the BG/NBD (r, alpha, a, b) and Gamma-Gamma (p, q, v) parameters."""
        out = {}
        for model, names in ((self.transactions, ("r", "alpha", "a", "b")), (self.spend, ("p", "q", "v"))):
            posterior = model.idata.posterior
            out |= {name: float(posterior[name].mean()) for name in names}
        return out


class FitError(Exception):
    """The model's fit gave no usable estimate (a parameter draw that is not a finite number)."""


def _laplace(model, data: pd.DataFrame, seed: int) -> None:
    """MAP estimate (PyMC's find_MAP), then a Laplace (quadratic) approximation of the posterior around it from
    pymc-extras, started at the MAP: MAP alone gives no interval and NUTS would cost minutes. Started elsewhere, the
    approximation's own optimiser can run off to a flat prior's edge (Gamma-Gamma's priors are flat). The draws
    replace the model's fit result."""
    import pymc as pm
    from pymc_extras.inference import fit_laplace

    model.build_model(data)
    start = pm.find_MAP(model=model.model, progressbar=False)
    idata = fit_laplace(
        "BFGS",
        model=model.model,
        initvals={rv.name: start[rv.name] for rv in model.model.free_RVs},
        draws=DRAWS,
        random_seed=seed,
        progressbar=False,
        include_transformed=False,
    )
    bad = [name for name, values in idata.posterior.data_vars.items() if not np.isfinite(values.values).all()]
    if bad:
        raise FitError(f"the {model._model_type} fit gave no finite estimate of {', '.join(bad)}")
    model.idata = idata
    model.set_idata_attrs(model.idata)


def fit(rfm: pd.DataFrame, seed: int = 20050101) -> Fit:
    """Fit BG/NBD on every modelled buyer and Gamma-Gamma on the repeat buyers (the spend model needs at least one
    repeat purchase to see a customer's spend level)."""
    from pymc_marketing.clv import BetaGeoModel, GammaGammaModel

    columns = ["customer_id", "frequency", "recency", "T"]
    transactions = BetaGeoModel()
    _laplace(transactions, rfm[columns], seed)
    repeat = rfm[rfm["frequency"] > 0]
    spend = GammaGammaModel()
    _laplace(spend, repeat[["customer_id", "frequency", "monetary_value"]], seed + 1)
    return Fit(transactions, spend, customers=len(rfm), repeat_customers=len(repeat))


def predict(fitted: Fit, rfm: pd.DataFrame) -> pd.DataFrame:
    """Each customer's expected net value over the next HORIZON_MONTHS per posterior draw: BG/NBD's expected number
    of purchases in that time times Gamma-Gamma's expected net value of a purchase (no discounting), as a DataFrame
    indexed by customer_id with one column per draw. Single-order customers get the spend model's population mean
    (Gamma-Gamma with frequency 0). The two models' draws are independent, so draw i of one pairs with draw i of the
    other."""
    data = rfm[["customer_id", "frequency", "recency", "T", "monetary_value"]]
    purchases = fitted.transactions.expected_purchases(data=data, future_t=HORIZON_WEEKS)
    spend = fitted.spend.expected_customer_spend(data=data)
    value = (purchases.isel(chain=0) * spend.isel(chain=0)).transpose("customer_id", "draw")
    return pd.DataFrame(value.values, index=value["customer_id"].values)


def publishable(rfm: pd.DataFrame, values: pd.DataFrame, min_customers: int) -> tuple[pd.DataFrame, int]:
    """Group totals per segment x region x location x channel, none describing fewer than `min_customers`
    customers: a group under the minimum is combined with the other small groups of its location (labelled
    SMALL_GROUPS), and a location's combined small groups still under the minimum join one business-wide SMALL_GROUPS
    row. Returns one row per published group and draw (sum of the group's predicted values in that draw) with its
    customer count, and the number of customers in no published row (when even the business-wide row is too small).
    Rows are relabelled, never dropped, so the published sums equal the totals whenever that number is 0; a customer
    with a missing dimension is grouped under that missing value (dropna=False), never left out."""
    keyed = rfm[["customer_id", *GROUP_DIMENSIONS]].copy()
    sizes = keyed.groupby(list(GROUP_DIMENSIONS), dropna=False)["customer_id"].transform("size")
    small = sizes < min_customers
    keyed.loc[small, ["segment", "channel"]] = SMALL_GROUPS
    location_sizes = keyed.groupby(list(GROUP_DIMENSIONS), dropna=False)["customer_id"].transform("size")
    still_small = small & (location_sizes < min_customers)
    keyed.loc[still_small, list(GROUP_DIMENSIONS)] = SMALL_GROUPS
    business_small = int(still_small.sum())
    unpublished = business_small if 0 < business_small < min_customers else 0
    if unpublished:
        keyed = keyed[~still_small]
    per_draw = values.loc[keyed["customer_id"]].set_axis(keyed.index)
    grouped = pd.concat([keyed[list(GROUP_DIMENSIONS)], per_draw], axis=1).groupby(list(GROUP_DIMENSIONS), dropna=False)
    sums = grouped.sum()
    counts = grouped.size().rename("customers")
    long = sums.rename_axis(columns="draw").stack().rename("predicted_value").reset_index()
    long = long.join(counts, on=list(GROUP_DIMENSIONS))
    return long, unpublished
