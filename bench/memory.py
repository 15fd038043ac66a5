"""Where a run's memory goes: peak resident memory per stage, per Dagster step and per dbt node, on a built lake.

    EMPATHY_LAKE_HOME=/tmp/scale-500 uv run python -m bench.memory                       # load, transform, publish
    EMPATHY_LAKE_HOME=/tmp/scale-500 uv run python -m bench.memory --stages run          # the whole job at once

Each stage runs as its own process (`empathy-lake run --stage S --verbose`) on the lake named by
EMPATHY_LAKE_HOME (generated beforehand; nothing is reset, so the stages run in order on what the previous one
left). The process tree's resident memory (the CLI and its dbt child) is sampled every 0.1 s
(bench/speed.py's `tree_rss_mb`); each sample is charged to what was running then: the Dagster step (its
STEP_START line) and, inside the dbt step, the dbt node (dbt's "START ... model|test" line). At the tree's peak
the resident memory of each process is recorded, so the peak is split between the pipeline process and dbt.
Printed: per stage wall, CPU (user + sys, children included), peak of the largest process (`wait4`) and of the
tree, who held the peak; then the steps and dbt nodes with the highest peaks. JSON goes to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

from bench.speed import CLI, REPO, STEP_START, run_sampled

DBT_START = re.compile(r"\d+ of \d+ START (?:\S+ )*?(?:model|test|seed|snapshot) ([\w.]+)")
RUN_STAGES = ("load", "transform", "publish")


def run_stage(stage: str, env: dict[str, str], log: Path, steps_file: Path) -> dict:
    cmd = [*CLI, "run", "--verbose", "--step-times", str(steps_file)]
    if stage != "run":
        cmd += ["--stage", stage]
    labels = {"step": "(start-up)", "dbt": None}
    peaks: dict[str, float] = {}
    at_peak: dict = {"mb": 0.0, "processes": {}, "label": None}

    def on_line(line: str) -> None:
        if match := STEP_START.search(line):
            labels.update(step=match.group(1), dbt=None)
        elif match := DBT_START.search(line):
            labels["dbt"] = match.group(1)

    def on_sample(tree: dict[int, tuple[str, float]]) -> None:
        total = sum(rss for _, rss in tree.values())
        label = labels["step"] + (f" / {labels['dbt']}" if labels["dbt"] else "")
        peaks[label] = max(peaks.get(label, 0.0), total)
        if total > at_peak["mb"]:
            processes = {str(p): (command[:120], rss) for p, (command, rss) in tree.items()}
            at_peak.update(mb=total, label=label, processes=processes)

    wall, status, usage = run_sampled(cmd, env, log, on_line, on_sample)
    return {
        "stage": stage,
        "ok": os.waitstatus_to_exitcode(status) == 0,
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_process_mb": usage.ru_maxrss / 1024,
        "peak_tree_mb": at_peak["mb"],
        "peak_at": at_peak["label"],
        "processes_at_peak": at_peak["processes"],
        "peaks": dict(sorted(peaks.items(), key=lambda kv: -kv[1])),
        "load_average": os.getloadavg()[0],
    }


def print_stage(r: dict, top: int) -> None:
    print(
        f"{r['stage']:9} {'ok' if r['ok'] else 'FAILED':6} wall {r['wall']:7.1f} s  CPU {r['cpu']:7.1f} s  "
        f"peak process {r['peak_process_mb']:6.0f} MB  tree {r['peak_tree_mb']:6.0f} MB  "
        f"load {r['load_average']:.1f}  at {r['peak_at']}",
        flush=True,
    )
    for pid, (cmd, rss) in r["processes_at_peak"].items():
        print(f"    at the peak: {rss:6.0f} MB  pid {pid}  {cmd[:90]}")
    for label, mb in list(r["peaks"].items())[:top]:
        print(f"    {mb:6.0f} MB  {label}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stages", nargs="+", default=list(RUN_STAGES), choices=[*RUN_STAGES, "run"])
    parser.add_argument("--top", type=int, default=12, help="steps and dbt nodes listed per stage")
    parser.add_argument("--label", default="", help="added to the result file's name")
    args = parser.parse_args(argv)
    if "EMPATHY_LAKE_HOME" not in os.environ:
        parser.error("set EMPATHY_LAKE_HOME to a generated lake")
    home = Path(os.environ["EMPATHY_LAKE_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "EMPATHY_LAKE_PII_KEY": os.environ.get("EMPATHY_LAKE_PII_KEY", "bench")}
    env["PYTHONUNBUFFERED"] = "1"  # each line as it is written: a buffered pipe would charge samples to a past step
    out_dir = REPO / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    results = []
    for stage in args.stages:
        r = run_stage(stage, env, home / f"bench-memory-{stamp}.log", home / f"bench-memory-steps-{stage}.json")
        results.append(r)
        print_stage(r, args.top)
        (out_dir / f"memory-{args.label}{stamp}.json").write_text(json.dumps(results, indent=1))
        if not r["ok"]:
            print(f"  failed; see {home / f'bench-memory-{stamp}.log'}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
