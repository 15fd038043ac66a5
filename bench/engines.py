"""The two engines side by side (issue 15, docs/spark.md): the same landing files built with
EMPATHY_LAKE_ENGINE=duckdb and with EMPATHY_LAKE_ENGINE=spark (local Spark on this machine), interleaved rounds.

    uv run --extra spark python -m bench.engines --scales 1 50 --rounds 2

Each run is `empathy-lake run` in a fresh lake, measured as bench/speed.py measures the product (wall, CPU with
children, peak memory of the process tree, seconds per stage); after the first round the two serving copies are
compared mart by mart (tests/lake_helpers.assert_same_marts, values only). Prints one row per run, then per scale
the ratio spark / duckdb: where it falls towards 1 as the data grows is where Spark's fixed cost (a JVM, a catalog,
a query plan per model and test) stops dominating.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

from bench.speed import CLI, REPO, Measured, empty_lake, lake_env, product_round, serving_file

ENGINES = ("duckdb", "spark")


def run_engine(engine: str, scale: float, rnd: int, home: Path, landing: Path, workdir: Path) -> Measured:
    os.environ["EMPATHY_LAKE_ENGINE"] = engine  # product_round's environment starts from this one
    try:
        results = product_round(scale, rnd, home, landing, workdir, workdir / f"{engine}_{scale:g}.log")
    finally:
        os.environ.pop("EMPATHY_LAKE_ENGINE", None)
    full = results[0]
    full.what = f"{engine} run"
    return full


def compare(homes: dict[str, Path]) -> str:
    from tests.lake_helpers import assert_same_marts

    files = {engine: serving_file(home) for engine, home in homes.items()}
    if None in files.values():
        return "not compared: a run published nothing"
    try:
        return f"{assert_same_marts(files['spark'], files['duckdb'], check_dtype=False)} marts: EQUAL"
    except AssertionError as exc:
        return f"DIFFERENT: {str(exc)[:2000]}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workdir", type=Path, help="keep the lakes here (default: a temporary folder)")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="empathy-lake-engines-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[Measured] = []
    for scale in args.scales:
        landing = workdir / f"landing_{scale:g}"
        homes = {engine: workdir / f"lake_{engine}_{scale:g}" for engine in ENGINES}
        if not landing.exists():
            gen = [*CLI, "generate", "--scale", str(scale), "--seed", "42", "--out", str(landing)]
            env = lake_env(homes["duckdb"], landing)
            subprocess.run(gen, env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        for rnd in range(1, args.rounds + 1):
            for engine in ENGINES:
                empty_lake(homes[engine])
                results.append(run_engine(engine, scale, rnd, homes[engine], landing, workdir))
            if rnd == 1:
                print(f"  scale {scale:g}: {compare(homes)}", flush=True)
    print("\n| scale | engine | wall s (rounds) | CPU s | peak tree GB | dbt step s | spark / duckdb wall |")
    print("|---|---|---|---|---|---|---|")
    for scale in args.scales:
        walls = {}
        for engine in ENGINES:
            rows = [r for r in results if r.scale == scale and r.what == f"{engine} run" and r.ok]
            if not rows:
                print(f"| {scale:g} | {engine} | failed | | | | |")
                continue
            walls[engine] = statistics.median(r.wall for r in rows)
            dbt = statistics.median(r.stages.get("dbt", {}).get("seconds", 0.0) for r in rows)
            ratio = f"{walls['spark'] / walls['duckdb']:.2f}" if len(walls) == 2 else ""
            print(
                f"| {scale:g} | {engine} | {', '.join(f'{r.wall:.1f}' for r in rows)} | "
                f"{statistics.median(r.cpu for r in rows):.1f} | {max(r.peak_tree_mb for r in rows) / 1024:.2f} | "
                f"{dbt:.1f} | {ratio} |"
            )
    print(f"\nload average now {os.getloadavg()[0]:.1f}; lakes and logs in {workdir}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
