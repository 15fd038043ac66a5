"""One day's drop against a full rebuild, at several scales, in one command, broken down per stage.

    uv run python -m bench.incremental --scales 1 50       # default demo and 1M tickets

Per scale: generate the business holding back its last day (`generate --hold-back-days 1`), run once
(the lake as it was yesterday), deliver the day (`deliver`), then time the daily run (`run`: loads only
the day's files, matches only new texts, rebuilds the marts) and a full rebuild of the same landing folder
(`run --full-refresh`: reloads every file into an empty warehouse). Every run is the CLI in its own
process, as the schedule or sensor would start it.

Each timed run is measured in CPU seconds (user + sys of the process and its children: dbt runs as a child),
which a shared machine distorts less than wall time, and broken down per stage from its Dagster step times
(`run --step-times`) and dbt's run_results.json (models, data tests, seeds; the slowest nodes).

The fixed cost: a lake of `--fixed-scale` (default 1, the demo) run once, then `run --force` with nothing new
(every step runs, no file is loaded): what any run pays whatever the data. The ratio daily / full is printed
as measured and net of that fixed cost. Results are printed and written to bench/results/ (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.pipeline import CLI, REPO, lake_env

DBT_TARGET = REPO / "dbt_project" / "target"


@dataclass
class Timed:
    """One CLI process: wall and CPU seconds (children included), peak resident memory, and its breakdown."""

    wall: float
    cpu: float
    peak_mb: float
    ok: bool
    stages: dict[str, float] = field(default_factory=dict)
    dbt: dict[str, float] = field(default_factory=dict)
    slowest_dbt_nodes: list[tuple[str, float]] = field(default_factory=list)


def _timed(cmd: list[str], env: dict[str, str], log: Path) -> Timed:
    started = time.perf_counter()
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
    return Timed(
        wall=time.perf_counter() - started,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mb=usage.ru_maxrss / 1024,
        ok=os.waitstatus_to_exitcode(status) == 0,
    )


def stage_of(step: str) -> str:
    """The stage a Dagster step belongs to, by its name (asset key joined by `__`, checks suffixed)."""
    if step == "dbt_models":
        return "dbt build"
    if "_gx_" in step:
        return "data-quality suites"
    if step.endswith(("_conservation", "_freshness")):
        return "row reconciliations and freshness"
    if step.startswith("serving__"):
        return "publish"
    if step.startswith("alerts__"):
        return "alerts"
    if step.startswith("text__"):
        return "text scoring"
    return "loaders"


def stage_seconds(steps: dict[str, float]) -> dict[str, float]:
    stages: dict[str, float] = defaultdict(float)
    for step, seconds in steps.items():
        stages[stage_of(step)] += seconds
    return dict(stages)


def dbt_breakdown(run_results: Path, slowest: int = 8) -> tuple[dict[str, float], list[tuple[str, float]]]:
    """Seconds per dbt resource type (models, tests, seeds) and the slowest nodes of one run_results.json."""
    results = json.loads(run_results.read_text())
    kinds: dict[str, float] = defaultdict(float)
    for node in results["results"]:
        kinds[node["unique_id"].split(".")[0]] += node["execution_time"]
    kinds["elapsed"] = results["elapsed_time"]
    nodes = sorted(results["results"], key=lambda n: -n["execution_time"])[:slowest]
    return dict(kinds), [(n["unique_id"].split(".", 2)[-1], round(n["execution_time"], 2)) for n in nodes]


def _newest_run_results(since: float) -> Path | None:
    found = [p for p in DBT_TARGET.glob("dbt_models-*/run_results.json") if p.stat().st_mtime >= since]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def timed_run(cmd: list[str], env: dict[str, str], log: Path, steps_file: Path) -> Timed:
    since = time.time()
    timed = _timed([*cmd, "--step-times", str(steps_file)], env, log)
    if steps_file.exists():
        timed.stages = stage_seconds(json.loads(steps_file.read_text()))
        timed.stages["outside the steps (start-up, Dagster, summary)"] = timed.wall - sum(timed.stages.values())
    run_results = _newest_run_results(since)
    if run_results is not None:
        timed.dbt, timed.slowest_dbt_nodes = dbt_breakdown(run_results)
    return timed


def _step(name: str, cmd: list[str], env: dict[str, str], log: Path) -> None:
    timed = _timed(cmd, env, log)
    print(f"  {name:28} {timed.wall:7.1f} s wall  {'ok' if timed.ok else 'FAILED'}", flush=True)
    if not timed.ok:
        raise SystemExit(f"{name} failed; see {log}")


def _report_run(name: str, timed: Timed, log: Path) -> Timed:
    print(
        f"  {name:28} {timed.wall:7.1f} s wall {timed.cpu:7.1f} s CPU  peak {timed.peak_mb:6.0f} MB  "
        f"load {os.getloadavg()[0]:.1f}  {'ok' if timed.ok else 'FAILED'}",
        flush=True,
    )
    if not timed.ok:
        raise SystemExit(f"{name} failed; see {log}")
    return timed


def bench_scale(scale: float, workdir: Path) -> dict[str, Timed]:
    home = workdir / f"scale_{scale:g}"
    env = lake_env(home)
    log = workdir / f"scale_{scale:g}.log"
    _step(
        f"scale {scale:g} generate",
        [*CLI, "generate", "--scale", f"{scale:g}", "--seed", "42", "--hold-back-days", "1"],
        env,
        log,
    )
    _step(f"scale {scale:g} yesterday's run", [*CLI, "run"], env, log)
    _step(f"scale {scale:g} deliver", [*CLI, "deliver"], env, log)
    daily = timed_run([*CLI, "run"], env, log, workdir / f"steps_{scale:g}_daily.json")
    _report_run(f"scale {scale:g} daily run", daily, log)
    full = timed_run([*CLI, "run", "--full-refresh"], env, log, workdir / f"steps_{scale:g}_full.json")
    _report_run(f"scale {scale:g} full rebuild", full, log)
    return {"daily": daily, "full": full}


def bench_fixed(scale: float, workdir: Path) -> Timed:
    home = workdir / f"fixed_{scale:g}"
    env = lake_env(home)
    log = workdir / f"fixed_{scale:g}.log"
    _step(f"fixed {scale:g} generate", [*CLI, "generate", "--scale", f"{scale:g}", "--seed", "42"], env, log)
    _step(f"fixed {scale:g} first run", [*CLI, "run"], env, log)
    forced = timed_run([*CLI, "run", "--force"], env, log, workdir / f"steps_fixed_{scale:g}.json")
    return _report_run(f"fixed {scale:g} run, nothing new", forced, log)


def breakdown_table(runs: dict[str, Timed]) -> str:
    names = list(runs)
    lines = ["| stage | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    stages = sorted(
        {s for t in runs.values() for s in t.stages}, key=lambda s: -max(t.stages.get(s, 0) for t in runs.values())
    )
    for stage in stages:
        lines.append(f"| {stage} (wall s) | " + " | ".join(f"{runs[n].stages.get(stage, 0):.1f}" for n in names) + " |")
    for kind in ("elapsed", "model", "test", "seed"):
        lines.append(f"| dbt {kind} s | " + " | ".join(f"{runs[n].dbt.get(kind, 0):.1f}" for n in names) + " |")
    lines.append("| process wall s | " + " | ".join(f"{runs[n].wall:.1f}" for n in names) + " |")
    lines.append("| process CPU s | " + " | ".join(f"{runs[n].cpu:.1f}" for n in names) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 50.0])
    parser.add_argument("--fixed-scale", type=float, default=1.0, help="the scale of the nothing-new run")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="empathy-lake-incremental-"))
    fixed = bench_fixed(args.fixed_scale, workdir)
    lines = [
        "| scale | tickets | daily CPU s | full CPU s | daily / full | net of fixed "
        f"({fixed.cpu:.1f} CPU s) | daily wall s | full wall s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    results: dict[str, object] = {"fixed": asdict(fixed)}
    tables = []
    for scale in args.scales:
        runs = bench_scale(scale, workdir)
        daily, full = runs["daily"], runs["full"]
        results[f"{scale:g}"] = {name: asdict(t) for name, t in runs.items()}
        # Below the fixed cost (a lake smaller than the fixed run's) the net ratio means nothing.
        net = f"{(daily.cpu - fixed.cpu) / (full.cpu - fixed.cpu):.2f}" if daily.cpu > fixed.cpu else "-"
        lines.append(
            f"| {scale:g} | {int(20000 * scale):,} | {daily.cpu:.1f} | {full.cpu:.1f} | {daily.cpu / full.cpu:.2f} | "
            f"{net} | {daily.wall:.1f} | {full.wall:.1f} |"
        )
        tables.append(
            f"\nscale {scale:g}, per stage:\n"
            + breakdown_table({"daily": daily, "full rebuild": full, "nothing new (fixed)": fixed})
        )
        tables.append(
            "slowest dbt nodes of the daily run: " + ", ".join(f"{n} {s:.1f} s" for n, s in daily.slowest_dbt_nodes)
        )
    table = "\n".join(lines + tables)
    print("\n" + table)
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"incremental_{time.strftime('%Y%m%d_%H%M%S')}.json").write_text(json.dumps(results, indent=1))
    print(f"\nlogs in {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
