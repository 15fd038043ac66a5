"""The two engines side by side (issue 15, docs/spark.md): the same landing files built with
EMPATHY_LAKE_ENGINE=duckdb and with EMPATHY_LAKE_ENGINE=spark (local Spark on this machine), interleaved rounds.

    uv run --extra spark python -m bench.engines --scales 1 50 --rounds 2

Each run is `empathy-lake run` in a fresh lake (a full run; a no-change re-run is bench/speed.py's question),
measured as bench/speed.py measures the product (wall, CPU with children, peak memory of the process tree, seconds
per stage); the hand-written DuckDB script (bench/baseline.sql) runs on the same files as the floor. After the
first round the two serving copies are compared mart by mart (tests/lake_helpers.assert_same_marts: values and
column types).

Prints one row per run, a table per scale and stage, then each engine's wall time fitted as a line in the number
of tickets (fixed seconds + seconds per million tickets, numpy's least squares): the crossover is where the two
lines meet, which on one machine exists only if Spark's seconds per million are below DuckDB's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

import duckdb
import numpy as np

from bench.speed import CLI, REPO, Measured, baseline_round, empty_lake, lake_env, product_round, serving_file

ENGINES = ("duckdb", "spark")
STAGES = ("load", "text", "dbt", "checks", "publish", "outside the steps")


def run_engine(engine: str, scale: float, rnd: int, home: Path, landing: Path, workdir: Path) -> Measured:
    os.environ["EMPATHY_LAKE_ENGINE"] = engine  # product_round's environment starts from this one
    try:
        log = workdir / f"{engine}_{scale:g}.log"
        results = product_round(scale, rnd, home, landing, workdir, log, runs=("full run",))
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
        return f"{assert_same_marts(files['spark'], files['duckdb'])} marts: EQUAL"
    except AssertionError as exc:
        return f"DIFFERENT: {str(exc)[:2000]}"


def tickets_in(home: Path) -> int:
    with duckdb.connect(str(home / "warehouse" / "build.duckdb"), read_only=True) as con:
        return con.execute("select count(*) from raw_crm.tickets").fetchone()[0]


def fit_line(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """(fixed seconds, seconds per million tickets) of the least-squares line through (million tickets, seconds)."""
    if len({x for x, _ in points}) < 2:
        return None
    slope, intercept = np.polyfit([x for x, _ in points], [y for _, y in points], 1)
    return float(intercept), float(slope)


def crossover(lines: dict[str, tuple[float, float]]) -> str:
    """Where the two lines meet, if ahead of zero tickets, and which engine is faster beyond that."""
    (duck_fixed, duck_marginal), (spark_fixed, spark_marginal) = lines["duckdb"], lines["spark"]
    slopes = (
        f"Spark {spark_fixed:.0f} s fixed + {spark_marginal:.1f} s per million tickets, "
        f"DuckDB {duck_fixed:.0f} s + {duck_marginal:.1f} s"
    )
    if spark_marginal == duck_marginal:
        return f"no crossover: parallel lines ({slopes})"
    at = (spark_fixed - duck_fixed) / (duck_marginal - spark_marginal)
    if at <= 0:
        faster = "Spark" if spark_marginal < duck_marginal else "DuckDB"
        return f"no crossover on this machine: {faster} is faster at every size ({slopes})"
    beyond = "Spark" if spark_marginal < duck_marginal else "DuckDB"
    return f"the lines cross at {at:,.1f} million tickets; beyond it {beyond} is faster ({slopes})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="keep the lakes here (default: a temporary folder)")
    parser.add_argument(
        "--engines",
        nargs="+",
        choices=ENGINES,
        default=list(ENGINES),
        help="run only these (the other's lake, kept in --workdir from an earlier command, is still compared)",
    )
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="empathy-lake-engines-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: list[Measured] = []
    tickets: dict[float, int] = {}
    for scale in args.scales:
        landing = workdir / f"landing_{scale:g}"
        homes = {engine: workdir / f"lake_{engine}_{scale:g}" for engine in ENGINES}
        if not landing.exists():
            gen = [*CLI, "generate", "--scale", str(scale), "--seed", "42", "--out", str(landing)]
            env = lake_env(homes["duckdb"], landing)
            subprocess.run(gen, env=env, cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        for rnd in range(1, args.rounds + 1):
            for engine in args.engines:
                empty_lake(homes[engine])
                results.append(run_engine(engine, scale, rnd, homes[engine], landing, workdir))
            script = baseline_round(scale, rnd, landing, workdir / f"baseline_{scale:g}.log", which=("duckdb",))[0]
            script.what = "duckdb script"
            results.append(script)
            if rnd == 1:
                print(f"  scale {scale:g}: {compare(homes)}", flush=True)
                if (homes["duckdb"] / "warehouse" / "build.duckdb").exists():
                    tickets[scale] = tickets_in(homes["duckdb"])

    print("\n| scale | tickets | engine | wall s (rounds) | CPU s | peak tree GB | " + " | ".join(STAGES) + " s |")
    print("|---|---|---|---|---|---|" + "---|" * len(STAGES))
    points: dict[str, list[tuple[float, float]]] = {engine: [] for engine in ENGINES}
    for scale in args.scales:
        for what in (*[f"{e} run" for e in ENGINES], "duckdb script"):
            rows = [r for r in results if r.scale == scale and r.what == what and r.ok]
            if not rows:
                ran = what == "duckdb script" or what.split()[0] in args.engines
                print(f"| {scale:g} | | {what} | {'failed' if ran else 'not run'} |" + " |" * (len(STAGES) + 2))
                continue
            wall = statistics.median(r.wall for r in rows)
            if what.endswith(" run") and scale in tickets:
                points[what.split()[0]].append((tickets[scale] / 1e6, wall))
            stages = [statistics.median(r.stages.get(st, {}).get("seconds", 0.0) for r in rows) for st in STAGES]
            print(
                f"| {scale:g} | {tickets.get(scale, 0):,} | {what} | {', '.join(f'{r.wall:.1f}' for r in rows)} | "
                f"{statistics.median(r.cpu for r in rows):.1f} | {max(r.peak_tree_mb for r in rows) / 1024:.2f} | "
                + " | ".join(f"{x:.1f}" if what.endswith(" run") else "" for x in stages)
                + " |"
            )
    lines = {engine: line for engine, pts in points.items() if (line := fit_line(pts))}
    for engine, (fixed, marginal) in lines.items():
        print(
            f"{engine}: {fixed:.1f} s fixed + {marginal:.1f} s per million tickets "
            f"(least squares over {len(points[engine])} scales)"
        )
    if len(lines) == 2:
        print(crossover(lines))
    print(f"\nload average now {os.getloadavg()[0]:.1f}; lakes and logs in {workdir}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
