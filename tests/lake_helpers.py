"""Helpers to point the pipeline at a throw-away lake and run it for real."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.settings import DBT_PROJECT_DIR, Settings, get_settings

TEST_PII_KEY = "test-key-not-secret"
RUN_CONSOLE = "run_console.txt"  # the session lake's run: what it printed (tests/conftest.py built_lake)


@contextmanager
def lake_env(home: Path) -> Iterator[Settings]:
    """Run the block with every lake path under `home`; the environment is restored afterwards."""
    saved = dict(os.environ)
    for var in ("EMPATHY_LAKE_LANDING", "EMPATHY_LAKE_BUILD_DB", "EMPATHY_LAKE_SERVING_DB", "EMPATHY_LAKE_AUTH_CONFIG"):
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


def shared_root(tmp_path_factory) -> Path:
    """The folder shared by this test run's pytest-xdist workers (the parent of their own temporary folders),
    or the session's own temporary folder without xdist."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def shared_lake(root: Path, name: str, build: Callable[[Settings], bool]) -> BuiltLake:
    """A session lake built once per test run in `root` (shared_root): `build(settings)` fills the lake `name`
    and returns whether its run succeeded. The first process to need it builds it under a lock while the others
    wait, then every process reads it (tests that damage it clone it first). A build that raised leaves no
    record, so the next process to ask builds it again from an empty folder."""
    from dagster_project.cli import exclusive_lock

    home, built = root / name, root / f"{name}.built.json"
    with exclusive_lock(root / f"{name}.lock"):
        if not built.exists():
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir(parents=True)
            with lake_env(home) as settings:
                success = build(settings)
            built.write_text(json.dumps({"success": success}))
    with lake_env(home) as settings:
        return BuiltLake(home=home, settings=settings, success=json.loads(built.read_text())["success"])


@contextmanager
def console_transcript(path: Path) -> Iterator[None]:
    """Write what the block prints (stdout and stderr, as a console would show them) to `path` as well."""
    buffer = io.StringIO()
    try:
        with redirect_stdout(buffer), redirect_stderr(buffer):
            yield
    finally:
        path.write_text(buffer.getvalue(), encoding="utf-8")
        sys.stdout.write(buffer.getvalue())


def clone_lake(source: BuiltLake, target: Path) -> Path:
    """Copy a built lake (landing + warehouses) so a test can damage it without touching the shared one."""
    shutil.copytree(source.home, target, dirs_exist_ok=True)
    return target


def publication_run_id(serving_db: Path) -> str:
    """The run that published this serving copy."""
    with duckdb.connect(str(serving_db), read_only=True) as con:
        return con.execute("SELECT run_id FROM meta.publication").fetchone()[0]


def run_lake(home: Path, stage: str | None = None) -> bool:
    """Run the pipeline on the lake at `home` in this process: every asset, or one stage of `empathy-lake run
    --stage` ("load": loaders, their checks and text scoring, for tests about loading only)."""
    from dagster_project.cli import run_pipeline

    with lake_env(home):
        return run_pipeline(stage=stage)


def marts_snapshot(db_path: Path) -> dict[str, pd.DataFrame]:
    """Every table of schema `marts`, rows sorted by every column, for comparing two warehouses."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1"
            ).fetchall()
        ]
        return {t: con.execute(f'SELECT * FROM marts."{t}" ORDER BY ALL').df() for t in tables}


def assert_same_marts(actual: Path, expected: Path) -> int:
    """Every mart of `actual` equals the one in `expected`, column types included (floats to 1e-9 relative: DuckDB
    may sum in another order). Returns how many tables were compared."""
    got, want = marts_snapshot(actual), marts_snapshot(expected)
    assert sorted(got) == sorted(want), "the two warehouses publish different marts"
    for table, frame in want.items():
        pd.testing.assert_frame_equal(
            got[table].reset_index(drop=True),
            frame.reset_index(drop=True),
            rtol=1e-9,
            obj=f"marts.{table}",
        )
    return len(want)


# argv: the dbt project, the answers file, then one JSON list of dbt arguments per invocation. Every invocation
# gets the manifest the test run parsed (the `dbt_manifest` fixture) through dbtRunner(manifest=...), so dbt
# parses nothing (a fresh warehouse path or target path would otherwise make it parse the whole project), and a
# copy of it in its --target-path, as a parse would leave there. Exit status: the worst of the invocations'
# (0 success, 1 failures, 2 an error), as the `dbt` command's.
DBT_ON_PARSED_MANIFEST = """
import json, shutil, sys
from pathlib import Path
from dbt.artifacts.schemas.manifest import WritableManifest
from dbt.cli.main import dbtRunner
from dbt.contracts.graph.manifest import Manifest
from dbt.contracts.graph.nodes import GenericTestNode

project, out = Path(sys.argv[1]), Path(sys.argv[2])
parsed = project / "target" / "manifest.json"
manifest = Manifest.from_writable_manifest(WritableManifest.read_and_check_versions(str(parsed)))
# dbt reads every data test of manifest.json back as a singular test, which loses the generic test's arguments
# (compiling it then fails: '_dbt_generic_test_kwargs' is undefined); rebuild those from their JSON.
for unique_id, node in json.loads(parsed.read_text())["nodes"].items():
    if node["resource_type"] == "test" and node.get("test_metadata"):
        manifest.nodes[unique_id] = GenericTestNode.from_dict(node)
answers, worst = [], 0
for argv in map(json.loads, sys.argv[3:]):
    if "--target-path" in argv:
        target = Path(argv[argv.index("--target-path") + 1])
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(parsed, target / "manifest.json")
    result = dbtRunner(manifest=manifest).invoke([*argv, "--project-dir", str(project), "--profiles-dir", str(project)])
    statuses = {}
    for node in result.result.results if result.result is not None and hasattr(result.result, "results") else []:
        if getattr(node.node, "resource_type", None) == "operation":
            continue  # the project's on-run-start hook (macros/spark_sources.sql), not a node the invocation ran
        statuses[str(node.status)] = statuses.get(str(node.status), 0) + 1
    answers.append({"success": result.success, "error": repr(result.exception), "statuses": statuses})
    worst = max(worst, 0 if result.success else 2 if result.exception is not None else 1)
out.write_text(json.dumps(answers))
sys.exit(worst)
"""


def dbt_on_parsed_manifest(build_db: Path, *invocations: list[str]) -> tuple[subprocess.CompletedProcess, list[dict]]:
    """Run dbt `invocations` (each a list of arguments, the project flags added) one after the other in one
    process on the warehouse `build_db`, without parsing the project (DBT_ON_PARSED_MANIFEST; needs the
    `dbt_manifest` fixture). Returns the process (its exit status is the worst invocation's, its output dbt's)
    and, per invocation, whether it succeeded, its error and its results counted by status."""
    out = build_db.with_name(f"{build_db.stem}.dbt_answers.json")
    done = subprocess.run(
        [sys.executable, "-c", DBT_ON_PARSED_MANIFEST, str(DBT_PROJECT_DIR), str(out), *map(json.dumps, invocations)],
        env={**os.environ, "EMPATHY_LAKE_BUILD_DB": str(build_db)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode in (0, 1, 2) and out.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    return done, json.loads(out.read_text())


@contextmanager
def local_spark(home: Path):
    """A Spark session configured as the pipeline's (profiles.yml, dagster_project/spark/session.py) for a lake at
    `home`; stopped afterwards, so another module of the same worker can start one of another configuration."""
    from dagster_project.spark.session import forget_sessions, spark_session

    with lake_env(home) as settings:
        session = spark_session(settings)
        try:
            yield session
        finally:
            session.stop()
            forget_sessions()
