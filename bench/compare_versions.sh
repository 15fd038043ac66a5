#!/usr/bin/env bash
# Wall time of the in-process pipeline (`empathy-lake run`, what `make demo` runs) at several git revisions,
# on the same generated landing data, back to back, twice each: how much a change cost or saved.
#
#   bash bench/compare_versions.sh [--scale S] REV [REV ...]      e.g.  bash bench/compare_versions.sh d32aed9 HEAD
#
# Each revision is checked out into a temporary git worktree with its own locked environment (`uv sync`);
# its dbt manifest is prepared before timing, as a second run would find it. Times go to stdout.
# KEEP=DIR keeps each revision's last serving copy as DIR/REV.duckdb and its step times as DIR/REV.json, for
# `uv run python -m bench.compare_marts DIR/OLD.duckdb DIR/NEW.duckdb` (a speed change must change no mart).
set -euo pipefail
scale=1
if [[ "${1:-}" == "--scale" ]]; then scale=$2; shift 2; fi
[[ $# -ge 1 ]] || { echo "usage: $0 [--scale S] REV [REV ...]" >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d -t empathy-lake-versions-XXXX)
trap 'for rev in "$@"; do git -C "$repo" worktree remove --force "$work/$rev" 2>/dev/null || true; done; rm -rf "$work"' EXIT
for rev in "$@"; do
  git -C "$repo" worktree add --detach -f "$work/$rev" "$rev" -q
  (cd "$work/$rev" && uv sync --frozen -q && .venv/bin/python -c \
    "from dagster_project.cli import prepare_dbt_manifest; prepare_dbt_manifest()" >/dev/null 2>&1)
done
(cd "$work/$1" && EMPATHY_LAKE_HOME="$work/data" .venv/bin/empathy-lake generate --scale "$scale" --seed 42 >/dev/null 2>&1)
for round in 1 2; do
  for rev in "$@"; do
    lake="$work/lake-$rev"
    rm -rf "$lake" && mkdir -p "$lake" && cp -r "$work/data/landing" "$lake/"
    start=$(date +%s.%N)
    (cd "$work/$rev" && EMPATHY_LAKE_HOME="$lake" EMPATHY_LAKE_PII_KEY=bench .venv/bin/empathy-lake run \
      --step-times "$lake/steps.json" >"$work/$rev.log" 2>&1) || echo "$rev FAILED (log: $work/$rev.log)"
    end=$(date +%s.%N)
    printf "round %s  %-12s wall %6.1f s   %s   load %s\n" "$round" "$rev" "$(echo "$end - $start" | bc)" \
      "$(grep -oE '(SUCCESS|FAILED) in [0-9.]+ s' "$work/$rev.log" || true)" "$(cut -d' ' -f1 /proc/loadavg)"
    if [[ -n "${KEEP:-}" ]]; then
      mkdir -p "$KEEP"
      cp "$lake/warehouse/serving/empathy_lake.duckdb" "$KEEP/$rev.duckdb"
      cp "$lake/steps.json" "$KEEP/$rev.json" 2>/dev/null || true
    fi
  done
done
