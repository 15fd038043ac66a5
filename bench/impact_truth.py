"""The product's effect estimates beside the generator's truth, per planted initiative and KPI.

    uv run python -m bench.impact_truth                   # generate the demo (scale 1, seed 42), run, compare
    uv run python -m bench.impact_truth --home lake       # compare an already built lake (EMPATHY_LAKE_HOME)

Reads the headline rows of marts.initiative_effects from the published copy and the planted and realised
2 × 2 values from landing/_truth/ground_truth.json (docs/sample_data.md, "Impact ground truth"); for the
staggered initiative the truth shown is the cohort-size-weighted average. Truth is matched on the unit type
it was computed for (EMP-TRAIN-1's by location: its team rows have none). A row whose interval covers the
realised value is marked; the null initiative's rows should all cover 0.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from unittest.mock import patch

import duckdb

from bench.pipeline import CLI, _run, lake_env
from dagster_project.settings import get_settings


def truth_rows(truth: dict) -> dict[tuple[str, str, str], tuple[float | None, float | None]]:
    """(initiative, kpi, unit type) -> (planted, realised 2 × 2); cohort-weighted for a staggered initiative.

    The business's own outcome panel is unit type 'custom' in the marts, whatever its units are."""
    rows = {}
    for initiative, block in truth["impact"].items():
        for kpi, figures in block["kpis"].items():
            if block.get("staggered"):
                value = (figures["planted_cohort_weighted"], figures["realised_did_cohort_weighted"])
            else:
                value = (figures["planted"], figures["realised_did"])
            rows[initiative, kpi, block["unit_type"]] = rows[initiative, kpi, "custom"] = value
    return rows


def _num(value: float | None) -> str:
    return f"{value:9.2f}" if value is not None else " " * 9


def compare(home: Path) -> list[tuple]:
    with patch.dict(os.environ, lake_env(home), clear=True):
        settings = get_settings()
    truth = truth_rows(json.loads((settings.landing_dir / "_truth" / "ground_truth.json").read_text()))
    with duckdb.connect(str(settings.serving_db), read_only=True) as con:
        marts = con.sql(
            "select initiative_id, kpi, unit_type, method, estimate, ci_low, ci_high, treated_units, control_units "
            "from marts.initiative_effects where headline order by initiative_id, kpi"
        ).fetchall()
    print(
        f"{'initiative':12} {'kpi':28} {'unit':8} {'method':10} {'estimate':>9} {'95% CI':>20} "
        f"{'planted':>8} {'realised':>9}  covers"
    )
    out = []
    for initiative, kpi, unit, method, est, low, high, _t, _c in marts:
        planted, realised = truth.get((initiative, kpi, unit), (None, None))
        covers = "" if realised is None or low is None else ("yes" if low <= realised <= high else "NO")
        ci = "" if low is None else f"{low:8.2f} to {high:8.2f}"
        row = f"{initiative:12} {kpi:28} {unit:8} {method:10} {_num(est)} {ci:>20} {_num(planted)} {_num(realised)}"
        print(f"{row}  {covers}")
        out.append((initiative, kpi, unit, method, est, low, high, planted, realised))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="an already built lake home; default: build the demo")
    args = parser.parse_args(argv)
    if args.home:
        compare(args.home.resolve())
        return
    with tempfile.TemporaryDirectory(prefix="impact_truth_") as tmp:
        home, log = Path(tmp) / "home", Path(tmp) / "run.log"
        env = lake_env(home)
        for step in (["generate", "--scale", "1", "--seed", "42"], ["run"]):
            took, _peak, ok = _run([*CLI, *step], env, log)
            print(f"empathy-lake {' '.join(step)}: {took:.0f} s {'ok' if ok else 'FAILED'}")
            if not ok:
                print(log.read_text()[-3000:])
                return
        compare(home)


if __name__ == "__main__":
    main()
