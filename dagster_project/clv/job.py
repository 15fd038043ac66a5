"""The predictive CLTV asset in its own job (`customer_clv`; its weekly schedule is in schedules.py, stopped by
default): what it does is in run.py, shared with `empathy-lake clv`."""

import dagster as dg

from dagster_project.clv.model import FitError
from dagster_project.clv.run import CLV_JOB_NAME, NoOrdersError, describe, run_clv


@dg.asset(
    key=dg.AssetKey(["clv", "customer_clv_model"]),
    group_name="clv",
    kinds={"python", "duckdb"},
    description="Predictive CLTV: BG/NBD + Gamma-Gamma (pymc-marketing) fitted on every buyer's orders; publishes "
    "group totals of the next 12 months' expected net value with their interval, and the fit's statistics.",
)
def customer_clv_model(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    from dagster_project.settings import get_settings

    try:
        result = run_clv(get_settings())
    except NoOrdersError as exc:
        raise dg.Failure(f"No predictive CLTV: {exc}.") from exc
    except FitError as exc:
        raise dg.Failure(f"No predictive CLTV: {exc}. The published copy is unchanged.") from exc
    context.log.info(describe(result))
    return dg.MaterializeResult(
        metadata={
            "customers": result.customers,
            "left_out": result.left_out,
            "groups": result.groups,
            "predicted_value": result.predicted_value,
            "published": result.published,
        }
    )


customer_clv_job = dg.define_asset_job(
    CLV_JOB_NAME,
    selection=dg.AssetSelection.assets(customer_clv_model),
    executor_def=dg.in_process_executor,
    description="Fit predictive CLTV (BG/NBD + Gamma-Gamma) on the build warehouse's orders and publish its totals.",
)
