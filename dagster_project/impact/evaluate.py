"""Every initiative × KPI it could move: builds each panel and calls `estimate` (docs/impact.md, D84-D86).

Pure pandas in and out; the dbt Python model int_initiative_estimates calls `evaluate`.

- Which units an initiative treated: int_initiative_units (unit_kind 'location' / 'team' from the
  initiative's lists, 'any' from initiative_units, matched against every unit type of the panel).
- Which KPIs: every KPI of the panel at that unit type (int_impact_panel), in the order of the impact_kpis
  seed, then a business's own metrics by name.
- Controls: the units of the same unit type that this initiative did not treat; with
  `exclude_other_treated` (dbt var impact_exclude_other_treated, default true) units another initiative
  treated are left out too, so one programme's effect does not leak into another's comparison.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd

from dagster_project.engine_frames import is_spark, read
from dagster_project.impact.estimators import EFFECT_COLUMNS, EVENT_COLUMNS, estimate

KEY_COLUMNS = ["initiative_id", "initiative_name", "unit_type", "kpi"]


def _treated(units: pd.DataFrame, unit_type: str, available: set[str]) -> pd.DataFrame:
    rows = units[units["unit_kind"].isin([unit_type, "any"]) & units["unit"].isin(available)]
    return rows.sort_values("start_month").drop_duplicates(["initiative_id", "unit"])


def _controls(cells: pd.DataFrame | None, unit_type: str, kpi: str, units: set[str]) -> pd.DataFrame | None:
    """The finer cells of one KPI, with the categorical columns that vary (a constant one adds nothing)."""
    if cells is None or cells.empty:
        return None
    rows = cells[(cells["unit_type"] == unit_type) & (cells["kpi"] == kpi) & cells["unit"].astype(str).isin(units)]
    if rows.empty:
        return None
    extra = [c for c in rows.columns if c not in {"unit_type", "unit", "month", "kpi", "value", "n"}]
    varying = [c for c in extra if rows[c].nunique() > 1]
    return rows[["unit", "month", "value", "n", *varying]].assign(month=pd.to_datetime(rows["month"]))


def prepare_panel(panel: pd.DataFrame) -> pd.DataFrame:
    """Panel rows with months as timestamps and units as text, as the estimators read them."""
    return panel.assign(month=pd.to_datetime(panel["month"]), unit=panel["unit"].astype(str))


def prepare_units(units: pd.DataFrame) -> pd.DataFrame:
    """The treated units with start months as timestamps and units as text."""
    return units.assign(start_month=pd.to_datetime(units["start_month"]), unit=units["unit"].astype(str))


@contextmanager
def one_numba_thread() -> Iterator[None]:
    """pyfixest demeans in numba's parallel loops, whose sums come out in an order that depends on the thread count:
    the same panel gave intervals differing in the 9th digit on a 2-core machine (2 threads) and in Spark's Python
    workers (1 thread). One thread makes the estimates the same on every machine and engine (D736)."""
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


def evaluate_kpi(
    rows: pd.DataFrame,
    units: pd.DataFrame,
    kpis: pd.DataFrame,
    *,
    unit_type: str,
    kpi: str,
    available: set[str],
    exclude_other_treated: bool = True,
    min_n: float = 1.0,
    cells: pd.DataFrame | None = None,
    alpha: float = 0.05,
    seed: int = 0,
) -> list[tuple[pd.DataFrame, pd.DataFrame]]:
    """(effects, event_study) of every initiative on one KPI at one unit type: `rows` are the panel's rows of that
    unit type and KPI (prepared), `available` every unit of the unit type's panel (any KPI). The unit of work both
    engines share: DuckDB's build loops over it, Spark's runs it per group on its executors (spark/estimates.py)."""
    direction = dict(zip(kpis["kpi"], kpis["higher_is_better"].astype(bool), strict=True))
    treated_all = _treated(units, unit_type, available)
    results = []
    for initiative_id, treated in treated_all.groupby("initiative_id", sort=True):
        starts = treated.set_index("unit")["start_month"]
        others = set(treated_all["unit"]) - set(starts.index) if exclude_other_treated else set()
        sample = rows[~rows["unit"].isin(others)]
        if sample.empty:
            continue
        keys = {
            "initiative_id": initiative_id,
            "initiative_name": treated["initiative_name"].iloc[0],
            "unit_type": unit_type,
            "kpi": kpi,
        }
        kpi_panel = sample[["unit", "month", "value", "n"]].assign(start_month=sample["unit"].map(starts))
        with one_numba_thread():
            effect, event = estimate(
                kpi_panel,
                higher_is_better=direction.get(kpi),
                alpha=alpha,
                seed=seed,
                min_n=min_n,
                controls=_controls(cells, unit_type, kpi, set(sample["unit"])),
            )
        results.append((effect.assign(**keys), event.assign(**keys)))
    return results


def combine(results: list[tuple[pd.DataFrame, pd.DataFrame]], kpis: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(effects, event_study) from every evaluate_kpi result, ordered by unit type, initiative, then KPI in the
    impact_kpis seed's order (a business's own metrics after, by name), whatever order they were computed in."""
    effect_columns = KEY_COLUMNS + [c for c in EFFECT_COLUMNS if c not in KEY_COLUMNS]
    event_columns = KEY_COLUMNS + EVENT_COLUMNS
    if not results:
        return pd.DataFrame(columns=effect_columns), pd.DataFrame(columns=event_columns)
    order = {kpi: i for i, kpi in enumerate(kpis["kpi"])}

    def key(result: tuple[pd.DataFrame, pd.DataFrame]) -> tuple:
        first = result[0].iloc[0]  # an initiative × KPI always has its method rows (an event study may be empty)
        return (first["unit_type"], first["initiative_id"], order.get(first["kpi"], len(order)), first["kpi"])

    results = sorted(results, key=key)
    effects = pd.concat([e for e, _ in results], ignore_index=True)[effect_columns]
    return effects, pd.concat([e for _, e in results], ignore_index=True)[event_columns]


def evaluate(
    panel: pd.DataFrame,
    units: pd.DataFrame,
    kpis: pd.DataFrame,
    *,
    exclude_other_treated: bool = True,
    min_n: float = 1.0,
    cells: pd.DataFrame | None = None,
    alpha: float = 0.05,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(effects, event_study) for every initiative × unit type × KPI.

    panel: unit_type, unit, month, kpi, value, n. units: initiative_id, initiative_name, unit_kind, unit,
    start_month. kpis: kpi, higher_is_better (a KPI absent from it, a business's own metric not listed in
    the impact_kpis seed, gets no direction: NULL, and the page does not call its change better or worse).
    """
    panel, units = prepare_panel(panel), prepare_units(units)
    options = {"exclude_other_treated": exclude_other_treated, "min_n": min_n, "alpha": alpha, "seed": seed}
    results = []
    for unit_type, type_panel in panel.groupby("unit_type", sort=True):
        available = set(type_panel["unit"])
        for kpi, rows in type_panel.groupby("kpi", sort=True):
            results += evaluate_kpi(
                rows, units, kpis, unit_type=unit_type, kpi=kpi, available=available, cells=cells, **options
            )
    return combine(results, kpis)


def evaluate_relations(session, panel, units, kpis, cells, **options) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`evaluate` over a dbt Python model's relations on its engine (dagster_project/engine_frames.py): in this
    process on DuckDB; on Spark one group per unit type × KPI on Spark's executors (spark/estimates.py), the
    same estimator code on the same rows."""
    units, kpis = read(session, units), read(session, kpis)
    if is_spark(session):
        from dagster_project.spark.estimates import evaluate_on_spark

        return evaluate_on_spark(session, panel, units, kpis, cells, **options)
    return evaluate(read(session, panel), units, kpis, cells=read(session, cells), **options)
