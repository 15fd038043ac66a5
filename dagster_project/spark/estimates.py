"""The impact estimation on Spark's executors (docs/spark.md, "Python models on Spark (s15)").

The panel is grouped by unit type × KPI and cogrouped with the finer cells of the same key; each group runs
`evaluate_kpi` (dagster_project/impact/evaluate.py), the same code DuckDB's build loops over, on an executor
(`applyInArrow`: the group's rows reach pandas through DuckDB's conversion, as on the DuckDB engine). A group
returns its estimates pickled in one binary cell, so no second copy of the estimates' columns and types is declared
here; the driver collects them (a few rows per initiative × KPI) and orders them with `combine`."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pandas as pd
import pyarrow as pa

from dagster_project.engine_frames import frame
from dagster_project.impact.evaluate import combine, evaluate_kpi, prepare_panel, prepare_units

GROUP = ["unit_type", "kpi"]
RESULT = "estimates binary"
MAX_TASKS = 200  # Spark's default shuffle partitions: more groups than this share tasks


@contextmanager
def spread_over_tasks(session, tasks: int) -> Iterator[None]:
    """One task per group: Spark's adaptive execution would otherwise merge the groups' few rows (small next to
    what it considers a partition's worth) into one task, on one executor. Runtime SQL settings, put back after."""
    settings = {"spark.sql.shuffle.partitions": str(tasks), "spark.sql.adaptive.coalescePartitions.enabled": "false"}
    before = {key: session.conf.get(key, None) for key in settings}
    for key, value in settings.items():
        session.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            session.conf.unset(key) if value is None else session.conf.set(key, value)


def _pandas(rows: pa.Table) -> pd.DataFrame:
    """A group's rows as pandas, DuckDB's conversion, in a fixed order (Spark gives a group's rows in any order)."""
    return duckdb.from_arrow(rows).query("group_rows", "select * from group_rows order by all").df()


def evaluate_on_spark(
    session, panel, units: pd.DataFrame, kpis: pd.DataFrame, cells, **options
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`evaluate` with panel and cells as Spark DataFrames: one task per unit type × KPI."""
    units = prepare_units(units)
    unit_lists = frame(session, "select distinct unit_type, kpi, unit from {panel}", panel=panel)
    available = {t: set(rows["unit"].astype(str)) for t, rows in unit_lists.groupby("unit_type")}
    groups = len(unit_lists.drop_duplicates(GROUP))

    def run(key, panel_rows: pa.Table, cell_rows: pa.Table) -> pa.Table:
        unit_type, kpi = (k.as_py() for k in key)
        results = []
        if unit_type is not None and kpi is not None and panel_rows.num_rows:
            rows = prepare_panel(_pandas(panel_rows))
            fine = _pandas(cell_rows) if cell_rows.num_rows else None
            results = evaluate_kpi(
                rows, units, kpis, unit_type=unit_type, kpi=kpi, available=available[unit_type], cells=fine, **options
            )
        return pa.table({"estimates": [pickle.dumps(results)]})

    grouped = panel.groupBy(*GROUP).cogroup(cells.groupBy(*GROUP)).applyInArrow(run, RESULT)
    with spread_over_tasks(session, max(1, min(groups, MAX_TASKS))):
        results = [result for row in grouped.collect() for result in pickle.loads(row["estimates"])]
    return combine(results, kpis)
