"""Service-profit chain: correlation of each employee index with each customer KPI over the location × wave
points of marts.service_profit_chain, with its location-bootstrap 95 % CI, p-value and n
(dagster_project/impact/chain.py)."""

from dagster_project.engine_frames import read, table
from dagster_project.impact.chain import chain_summary


def model(dbt, session):
    dbt.config(materialized="table")
    return table(session, chain_summary(read(session, dbt.ref("service_profit_chain"))))
