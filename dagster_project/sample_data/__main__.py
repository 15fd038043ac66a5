"""python -m dagster_project.sample_data --out DIR [--scale S] [--seed N] [--format csv|parquet]"""

import argparse
from pathlib import Path

from dagster_project.sample_data import generate

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--out", type=Path, required=True)
parser.add_argument("--scale", type=float, default=1.0)
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--format", choices=["csv", "parquet"], default="csv")
args = parser.parse_args()
result = generate(args.out, scale=args.scale, seed=args.seed, fmt=args.format)
for entity, rows in result.row_counts.items():
    print(f"{entity:20} {rows:>12,}")
print(f"{sum(result.row_counts.values()):,} rows in {result.seconds:.1f} s; truth: {result.truth_path}")
