"""A business's own outcome panel at scale: about 10,000 units × 72 months estimated in about a minute?

    uv run python -m bench.impact_scale                      # 10,000 units x 72 months, estimator only
    uv run python -m bench.impact_scale --end-to-end         # also landing files -> empathy-lake run -> mart

Draws a staggered roll-out panel with a known truth (`staggered_panel`: three cohorts with effects 2.0,
1.0 and 0.5, 30 % never treated) and times the product's estimation on it (`dagster_project.impact.estimate`:
before/after, DiD with unit and month fixed effects, Callaway & Sant'Anna with its event study and pre-trend
test), printing each estimate against the truth. With --end-to-end the panel is also written as landing
files (outcome_measures, initiative_units, initiatives), the pipeline is run once in a fresh lake home
(`empathy-lake generate` at a small scale for the other entities, then `empathy-lake run`), and the
initiative's rows of marts.initiative_effects are printed with the run's wall time.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import warnings
from pathlib import Path
from unittest.mock import patch

import duckdb

from bench.pipeline import CLI, _run, lake_env
from dagster_project.impact import estimate
from dagster_project.sample_data.panels import staggered_panel, write_landing
from dagster_project.settings import get_settings

COHORTS = {24: 2.0, 36: 1.0, 48: 0.5}
INITIATIVE = "SCALE-1"
RESULTS = Path(__file__).parent / "results"
METRIC = "scale_outcome"


def estimator_only(units: int, months: int, seed: int):
    began = time.perf_counter()
    frame, truth = staggered_panel(n_units=units, n_months=months, cohorts=COHORTS, seed=seed)
    drawn = time.perf_counter() - began
    print(f"panel: {len(frame):,} unit-months ({units:,} units x {months} months) drawn in {drawn:.1f} s")
    began = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        effects, events = estimate(frame.assign(n=1.0), higher_is_better=True, seed=seed)
    took = time.perf_counter() - began
    print(f"estimate(): {took:.1f} s (before/after, DiD, staggered, event study of {len(events)} months)")
    print(
        f"truth: ATT {truth['att_simple']:.3f} (mean planted effect over treated unit-months), cohort effects {COHORTS}"
    )
    cols = ["method", "headline", "estimate", "ci_low", "ci_high", "n_obs", "pretrend_p_value"]
    print(effects[cols].round(4).to_string(index=False))
    return frame, truth, took


def end_to_end(frame, truth, workdir: Path) -> None:
    env = lake_env(workdir / "home")
    log = workdir / "run.log"
    with patch.dict(os.environ, env, clear=True):
        settings = get_settings()
    took, _peak, ok = _run([*CLI, "generate", "--scale", "0.1", "--seed", "7"], env, log)
    print(f"generate (scale 0.1, the other entities): {took:.1f} s {'ok' if ok else 'FAILED'}")
    began = time.perf_counter()
    write_landing(frame, settings.landing_dir, initiative_id=INITIATIVE, metric=METRIC, name="Scale bench roll-out")
    print(f"landing files written in {time.perf_counter() - began:.1f} s")
    took, peak, ok = _run([*CLI, "run"], env, log)
    print(f"empathy-lake run: {took:.1f} s, peak {peak:.0f} MB, {'ok' if ok else 'FAILED'}")
    if not ok:
        failed = [line for line in log.read_text().splitlines() if "ERROR" in line or "Error" in line or "FAIL" in line]
        print("\n".join(failed[-40:]))
        return
    with duckdb.connect(str(settings.serving_db), read_only=True) as con:
        rows = con.sql(
            "select method, headline, round(estimate, 4), round(ci_low, 4), round(ci_high, 4), n_obs "
            f"from marts.initiative_effects where initiative_id = '{INITIATIVE}' and kpi = '{METRIC}' order by method"
        ).fetchall()
    print(f"marts.initiative_effects, truth ATT {truth['att_simple']:.3f}:")
    for row in rows:
        print("  ", row)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--months", type=int, default=72)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end-to-end", action="store_true")
    args = parser.parse_args(argv)
    frame, truth, _took = estimator_only(args.units, args.months, args.seed)
    if args.end_to_end:
        RESULTS.mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="impact_scale_", dir=RESULTS) as tmp:
            end_to_end(frame, truth, Path(tmp))


if __name__ == "__main__":
    main()
