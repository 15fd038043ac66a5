"""Per-stage wall time and peak memory of the pipeline, at several scales, in one command.

    uv run python -m bench.pipeline --scales 1 50       # default demo and 1M tickets

Each stage runs as its own process (the CLI with `--stage`), so its peak memory is measured exactly:
`wait4` reports the maximum resident set of the process and of the children it waited for (dbt runs as a
child). Stages: generate, load (with the raw checks), transform (dbt build with dbt tests and the mart
checks), publish. Every process pays Python + Dagster start-up; the `startup` row measures that baseline
once so the stage times can be read net of it. Results are printed as a table and written to
bench/results/ (not committed). Ratios compare each scale against the first one given.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "dagster_project.cli"]


@dataclass
class StageResult:
    scale: float
    stage: str
    seconds: float
    peak_mb: float
    ok: bool
    steps: dict[str, float]


def _run(cmd: list[str], env: dict[str, str], log: Path) -> tuple[float, float, bool]:
    started = time.perf_counter()
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status) == 0


def lake_env(home: Path) -> dict[str, str]:
    """This environment with every lake path under `home` (a user's own EMPATHY_LAKE_* paths dropped)."""
    env = {**os.environ, "EMPATHY_LAKE_HOME": str(home), "EMPATHY_LAKE_PII_KEY": "bench"}
    for var in ("EMPATHY_LAKE_LANDING", "EMPATHY_LAKE_BUILD_DB", "EMPATHY_LAKE_SERVING_DB"):
        env.pop(var, None)
    return env


def bench_scale(scale: float, workdir: Path) -> list[StageResult]:
    home = workdir / f"scale_{scale:g}"
    env = lake_env(home)
    log = workdir / f"scale_{scale:g}.log"
    results = []
    stages = {
        "startup": [sys.executable, "-c", "import dagster_project.definitions"],
        "generate": [*CLI, "generate", "--scale", str(scale), "--seed", "42"],
        "load": [*CLI, "run", "--stage", "load"],
        "transform": [*CLI, "run", "--stage", "transform"],
        "publish": [*CLI, "run", "--stage", "publish"],
    }
    # The dbt manifest is a build artefact shared by every stage; prepared once, not timed.
    prepare = "from dagster_project.cli import prepare_dbt_manifest; prepare_dbt_manifest()"
    subprocess.run([sys.executable, "-c", prepare], env=env, cwd=REPO, check=True)
    for stage, cmd in stages.items():
        step_file = workdir / f"steps_{scale:g}_{stage}.json"
        if stage in {"load", "transform", "publish"}:
            cmd = [*cmd, "--step-times", str(step_file)]
        seconds, peak, ok = _run(cmd, env, log)
        steps = json.loads(step_file.read_text()) if step_file.exists() else {}
        results.append(StageResult(scale, stage, seconds, peak, ok, steps))
        print(
            f"  scale {scale:g} {stage:10} {seconds:7.1f} s  peak {peak:7.0f} MB  {'ok' if ok else 'FAILED'}",
            flush=True,
        )
        if not ok:
            print(f"  see {log}")
            break
    return results


def _check_seconds(steps: dict[str, float]) -> float:
    return sum(s for key, s in steps.items() if "gx_" in key or "conservation" in key)


def report(results: list[StageResult]) -> str:
    scales = sorted({r.scale for r in results}, key=lambda s: [r.scale for r in results].index(s))
    base = {r.stage: r for r in results if r.scale == scales[0]}
    lines = [
        "| scale | tickets | stage | wall s | of which checks s | peak MB | time × base | memory × base |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        b = base.get(r.stage)
        t_ratio = f"{r.seconds / b.seconds:.1f}" if b and b.seconds else "-"
        m_ratio = f"{r.peak_mb / b.peak_mb:.1f}" if b and b.peak_mb else "-"
        lines.append(
            f"| {r.scale:g} | {int(20000 * r.scale):,} | {r.stage} | {r.seconds:.1f} | "
            f"{_check_seconds(r.steps):.1f} | {r.peak_mb:.0f} | {t_ratio} | {m_ratio} |"
        )
    for scale in scales:
        pipeline = [r for r in results if r.scale == scale and r.stage in {"load", "transform", "publish"}]
        startup = next((r.seconds for r in results if r.scale == scale and r.stage == "startup"), 0.0)
        total = sum(r.seconds for r in pipeline)
        lines.append(
            f"\nscale {scale:g}: pipeline (load+transform+publish) {total:.1f} s in 3 processes; "
            f"net of 3 × {startup:.1f} s start-up: {total - 3 * startup:.1f} s; "
            f"peak {max((r.peak_mb for r in pipeline), default=0):.0f} MB"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 50.0])
    parser.add_argument("--keep", action="store_true", help="keep the benchmark lakes")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="empathy-lake-bench-"))
    results: list[StageResult] = []
    for scale in args.scales:
        results.extend(bench_scale(scale, workdir))
    table = report(results)
    print("\n" + table)
    out_dir = REPO / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out_dir / f"pipeline-{stamp}.json").write_text(json.dumps([asdict(r) for r in results], indent=1))
    (out_dir / f"pipeline-{stamp}.md").write_text(table + "\n")
    if not args.keep:
        subprocess.run(["rm", "-rf", str(workdir)], check=False)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
