"""Predictive CLTV outside the main run, for its Dagster job (job.py: `customer_clv`, weekly schedule stopped
by default) and its CLI command (`empathy-lake clv`): read the build warehouse's orders, fit BG/NBD + Gamma-Gamma
(model.py), write the per-customer predictions to the unpublished schema `clv` and the group totals and the fit's
statistics to `marts`, then put those marts into the serving copy (publishing.publish_tables). Outside the main run
because the model costs tens of seconds (docs/performance.md; docs/decisions.md D276-D285)."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import yaml

from dagster_project.clv import model
from dagster_project.settings import DBT_PROJECT_DIR

CLV_JOB_NAME = "customer_clv"
PREDICTED_TABLE = "customer_clv_predicted"
DRAWS_TABLE = "customer_clv_draws"
FIT_TABLE = "customer_clv_model_fit"
PUBLISHED = [("marts", PREDICTED_TABLE), ("marts", DRAWS_TABLE), ("marts", FIT_TABLE)]
# Per-customer predictions are personal data: they stay in the build warehouse (schema never published).
CUSTOMER_TABLE = ("clv", "customer_predictions")
MIN_CUSTOMERS_VAR = "clv_min_customers"

ORDERS_SQL = """
SELECT o.customer_id, o.ordered_at, o.net_amount, c.segment, c.region, c.location, c.channel
FROM staging.stg_crm__orders AS o
JOIN staging.int_customer_lifecycle AS c USING (customer_id)
WHERE o.status IS DISTINCT FROM 'cancelled' AND o.ordered_at::DATE <= c.as_of_date
"""


class NoOrdersError(Exception):
    """Nothing to model: the build warehouse is missing, holds no orders, or a run is writing it (the message says
    which and what to do, in plain words)."""


def min_customers() -> int:
    """The smallest customer group a CLTV row may describe: dbt var clv_min_customers (dbt_project.yml), never
    below 3 like every anonymity minimum (macros/personal_data.sql)."""
    raw = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    n = int(raw["vars"][MIN_CUSTOMERS_VAR])
    if n < 3:
        raise ValueError(f"var {MIN_CUSTOMERS_VAR} must be at least 3, got {n}")
    return n


@dataclass(frozen=True)
class ClvResult:
    customers: int
    left_out: int
    predicted_value: float
    groups: int
    published: bool
    seconds: float


def _read_orders(build_db: Path) -> tuple[pd.DataFrame, dt.date]:
    if not build_db.exists():
        raise NoOrdersError("the warehouse is not built yet; run `empathy-lake run` first")
    try:
        with duckdb.connect(str(build_db), read_only=True) as con:
            orders = con.execute(ORDERS_SQL).df()
            as_of = con.execute("SELECT max(as_of_date) FROM staging.int_customer_lifecycle").fetchone()[0]
    except duckdb.CatalogException as exc:
        raise NoOrdersError("the warehouse is not built yet; run `empathy-lake run` first") from exc
    except duckdb.IOException as exc:  # another process holds the file for writing
        raise NoOrdersError("a pipeline run is writing the warehouse; try again when it has finished") from exc
    if orders.empty or as_of is None:
        raise NoOrdersError("this business's data has no orders, so there is no purchase pattern to model")
    return orders, as_of


def compute(build_db: Path, min_group: int) -> ClvResult:
    """Fit on the build warehouse's orders and write the tables into it (not yet the serving copy)."""
    started = time.perf_counter()
    orders, as_of = _read_orders(build_db)
    buyers = model.buyers(orders, as_of)
    fitted = model.fit(buyers.rfm)
    draws = model.predict(fitted, buyers.rfm)
    long, unpublished = model.publishable(buyers.rfm, draws, min_group)
    customers = buyers.rfm.assign(predicted_value=draws.mean(axis=1).to_numpy())
    low, high = model.INTERVAL
    by_group = long.groupby([*model.GROUP_DIMENSIONS, "customers"], dropna=False)["predicted_value"]
    predicted = (
        by_group.mean()
        .to_frame()
        .assign(predicted_value_low=by_group.quantile(low), predicted_value_high=by_group.quantile(high))
        .reset_index()
    )
    fit_row = pd.DataFrame(
        [
            {
                "fitted_at": dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
                "window_start": buyers.window_start,
                "window_end": buyers.window_end,
                "horizon_months": model.HORIZON_MONTHS,
                "customers_fitted": fitted.customers,
                "repeat_customers": fitted.repeat_customers,
                "left_out_customers": sum(buyers.left_out.values()),
                "left_out_reason": "; ".join(buyers.left_out),
                "unpublished_customers": unpublished,
                "min_customers": min_group,
                "draws": model.DRAWS,
                **fitted.parameters(),
            }
        ]
    )
    with duckdb.connect(str(build_db)) as con:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {CUSTOMER_TABLE[0]}")
        con.execute("CREATE SCHEMA IF NOT EXISTS marts")
        for (schema, table), frame in (
            (CUSTOMER_TABLE, customers),
            (("marts", PREDICTED_TABLE), predicted),
            (("marts", DRAWS_TABLE), long),
            (("marts", FIT_TABLE), fit_row),
        ):
            con.register("frame", frame)
            con.execute(f"CREATE OR REPLACE TABLE {schema}.{table} AS SELECT * FROM frame")
            con.unregister("frame")
    return ClvResult(
        customers=fitted.customers,
        left_out=sum(buyers.left_out.values()),
        predicted_value=float(predicted["predicted_value"].sum()),
        groups=len(predicted),
        published=False,
        seconds=time.perf_counter() - started,
    )


def run_clv(settings) -> ClvResult:
    """Compute, then put the three marts into the serving copy (when one is published)."""
    from dagster_project.publishing import publish_tables
    from dagster_project.run_inputs import keep_publication_stamp

    result = compute(settings.build_db, min_customers())
    with keep_publication_stamp(settings):
        published = publish_tables(settings.build_db, settings.serving_db, PUBLISHED)
    return ClvResult(**{**result.__dict__, "published": published})


def describe(result: ClvResult) -> str:
    """One line for the console and the run log."""
    where = (
        "published to the serving copy"
        if result.published
        else "written to the warehouse; the next complete run publishes it"
    )
    return (
        f"predictive CLTV: {result.customers:,} buyers modelled, {result.left_out:,} left out ("
        f"{model.LEFT_OUT_NO_PURCHASE}); expected net value over the next {model.HORIZON_MONTHS} months "
        f"{result.predicted_value:,.0f} in {result.groups:,} groups; {where} ({result.seconds:.0f} s)"
    )
