"""Does the product's staggered estimate cover the truth, and is naive two-way fixed effects biased?

    uv run python -m bench.impact_simulation --seeds 50

For each seed, a staggered roll-out panel is drawn with `dagster_project.sample_data.panels.staggered_panel`
(known truth) and estimated twice: by the product (`dagster_project.impact.estimate`, its headline
'staggered' row: Callaway & Sant'Anna group-time effects, simple aggregation, 95 % CI) and by naive
two-way fixed effects (pyfixest `feols("value ~ d | unit + month")`, CRV1 by unit). Designs:

- heterogeneous: three adoption cohorts with different constant effects (3, 2, 1), 30 % never treated;
- dynamic: the same cohorts with effects growing 10 % a month after the start (TWFE's worst case);
- null: the same roll-out with no effect anywhere.

The true ATT of a panel is the mean planted effect over its treated unit-months (what the simple
aggregation estimates). Per design the table gives the mean truth, each estimator's mean estimate, mean
bias and 95 % CI coverage of the truth, and how often the CI excludes 0 (the rejection rate: ≈ 5 % is
right for the null design), and how often the product's pre-trend test flags differing pre-trends (there
are none in these panels, so ≈ 5 % is right). Results are printed and written to bench/results/ (not committed).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path

import pandas as pd

from dagster_project.impact import estimate
from dagster_project.sample_data.panels import staggered_panel

COHORTS = {6: 3.0, 12: 2.0, 18: 1.0}
DESIGNS = {
    "heterogeneous": {"cohorts": COHORTS, "dynamic": 0.0},
    "dynamic": {"cohorts": COHORTS, "dynamic": 0.1},
    "null": {"cohorts": dict.fromkeys(COHORTS, 0.0), "dynamic": 0.0},
}
PANEL = {"n_units": 120, "n_months": 30, "never_share": 0.3, "noise": 1.0}
RESULTS = Path(__file__).parent / "results"


def naive_twfe(frame: pd.DataFrame) -> dict:
    """Two-way fixed effects on the treated-cell dummy, unit and month fixed effects, CRV1 by unit."""
    import pyfixest as pf

    fit = pf.feols(
        "value ~ d | unit + month_index", data=frame.assign(d=frame.treated.astype(float)), vcov={"CRV1": "unit"}
    )
    ci = fit.confint().loc["d"]
    return {"estimate": float(fit.coef()["d"]), "ci_low": float(ci.iloc[0]), "ci_high": float(ci.iloc[1])}


def one_run(design: str, seed: int) -> dict:
    spec = DESIGNS[design]
    frame, truth = staggered_panel(**PANEL, cohorts=spec["cohorts"], dynamic=spec["dynamic"], seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        effects, _ = estimate(frame.assign(n=1.0), higher_is_better=True, seed=seed)
    headline = effects[effects.headline].iloc[0]
    return {
        "design": design,
        "seed": seed,
        "truth": truth["att_simple"],
        "product_method": headline["method"],
        "product": float(headline["estimate"]),
        "product_low": float(headline["ci_low"]),
        "product_high": float(headline["ci_high"]),
        "pretrend_p": headline["pretrend_p_value"],
        **{f"twfe{'' if k == 'estimate' else '_' + k.split('_')[1]}": v for k, v in naive_twfe(frame).items()},
    }


def summarise(runs: pd.DataFrame) -> pd.DataFrame:
    """Per design: mean truth, mean estimate, bias, coverage and rejection rate of each estimator."""
    rows = []
    for design, part in runs.groupby("design", sort=False):
        row = {"design": design, "seeds": len(part), "true_att": part.truth.mean()}
        for name in ("product", "twfe"):
            low, high, est = part[f"{name}_low"], part[f"{name}_high"], part[name]
            row[f"{name}_mean"] = est.mean()
            row[f"{name}_bias"] = (est - part.truth).mean()
            row[f"{name}_coverage_pct"] = 100 * ((low <= part.truth) & (part.truth <= high)).mean()
            row[f"{name}_excludes_0_pct"] = 100 * ((low > 0) | (high < 0)).mean()
        row["pretrend_differs_pct"] = 100 * (part.pretrend_p.astype(float) < 0.05).mean()
        rows.append(row)
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--designs", nargs="+", default=list(DESIGNS), choices=list(DESIGNS))
    args = parser.parse_args(argv)
    began = time.perf_counter()
    runs = []
    for design in args.designs:
        for seed in range(args.seeds):
            runs.append(one_run(design, seed))
        print(f"  {design}: {args.seeds} seeds done after {time.perf_counter() - began:.0f} s", flush=True)
    runs = pd.DataFrame(runs)
    table = summarise(runs)
    print(
        f"\n{args.seeds} seeds per design; panel {PANEL['n_units']} units x {PANEL['n_months']} months, "
        f"cohorts (start month: effect) {COHORTS}, {PANEL['never_share']:.0%} never treated\n"
    )
    print(table.round(3).to_string(index=False))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "impact_simulation.json"
    out.write_text(json.dumps({"summary": table.to_dict("records"), "runs": runs.to_dict("records")}, indent=1))
    print(f"\n{time.perf_counter() - began:.0f} s; per-seed results in bench/results/{out.name}")
    return table


if __name__ == "__main__":
    main()
