"""Helpers to point the pipeline at a throw-away lake and run it for real."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project.settings import Settings, get_settings

TEST_PII_KEY = "test-key-not-secret"


@contextmanager
def lake_env(home: Path) -> Iterator[Settings]:
    """Run the block with every lake path under `home`; the environment is restored afterwards."""
    saved = dict(os.environ)
    for var in ("EMPATHY_LAKE_LANDING", "EMPATHY_LAKE_BUILD_DB", "EMPATHY_LAKE_SERVING_DB"):
        os.environ.pop(var, None)
    os.environ["EMPATHY_LAKE_HOME"] = str(home)
    os.environ["EMPATHY_LAKE_PII_KEY"] = TEST_PII_KEY
    try:
        yield get_settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)


@dataclass(frozen=True)
class BuiltLake:
    home: Path
    settings: Settings
    success: bool

    def query(self, sql: str, params=None, serving: bool = False):
        path = self.settings.serving_db if serving else self.settings.build_db
        with duckdb.connect(str(path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def clone_lake(source: BuiltLake, target: Path) -> Path:
    """Copy a built lake (landing + warehouses) so a test can damage it without touching the shared one."""
    shutil.copytree(source.home, target, dirs_exist_ok=True)
    return target


def run_lake(home: Path) -> bool:
    from dagster_project.cli import run_pipeline

    with lake_env(home):
        return run_pipeline()
