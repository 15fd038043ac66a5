"""`make bench`: the product against the hand-written baselines, on the same landing files, per scale.

    uv run python -m bench.speed --scales 1 50 500 --rounds 2     # make bench SCALES="1 50 500" ROUNDS=2

For each scale the landing files are generated once (`empathy-lake generate --seed 42`); then, in interleaved
rounds on those files: the product's full run (`empathy-lake run` in a fresh lake), a no-change re-run, the
hand-written DuckDB script (bench/baseline.sql) and the pandas version of the five marts issue 13 names. Every
one is its own process, measured alike: wall seconds, CPU seconds (user + sys, children included: dbt), the
peak resident memory of its largest process (`wait4`, as `/usr/bin/time -v` reports it) and of its whole
process tree (sampled every 0.1 s). The product run's time per stage comes from its `--step-times`, its memory
per stage from the tree samples taken while that stage's steps ran (Dagster logs each step's start).
After the first round both baselines are compared with the product's published marts, mart by mart.

The product is used only through its command line and its serving file, so this runs unchanged on any version.
Results: a table on stdout and JSON + Markdown under bench/results/ (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "dagster_project.cli"]
# The key the product pseudonymises with in the bench; the baseline is given the same (its customer and agent keys).
PII_KEY = "bench"
STEP_START = re.compile(r'STEP_START - Started execution of step "([^"]+)"')
TICKETS_PER_SCALE = 20_000

# Issue 13's targets: (scale, what, limit). Ratios are product / DuckDB script unless said otherwise.
TARGETS = {
    1: [("full run wall s", 15.0), ("no-change re-run wall s", 5.0)],
    50: [("product / DuckDB wall", 4.0), ("pandas / product wall", "> 1")],
    500: [("product / DuckDB wall", 2.0), ("product peak RSS GB", 4.0)],
}


@dataclass
class Measured:
    scale: float
    round: int
    what: str  # full run, re-run, duckdb, pandas
    wall: float
    cpu: float
    peak_process_mb: float
    peak_tree_mb: float
    ok: bool
    stages: dict[str, dict[str, float]] = field(default_factory=dict)  # stage -> {seconds, peak_tree_mb}


def stage_of(step: str) -> str:
    """Which stage a Dagster step belongs to, from its key (checks are reported apart from what they check)."""
    key = step.lower()
    if any(word in key for word in ("gx_", "conservation", "freshness", "_check")):
        return "checks"
    if key.startswith("dbt") or "dbt" in key:
        return "dbt"
    if key.startswith(("serving", "alerts")) or "publish" in key:
        return "publish"
    if key.startswith("text"):
        return "text"
    return "load"


def process_tree(pid: int) -> dict[int, tuple[str, float]]:
    """pid -> (command line, resident MB) of a process and all its descendants (Linux /proc)."""
    found, todo = {}, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
            with open(f"/proc/{p}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
            found[p] = (command, rss)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc), MB."""
    return sum(rss for _, rss in process_tree(pid).values())


def run_sampled(
    cmd: list[str],
    env: dict[str, str],
    log: Path,
    on_line: Callable[[str], None],
    on_sample: Callable[[dict[int, tuple[str, float]]], None],
) -> tuple[float, int, os.struct_rusage]:
    """Run `cmd` with its output appended to `log`, each line passed to `on_line`, and its process tree
    (`process_tree`) passed to `on_sample` every 0.1 s; wall seconds, wait status and rusage (children included)."""
    started = time.perf_counter()
    with open(log, "a") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        proc = subprocess.Popen(
            cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
        )
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.1):
                on_sample(process_tree(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        for line in proc.stdout:
            out.write(line)
            on_line(line)
        _, status, usage = os.wait4(proc.pid, 0)
        done.set()
        sampler.join()
    return time.perf_counter() - started, status, usage


def measure(cmd: list[str], env: dict[str, str], log: Path) -> tuple[float, float, float, float, bool, dict]:
    """Run `cmd`; wall, CPU (user+sys incl. children), peak process RSS, peak tree RSS, success, and the peak
    tree RSS seen during each Dagster step (from the STEP_START lines of its output)."""
    step_peaks: dict[str, float] = {}
    current = {"step": None}
    peak = {"tree": 0.0}

    def on_line(line: str) -> None:
        match = STEP_START.search(line)
        if match:
            current["step"] = match.group(1)

    def on_sample(tree: dict[int, tuple[str, float]]) -> None:
        rss = sum(mb for _, mb in tree.values())
        peak["tree"] = max(peak["tree"], rss)
        step = current["step"]
        if step:
            step_peaks[step] = max(step_peaks.get(step, 0.0), rss)

    wall, status, usage = run_sampled(cmd, env, log, on_line, on_sample)
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, peak["tree"], os.waitstatus_to_exitcode(status) == 0, step_peaks


def lake_env(home: Path, landing: Path) -> dict[str, str]:
    """This environment with the lake under `home` reading `landing` (a user's own lake paths dropped)."""
    env = {**os.environ, "EMPATHY_LAKE_HOME": str(home), "EMPATHY_LAKE_PII_KEY": PII_KEY}
    for var in ("EMPATHY_LAKE_BUILD_DB", "EMPATHY_LAKE_SERVING_DB"):
        env.pop(var, None)
    env["EMPATHY_LAKE_LANDING"] = str(landing)
    return env


def empty_lake(home: Path) -> None:
    """A fresh lake at the same path each round (the path is part of dbt's parse cache key): all but landing."""
    if home.exists():
        for child in home.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    home.mkdir(parents=True, exist_ok=True)


def serving_file(home: Path) -> Path | None:
    found = sorted(home.glob("warehouse/serving/*.duckdb"))
    return found[0] if found else None


def product_round(
    scale: float, rnd: int, home: Path, landing: Path, workdir: Path, log: Path, runs=("full run", "re-run")
) -> list[Measured]:
    env = lake_env(home, landing)
    results = []
    empty_lake(home)
    for what in runs:
        steps_file = workdir / f"steps_{scale:g}_{rnd}_{what.replace(' ', '_')}.json"
        wall, cpu, peak_p, peak_t, ok, step_peaks = measure(
            # --verbose: Dagster's STEP_START lines on stdout attribute memory to steps (docs/decisions.md D205)
            [*CLI, "run", "--verbose", "--step-times", str(steps_file)],
            env,
            log,
        )
        step_seconds = json.loads(steps_file.read_text()) if steps_file.exists() else {}
        stages: dict[str, dict[str, float]] = {}
        for step in set(step_seconds) | set(step_peaks):
            s = stages.setdefault(stage_of(step), {"seconds": 0.0, "peak_tree_mb": 0.0, "steps": 0})
            s["seconds"] += step_seconds.get(step, 0.0)
            s["peak_tree_mb"] = max(s["peak_tree_mb"], step_peaks.get(step, 0.0))
            s["steps"] += 1
        stages["outside the steps"] = {
            "seconds": max(wall - sum(step_seconds.values()), 0.0),
            "peak_tree_mb": 0.0,
            "steps": 0,
        }
        results.append(Measured(scale, rnd, what, wall, cpu, peak_p, peak_t, ok, stages))
        print_row(results[-1])
        if not ok:
            print(f"  the product run failed; see {log}", flush=True)
            break
    return results


BASELINES = {"duckdb": "bench.baseline", "pandas": "bench.pandas_baseline"}


def baseline_round(scale: float, rnd: int, landing: Path, log: Path, which=tuple(BASELINES)) -> list[Measured]:
    results = []
    for what, module in ((w, BASELINES[w]) for w in which):
        wall, cpu, peak_p, peak_t, ok, _ = measure([sys.executable, "-m", module, str(landing)], dict(os.environ), log)
        results.append(Measured(scale, rnd, what, wall, cpu, peak_p, peak_t, ok))
        print_row(results[-1])
    return results


def print_row(m: Measured) -> None:
    print(
        f"  scale {m.scale:g} round {m.round} {m.what:9} wall {m.wall:7.1f} s  CPU {m.cpu:7.1f} s  "
        f"peak {m.peak_process_mb:6.0f} MB (tree {m.peak_tree_mb:6.0f} MB)  {'ok' if m.ok else 'FAILED'}",
        flush=True,
    )


def equality(home: Path, landing: Path) -> dict[str, str]:
    """Both baselines against the product's published marts (bench.baseline.compare), each in a process of its
    own: this process stays small, and a child's peak memory (`wait4`) starts from its parent's at the fork."""
    serving = serving_file(home)
    if serving is None:
        print("  no serving file: nothing to compare", flush=True)
        return {}
    out = {}
    for name, module in (("duckdb", "bench.baseline"), ("pandas", "bench.pandas_baseline")):
        cmd = [sys.executable, "-m", module, str(landing), "--compare", str(serving)]
        cmd += ["--pii-key", PII_KEY] if module == "bench.baseline" else []
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        print(f"  {name} baseline against the product's marts:\n{done.stdout}{done.stderr[-2000:]}", flush=True)
        out[name] = done.stdout
    return out


def _values(results: list[Measured], scale: float, what: str, attr: str) -> list[float]:
    return [getattr(r, attr) for r in results if r.scale == scale and r.what == what and r.ok]


def summary(results: list[Measured], load: list[float]) -> tuple[str, list[dict]]:
    """Per scale: each measured thing (every round), the ratios the issue names per round pair, the targets."""
    lines, verdicts = [], []
    scales = list(dict.fromkeys(r.scale for r in results))
    lines += [
        "| scale | tickets | what | wall s (rounds) | CPU s | peak process MB | peak tree MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for scale in scales:
        for what in ("full run", "re-run", "duckdb", "pandas"):
            rows = [r for r in results if r.scale == scale and r.what == what and r.ok]
            if rows:
                lines.append(
                    f"| {scale:g} | {int(TICKETS_PER_SCALE * scale):,} | {what} | "
                    f"{', '.join(f'{r.wall:.1f}' for r in rows)} | {', '.join(f'{r.cpu:.1f}' for r in rows)} | "
                    f"{max(r.peak_process_mb for r in rows):.0f} | {max(r.peak_tree_mb for r in rows):.0f} |"
                )
    failed = [f"scale {r.scale:g} round {r.round} {r.what}" for r in results if not r.ok]
    if failed:
        lines.append(f"\nFailed or stopped, left out of every figure: {', '.join(failed)}")
    lines += ["", "| scale | stage (full run) | seconds (rounds) | peak tree MB | steps |", "|---|---|---|---|---|"]
    for scale in scales:
        runs = [r for r in results if r.scale == scale and r.what == "full run" and r.ok]
        for stage in sorted({s for r in runs for s in r.stages}):
            got = [r.stages[stage] for r in runs if stage in r.stages]
            seconds = ", ".join(f"{g['seconds']:.1f}" for g in got)
            lines.append(
                f"| {scale:g} | {stage} | {seconds} | "
                f"{max(g['peak_tree_mb'] for g in got):.0f} | {got[0]['steps']:.0f} |"
            )
    lines += ["", "| scale | ratio | per round (wall) | per round (CPU) |", "|---|---|---|---|"]
    ratios: dict[tuple[float, str], float] = {}
    for scale in scales:
        for name, num, den in (
            ("product / DuckDB", "full run", "duckdb"),
            ("pandas / product", "pandas", "full run"),
            ("product / pandas", "full run", "pandas"),
        ):
            pairs = []
            for rnd in sorted({r.round for r in results if r.scale == scale}):
                a = [r for r in results if (r.scale, r.round, r.what) == (scale, rnd, num) and r.ok]
                b = [r for r in results if (r.scale, r.round, r.what) == (scale, rnd, den) and r.ok]
                if a and b:
                    pairs.append((a[0].wall / b[0].wall, a[0].cpu / b[0].cpu))
            if pairs:
                ratios[(scale, name)] = statistics.median(p[0] for p in pairs)
                lines.append(
                    f"| {scale:g} | {name} | {', '.join(f'{p[0]:.1f}' for p in pairs)} | "
                    f"{', '.join(f'{p[1]:.1f}' for p in pairs)} |"
                )
    lines += ["", "| scale | target | limit | measured (median of rounds) | met |", "|---|---|---|---|---|"]
    for scale in scales:
        measured = {
            "full run wall s": _values(results, scale, "full run", "wall"),
            "no-change re-run wall s": _values(results, scale, "re-run", "wall"),
            "product peak RSS GB": [v / 1024 for v in _values(results, scale, "full run", "peak_tree_mb")],
        }
        for what, limit in TARGETS.get(int(scale) if float(scale).is_integer() else scale, []):
            if what in measured:
                value = statistics.median(measured[what]) if measured[what] else None
                met = value is not None and value <= limit
            elif what == "pandas / product wall":
                value = ratios.get((scale, "pandas / product"))
                met = value is not None and value > 1
            else:
                value = ratios.get((scale, "product / DuckDB"))
                met = value is not None and value <= limit
            shown = "not measured" if value is None else f"{value:.2f}"
            lines.append(
                f"| {scale:g} | {what} | {limit if isinstance(limit, str) else f'≤ {limit:g}'} | {shown} | "
                f"{'-' if value is None else 'yes' if met else 'NO'} |"
            )
            verdicts.append({"scale": scale, "target": what, "limit": str(limit), "measured": value, "met": met})
    if len(scales) > 1:
        lines += growth(results, scales)
    lines.append(f"\nload average (1 min) at start and end of each scale: {', '.join(f'{x:.1f}' for x in load)}")
    return "\n".join(lines), verdicts


def growth(results: list[Measured], scales: list[float]) -> list[str]:
    """Does any stage's time or memory grow faster than the data (against the smallest scale)?"""
    base = min(scales)
    lines = ["", "| scale | stage | data × | time × | memory × | faster than the data |", "|---|---|---|---|---|---|"]
    first = {s: v for r in results if r.scale == base and r.what == "full run" and r.ok for s, v in r.stages.items()}
    for scale in scales:
        if scale == base:
            continue
        runs = [r for r in results if r.scale == scale and r.what == "full run" and r.ok]
        for stage, b in first.items():
            got = [r.stages[stage] for r in runs if stage in r.stages]
            if not got or not b["seconds"]:
                continue
            t = statistics.median(g["seconds"] for g in got) / b["seconds"]
            m = max(g["peak_tree_mb"] for g in got) / b["peak_tree_mb"] if b["peak_tree_mb"] else float("nan")
            data = scale / base
            lines.append(
                f"| {scale:g} | {stage} | {data:g} | {t:.1f} | {m:.1f} | {'YES' if t > data or m > data else 'no'} |"
            )
    return lines


def save(path: Path, results: list[Measured], load: list[float], compared: dict, verdicts=None) -> None:
    payload = {"results": [asdict(r) for r in results], "targets": verdicts, "equality": compared, "load": load}
    path.write_text(json.dumps(payload, indent=1, default=str))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 50.0, 500.0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workdir", type=Path, help="keep the lakes here (default: a temporary folder, removed)")
    parser.add_argument("--report", type=Path, metavar="JSON", help="print the summary of a saved (or partial) result")
    args = parser.parse_args(argv)
    out_dir = REPO / "bench" / "results"
    if args.report:
        saved = json.loads(args.report.read_text())
        print(summary([Measured(**r) for r in saved["results"]], saved["load"])[0])
        return 0
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="empathy-lake-speed-"))
    workdir.mkdir(parents=True, exist_ok=True)
    # The manifest is a build artefact shared by every run; prepared once, not timed.
    subprocess.run(
        [*CLI, "dagster-home"],
        env=lake_env(workdir / "prepare", workdir / "prepare" / "landing"),
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    results: list[Measured] = []
    load: list[float] = []
    compared = {}
    for scale in args.scales:
        load.append(os.getloadavg()[0])
        landing, home = workdir / f"landing_{scale:g}", workdir / f"lake_{scale:g}"
        log = workdir / f"scale_{scale:g}.log"
        if not landing.exists():
            gen = [*CLI, "generate", "--scale", str(scale), "--seed", "42", "--out", str(landing)]
            subprocess.run(gen, env=lake_env(home, landing), cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        for rnd in range(1, args.rounds + 1):
            results += product_round(scale, rnd, home, landing, workdir, log)
            results += baseline_round(scale, rnd, landing, log)
            if rnd == 1:
                compared[f"{scale:g}"] = equality(home, landing)
            # Saved after every round, so a run stopped early still leaves its numbers (--report prints them).
            save(out_dir / f"speed-{stamp}.json", results, load + [os.getloadavg()[0]], compared)
        load.append(os.getloadavg()[0])
    table, verdicts = summary(results, load)
    print("\n" + table)
    save(out_dir / f"speed-{stamp}.json", results, load, compared, verdicts)
    (out_dir / f"speed-{stamp}.md").write_text(table + "\n")
    print(f"\nwritten: bench/results/speed-{stamp}.json and .md")
    if not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
