"""Are two published warehouses equal? Every table of the `marts` schema (tests/lake_helpers.assert_same_marts:
rows sorted, floats to nine significant digits, since DuckDB may sum doubles in another order).

    uv run python -m bench.compare_marts BEFORE.duckdb AFTER.duckdb

Shows that a speed change changes no output: build the same landing data with both versions
(`KEEP=1 bash bench/compare_versions.sh OLD NEW` keeps the lakes) and compare their serving copies. The
`meta` schema is left out on purpose: run ids, timings and check counts differ by design.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.lake_helpers import assert_same_marts


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    try:
        compared = assert_same_marts(Path(argv[1]), Path(argv[0]))
    except AssertionError as exc:
        print(f"DIFFERENT: {str(exc)[:3000]}")
        return 1
    print(f"{compared} marts compared: EQUAL")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
