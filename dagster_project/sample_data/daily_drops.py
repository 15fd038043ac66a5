"""Replay the sample business day by day, the way a nightly extract arrives.

`hold_back` takes a generated landing folder and moves every record that arrived in its last N days
(by the entity's arrival column in the contract, e.g. a ticket's `opened_at`) out of the landing files
into `incoming/<day>/<entity>/<entity>_<day>.csv`. `deliver_next_day` then moves the oldest held-back day
into the landing folder, as a nightly export job would; the sensor sees new files and the next run loads
only them.

Running every held-back day one after another ends with the same records as the original landing folder,
which is what the incremental-equals-full-rebuild test relies on.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from dagster_project.contract import Entity, load_contract
from dagster_project.loading.reader import is_landing_file

CSV_OPTIONS = "header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"'"


@dataclass(frozen=True)
class Delivery:
    day: str
    files: list[Path]


def _entity_files(landing: Path, entity: Entity) -> list[Path]:
    folder = landing / entity.name
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.csv") if is_landing_file(p))


def _last_day(con: duckdb.DuckDBPyConnection, landing: Path) -> date | None:
    days = []
    for entity in load_contract().entities.values():
        column = entity.arrival_column
        files = _entity_files(landing, entity)
        if column and files:
            days.append(
                con.execute(
                    f'SELECT max(try_cast(left("{column}", 10) AS DATE)) FROM read_csv(?, {CSV_OPTIONS})',
                    [[str(p) for p in files]],
                ).fetchone()[0]
            )
    days = [d for d in days if d is not None]
    return max(days) if days else None


def hold_back(landing: Path, incoming: Path, days: int) -> list[str]:
    """Move the records of the last `days` days out of `landing` into `incoming`; returns the held-back days."""
    con = duckdb.connect()
    last = _last_day(con, landing)
    if last is None or days <= 0:
        return []
    cutoff = con.execute("SELECT ?::DATE - (? - 1)::INTEGER", [last, days]).fetchone()[0]
    held: set[str] = set()
    for entity in load_contract().entities.values():
        column = entity.arrival_column
        if column is None:
            continue
        day_of = f'try_cast(left("{column}", 10) AS DATE)'
        for path in _entity_files(landing, entity):
            con.execute(f"CREATE OR REPLACE TEMP TABLE _file AS SELECT * FROM read_csv(?, {CSV_OPTIONS})", [str(path)])
            late = [
                str(d)
                for (d,) in con.execute(
                    f"SELECT DISTINCT {day_of} FROM _file WHERE {day_of} >= ? ORDER BY 1", [cutoff]
                ).fetchall()
            ]
            if not late:
                continue
            for day in late:
                target = incoming / day / entity.name / f"{entity.name}_{day}.csv"
                target.parent.mkdir(parents=True, exist_ok=True)
                # One source file per entity and day in the generated layout; append-safe names otherwise.
                if target.exists():
                    target = target.with_name(f"{entity.name}_{day}_{path.stem}.csv")
                con.execute(f"COPY (SELECT * FROM _file WHERE {day_of} = ?::DATE) TO '{target}' (HEADER)", [day])
                held.add(day)
            kept = con.execute(f"SELECT count(*) FROM _file WHERE coalesce({day_of} < ?, true)", [cutoff]).fetchone()[0]
            if kept:
                rewritten = path.with_name(f".{path.name}.tmp")
                con.execute(
                    f"COPY (SELECT * FROM _file WHERE coalesce({day_of} < ?, true)) TO '{rewritten}' (HEADER)", [cutoff]
                )
                os.replace(rewritten, path)
            else:
                path.unlink()  # every record of this file arrives later
    con.close()
    return sorted(held)


def pending_days(incoming: Path) -> list[str]:
    return sorted(p.name for p in incoming.iterdir() if p.is_dir()) if incoming.is_dir() else []


def deliver_next_day(incoming: Path, landing: Path) -> Delivery | None:
    """Move the oldest held-back day's files into the landing folder (each file appears whole, by rename)."""
    days = pending_days(incoming)
    if not days:
        return None
    day_dir = incoming / days[0]
    delivered = []
    for source in sorted(day_dir.rglob("*.csv")):
        target = landing / source.relative_to(day_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Copy under a hidden name (loaders and the sensor ignore it), then rename: never a half file.
        partial = target.with_name(f".{target.name}.part")
        shutil.copyfile(source, partial)
        os.replace(partial, target)
        source.unlink()
        delivered.append(target)
    shutil.rmtree(day_dir)
    return Delivery(day=days[0], files=delivered)
