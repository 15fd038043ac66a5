"""One day's drop against a full rebuild, at several scales, in one command.

    uv run python -m bench.incremental --scales 1 50       # default demo and 1M tickets

Per scale: generate the business holding back its last day (`generate --hold-back-days 1`), run once
(the lake as it was yesterday), deliver the day (`deliver`), then time the daily run (`run`: loads only
the day's files, matches only new texts, rebuilds the marts) and a full rebuild of the same landing folder
(`run --full-refresh`: reloads every file into an empty warehouse). Every run is the CLI in its own
process, as the schedule or sensor would start it. The ratio daily / full is the figure to read; the
absolute seconds depend on the machine. Results are printed and written to bench/results/ (not committed).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from bench.pipeline import CLI, REPO, _run, lake_env


def bench_scale(scale: float, workdir: Path) -> dict[str, float]:
    home = workdir / f"scale_{scale:g}"
    env = lake_env(home)
    log = workdir / f"scale_{scale:g}.log"
    steps = {
        "generate": [*CLI, "generate", "--scale", str(scale), "--seed", "42", "--hold-back-days", "1"],
        "yesterday": [*CLI, "run"],
        "deliver": [*CLI, "deliver"],
        "daily": [*CLI, "run", "--step-times", str(workdir / f"steps_{scale:g}_daily.json")],
        "full_refresh": [*CLI, "run", "--full-refresh", "--step-times", str(workdir / f"steps_{scale:g}_full.json")],
    }
    seconds: dict[str, float] = {}
    for name, cmd in steps.items():
        took, peak, ok = _run(cmd, env, log)
        seconds[name] = took
        print(f"  scale {scale:g} {name:12} {took:7.1f} s  peak {peak:6.0f} MB  {'ok' if ok else 'FAILED'}", flush=True)
        if not ok:
            raise SystemExit(f"{name} failed at scale {scale:g}; see {log}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 50.0])
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="empathy-lake-incremental-"))
    lines = ["| scale | tickets | daily run s | full rebuild s | daily / full |", "|---|---|---|---|---|"]
    results = {}
    for scale in args.scales:
        s = bench_scale(scale, workdir)
        results[f"{scale:g}"] = s
        lines.append(
            f"| {scale:g} | {int(20000 * scale):,} | {s['daily']:.1f} | {s['full_refresh']:.1f} | "
            f"{s['daily'] / s['full_refresh']:.2f} |"
        )
    table = "\n".join(lines)
    print("\n" + table)
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"incremental_{time.strftime('%Y%m%d_%H%M%S')}.json").write_text(json.dumps(results, indent=1))
    print(f"\nlogs in {workdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
