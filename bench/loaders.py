"""The load stage alone: every entity's landing files into a fresh build warehouse, timed per entity, and a
fingerprint of what was stored, so two versions of the loader can be compared on the same landing folder.

    EMPATHY_LAKE_HOME=$LAKE uv run python -m bench.loaders --warehouse $WAREHOUSE [--digest digest.json]
    uv run python -m bench.loaders --compare BEFORE.json AFTER.json

Per entity it prints wall and CPU seconds (this process: the loader runs in it). `--digest` writes, per raw
table, its superseded table and each meta table of the loader, the row count and an order-independent checksum
of every row with run ids and timestamps left out (they differ by design); `--compare` says EQUAL or names the
tables that differ.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
import time
from pathlib import Path

import duckdb

from dagster_project.contract import load_contract
from dagster_project.loading.ledger import superseded_table
from dagster_project.loading.loader import load_entity
from dagster_project.settings import get_settings

# Columns that differ between two loads of the same files by design (run ids, clock times).
VOLATILE = {"load_id", "_load_id", "loaded_at", "_loaded_at", "quarantined_at"}
META_TABLES = ("meta.ingestion_ledger", "meta.load_report", "meta.quarantine", "meta.load_exclusions")


def _ordered_entities() -> list:
    """Entities in an order that loads referenced entities first (as the assets' deps do)."""
    entities = list(load_contract().entities.values())
    done: list = []
    while entities:
        ready = [e for e in entities if all(r.entity in {d.name for d in done} for r in e.references)]
        done += ready
        entities = [e for e in entities if e not in ready]
    return done


def load_all(warehouse: Path) -> list[tuple[str, float, float, int]]:
    settings = get_settings()
    con = settings.connect(warehouse)
    load_id = secrets.token_hex(8)
    timings = []
    try:
        for entity in _ordered_entities():
            wall, cpu = time.perf_counter(), time.process_time()
            summary = load_entity(con, entity, settings.landing_dir, load_id, settings.pii_key, log=lambda _: None)
            timings.append((entity.name, time.perf_counter() - wall, time.process_time() - cpu, summary.rows_read))
    finally:
        con.close()
    return timings


def digest(warehouse: Path) -> dict[str, list[int | str]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    tables = [*META_TABLES]
    for entity in load_contract().entities.values():
        tables += [entity.raw_table, superseded_table(entity)]
    out: dict[str, list[int | str]] = {}
    for table in tables:
        schema, name = table.split(".")
        columns = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
                "ORDER BY ordinal_position",
                [schema, name],
            ).fetchall()
            if r[0] not in VOLATILE
        ]
        if not columns:
            continue
        kept = ", ".join(f'"{c}"' for c in columns)
        count, checksum = con.execute(f"SELECT count(*), sum(hash(({kept}))::HUGEINT) FROM {table}").fetchone()
        out[table] = [int(count), str(checksum)]
    con.close()
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path)
    parser.add_argument("--digest", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path)
    args = parser.parse_args(argv)
    if args.compare:
        before, after = (json.loads(p.read_text()) for p in args.compare)
        differ = sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
        for table in differ:
            print(f"DIFFERENT {table}: {before.get(table)} vs {after.get(table)}")
        print(f"{len(before)} tables compared: " + ("EQUAL" if not differ else f"{len(differ)} differ"))
        return 1 if differ else 0
    wall, cpu = time.perf_counter(), time.process_time()
    timings = load_all(args.warehouse)
    for name, seconds, cpu_seconds, rows in timings:
        print(f"{name:24} {rows:>9,} rows  wall {seconds:7.2f} s  cpu {cpu_seconds:7.2f} s")
    print(
        f"{'all entities':24} {sum(t[3] for t in timings):>9,} rows  wall {time.perf_counter() - wall:7.2f} s  "
        f"cpu {time.process_time() - cpu:7.2f} s"
    )
    if args.digest:
        args.digest.write_text(json.dumps(digest(args.warehouse), indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
