"""What one run changed in the published marts: per table, the rows that differ and the months they fall in.

    uv run python -m bench.drop_changes BEFORE.duckdb AFTER.duckdb

For incremental marts: a mart partitioned by month can keep its old months only if a day's drop changes
nothing there. Compare the serving copy published before a one-day drop with the one published after it.
Doubles are compared to nine significant digits, and a month whose rows then differ is compared again with a
relative tolerance of 1e-9 (bench.compare_marts' rule: DuckDB may sum in another order, which moves the last
digits of old months' sums without any input changing, and can flip a value across a rounding boundary).
"""

from __future__ import annotations

import sys

import duckdb
import pandas as pd

MONTH_COLUMNS = ("month", "wave")


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = ? "
        "AND table_schema = 'marts' AND table_name = ? ORDER BY ordinal_position",
        [catalog, table],
    ).fetchall()


def _compared(column: str, data_type: str) -> str:
    if data_type not in {"DOUBLE", "FLOAT"}:
        return f'"{column}"'
    value = f'"{column}"::DOUBLE'
    return (
        f"CASE WHEN {value} IS NULL OR isnan({value}) OR isinf({value}) OR {value} = 0 THEN {value} "
        f'ELSE round({value}, (8 - floor(log10(abs({value}))))::INT) END AS "{column}"'
    )


def _rows_equal(con: duckdb.DuckDBPyConnection, table: str, month: str | None = None, value: object = None) -> bool:
    """The two copies' rows (of one month, when given), sorted, equal to a relative 1e-9 (tests/lake_helpers'
    rule)."""
    where, params = (f'WHERE "{month}" = ?', [value]) if month else ("", [])
    frames = [
        con.execute(f'SELECT * FROM {side}.marts."{table}" {where} ORDER BY ALL', params).df()
        for side in ("before", "after")
    ]
    try:
        pd.testing.assert_frame_equal(frames[0], frames[1], rtol=1e-9)
    except AssertionError:
        return False
    return True


def changes(before: str, after: str) -> list[str]:
    con = duckdb.connect()
    con.execute(f"ATTACH '{before}' AS before (READ_ONLY)")
    con.execute(f"ATTACH '{after}' AS after (READ_ONLY)")
    tables = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'after' AND table_schema = 'marts' "
        "ORDER BY 1"
    ).fetchall()
    lines, unchanged = [], 0
    for (table,) in tables:
        columns = _columns(con, "after", table)
        if _columns(con, "before", table) != columns:
            lines.append(f"{table}: new, or its columns changed")
            continue
        selected = ", ".join(_compared(c, t) for c, t in columns)
        diff = (
            f'(SELECT {selected} FROM after.marts."{table}" EXCEPT ALL SELECT {selected} FROM before.marts."{table}") '
            f'UNION ALL (SELECT {selected} FROM before.marts."{table}" EXCEPT ALL '
            f'SELECT {selected} FROM after.marts."{table}")'
        )
        differing = con.execute(f"SELECT count(*) FROM ({diff})").fetchone()[0]
        month = next((c for c, _ in columns if c in MONTH_COLUMNS), None)
        months: list[str] = []
        if month and differing:
            candidates = con.execute(f'SELECT DISTINCT "{month}" FROM ({diff}) ORDER BY 1').fetchall()
            months = [str(m)[:10] for (m,) in candidates if not _rows_equal(con, table, month, m)]
        if not differing or (months == [] if month else _rows_equal(con, table)):
            unchanged += 1
            continue
        rows = con.execute(f'SELECT count(*) FROM after.marts."{table}"').fetchone()[0]
        line = f"{table}: {differing} rows differ to nine digits (old and new counted) of {rows}"
        if month:
            line += f"; {len(months)} {month}(s): {', '.join(months[:4])}{' ...' if len(months) > 4 else ''}"
        lines.append(line)
    lines.append(f"unchanged: {unchanged} of {len(tables)} tables")
    return lines


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    print("\n".join(changes(argv[0], argv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
