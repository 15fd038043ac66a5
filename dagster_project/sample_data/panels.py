"""Synthetic staggered roll-out panels with a known truth, for tests, the simulation and the scale bench.

`staggered_panel` draws one value per unit and month: a unit effect, a common month trend (with a
seasonal wave), a planted effect in every treated unit-month and independent noise. Units adopt in
cohorts (one start month each, with its own effect); a share never adopts. The truth is computed from
the planted per-cell effects, so it is exact for the frame returned:

- ``att_simple``: the mean planted effect over every treated unit-month in the window (what the
  Callaway & Sant'Anna "simple" aggregation, and any exposure-weighted ATT, estimates);
- ``att_cohort_weighted``: cohort effects averaged with the cohorts' unit counts as weights;
- per cohort: the planted effect, its unit count, and the realised 2 × 2 difference-in-differences of the
  cohort against the never-treated units, computed from the values drawn.

`write_landing` writes a panel as the landing files of the contract (outcome_measures, initiative_units,
initiatives) so the whole pipeline can evaluate it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv


def staggered_panel(
    n_units: int = 200,
    n_months: int = 36,
    cohorts: Mapping[int, float] | None = None,
    never_share: float = 0.3,
    seed: int = 0,
    noise: float = 1.0,
    trend: float = 0.05,
    unit_sd: float = 1.0,
    dynamic: float = 0.0,
    base: float = 10.0,
    start: str = "2020-01-01",
    unit_prefix: str = "U",
) -> tuple[pd.DataFrame, dict]:
    """A unit × month panel of a staggered roll-out and its truth.

    cohorts: {start month index (0-based, within the window): effect}; units not never-treated are split
    evenly across cohorts. dynamic: each month after the start adds `dynamic` × the cohort effect (0 = a
    constant effect per cohort; > 0 makes effects grow with exposure, the case where two-way fixed
    effects is most biased).

    Returns (frame, truth). The frame has unit, month (first day, datetime), value, start_month (first
    day of the unit's start, NaT for never-treated), month_index (0-based), cohort_index (the start's
    month_index, NaN for never-treated: the `differences` package's cohort convention), treated (the
    cell is treated) and planted_effect.
    """
    cohorts = dict(cohorts if cohorts is not None else {12: 2.0, 18: 1.0, 24: 0.5})
    for m in cohorts:
        if not 0 < m < n_months:
            raise ValueError(f"cohort start {m} is outside the window 1..{n_months - 1}")
    rng = np.random.default_rng(seed)
    starts = np.array(sorted(cohorts), dtype=int)
    n_never = int(round(n_units * never_share))
    n_treated = n_units - n_never
    # Cohort of each unit: -1 never, else the start month; shuffled so unit ids carry no information.
    assigned = np.concatenate([np.full(n_never, -1), np.resize(starts, n_treated)])
    assigned = rng.permutation(assigned)
    unit_fx = rng.normal(0.0, unit_sd, n_units)
    months = np.arange(n_months)
    month_fx = trend * months + 0.5 * np.sin(2 * np.pi * months / 12) + rng.normal(0.0, 0.2 * noise, n_months)

    u = np.repeat(np.arange(n_units), n_months)
    t = np.tile(months, n_units)
    start_of = assigned[u]
    treated = (start_of >= 0) & (t >= start_of)
    effect_of = np.array([cohorts.get(int(s), 0.0) for s in starts])
    cohort_effect = np.zeros(u.size)
    for s, e in zip(starts, effect_of, strict=True):
        cohort_effect[start_of == s] = e
    exposure = np.where(treated, t - start_of, 0)
    planted = np.where(treated, cohort_effect * (1.0 + dynamic * exposure), 0.0)
    value = base + unit_fx[u] + month_fx[t] + planted + rng.normal(0.0, noise, u.size)

    month_dates = pd.date_range(start, periods=n_months, freq="MS")
    width = len(str(n_units))
    unit_ids = np.char.add(unit_prefix, np.char.zfill(np.arange(1, n_units + 1).astype(str), width))
    frame = pd.DataFrame(
        {
            "unit": unit_ids[u],
            "month": month_dates[t],
            "value": value,
            "start_month": pd.DatetimeIndex(
                np.where(start_of >= 0, month_dates[np.clip(start_of, 0, None)], np.datetime64("NaT"))
            ),
            "month_index": t,
            "cohort_index": np.where(start_of >= 0, start_of.astype(float), np.nan),
            "treated": treated,
            "planted_effect": planted,
        }
    )
    return frame, panel_truth(frame, cohorts, dynamic)


def two_by_two(cells: pd.DataFrame, treated: Collection, controls: Collection, start) -> dict:
    """Realised 2 × 2 difference-in-differences from unit × month cells of a ratio KPI.

    cells has unit, month, num and den: the KPI of any group of cells is sum(num) / sum(den) (a mean when
    den counts rows, a rate when num counts events), so each of the four figures is the KPI at its own
    definition over the pooled unit-months. Post = month >= start.
    """
    post = cells.month >= start
    out = {}
    for name, units in (("treated", treated), ("control", controls)):
        part = cells.unit.isin(list(units))
        for period, sel in (("pre", ~post), ("post", post)):
            rows = cells[part & sel]
            den = float(rows.den.sum())
            out[f"{name}_{period}"] = float(rows.num.sum()) / den if den else None
    figures = [out[k] for k in ("treated_post", "treated_pre", "control_post", "control_pre")]
    out["did"] = None if None in figures else (figures[0] - figures[1]) - (figures[2] - figures[3])
    return out


def realised_did(frame: pd.DataFrame, start_month: pd.Timestamp) -> float:
    """2 × 2 DiD of the cohort starting `start_month` against never-treated units: means of value."""
    cells = frame.assign(num=frame.value, den=1.0)
    cohort = frame.unit[frame.start_month == start_month].unique()
    never = frame.unit[frame.start_month.isna()].unique()
    return two_by_two(cells, cohort, never, start_month)["did"]


def panel_truth(frame: pd.DataFrame, cohorts: Mapping[int, float], dynamic: float = 0.0) -> dict:
    """The truth of a staggered panel, from its planted effects and values (see the module docstring)."""
    treated_cells = frame[frame.treated]
    per_cohort = {}
    sizes = {}
    for start, effect in sorted(cohorts.items()):
        rows = frame[frame.cohort_index == start]
        start_month = rows.start_month.iloc[0] if len(rows) else pd.NaT
        sizes[start] = int(rows.unit.nunique())
        per_cohort[str(start_month.date()) if len(rows) else str(start)] = {
            "start_month_index": int(start),
            "planted_effect": float(effect),
            "mean_planted_effect": float(rows.planted_effect[rows.treated].mean()) if len(rows) else None,
            "units": sizes[start],
            "realised_did": realised_did(frame, start_month) if len(rows) else None,
        }
    n_treated_units = sum(sizes.values())
    weighted = [c["mean_planted_effect"] * c["units"] for c in per_cohort.values() if c["units"]]
    return {
        "cohorts": per_cohort,
        "dynamic": float(dynamic),
        "units": int(frame.unit.nunique()),
        "months": int(frame.month.nunique()),
        "never_treated_units": int(frame.unit[frame.start_month.isna()].nunique()),
        "treated_units": n_treated_units,
        "att_simple": float(treated_cells.planted_effect.mean()) if len(treated_cells) else 0.0,
        "att_cohort_weighted": float(sum(weighted) / n_treated_units) if n_treated_units else 0.0,
        "treated_unit_months": len(treated_cells),
    }


def write_landing(
    frame: pd.DataFrame,
    out_dir: Path,
    initiative_id: str = "SIM-1",
    metric: str = "simulated_outcome",
    name: str = "Simulated staggered roll-out",
    cost: float = 10000.0,
) -> None:
    """Write a panel as contract landing files: outcome_measures, initiative_units and initiatives (CSV)."""
    out_dir = Path(out_dir)
    starts = frame.loc[frame.start_month.notna(), ["unit", "start_month"]].drop_duplicates("unit")
    tables = {
        "outcome_measures": pa.table(
            {
                "unit": frame.unit.to_numpy(),
                "month": pa.array(frame.month.dt.date, type=pa.date32()),
                "metric": np.full(len(frame), metric),
                "value": frame.value.round(6).to_numpy(),
            }
        ),
        "initiative_units": pa.table(
            {
                "initiative_id": np.full(len(starts), initiative_id),
                "unit": starts.unit.to_numpy(),
                "start_date": pa.array(starts.start_month.dt.date, type=pa.date32()),
            }
        ),
        "initiatives": pa.table(
            {
                "initiative_id": [initiative_id],
                "name": [name],
                "start_date": pa.array([starts.start_month.min().date()], type=pa.date32()),
                "end_date": pa.array([None], type=pa.date32()),
                "treated_locations": pa.array([None], type=pa.string()),
                "treated_teams": pa.array([None], type=pa.string()),
                "cost": [float(cost)],
                "description": [f"Planted staggered roll-out on {metric}."],
            }
        ),
    }
    for entity, table in tables.items():
        folder = out_dir / entity
        folder.mkdir(parents=True, exist_ok=True)
        pacsv.write_csv(table, folder / f"{entity}_{initiative_id}.csv")
