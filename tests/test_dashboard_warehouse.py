"""How the dashboard finds and reads the serving copy: real DuckDB files, a real second process."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from streamlit_app import warehouse
from tests.serving_fixture import PUBLICATION_DDL, sample_marts, write_serving_db

REPO_ROOT = Path(__file__).resolve().parent.parent
NPS_TABLE = "marts.customer_nps_monthly"


def one_row_copy(path: Path, responses: int) -> Path:
    frame = sample_marts()[NPS_TABLE].head(1).assign(responses=responses)
    return write_serving_db(path, {NPS_TABLE: frame})


def served_responses() -> int:
    return int(warehouse.query(f"SELECT sum(responses) AS n FROM {NPS_TABLE}")["n"].iloc[0])


@pytest.mark.parametrize(
    "env",
    [{}, {"EMPATHY_LAKE_HOME": "home"}, {"EMPATHY_LAKE_HOME": "home", "EMPATHY_LAKE_SERVING_DB": "x.duckdb"}],
)
def test_path_defaults_match_the_pipeline_settings(env, tmp_path, monkeypatch):
    from dagster_project.settings import get_settings  # a test may import the pipeline; the app may not

    monkeypatch.chdir(tmp_path)
    for name in ("EMPATHY_LAKE_HOME", "EMPATHY_LAKE_SERVING_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EMPATHY_LAKE_PII_KEY", "test-key-not-secret")
    for name, relative in env.items():
        monkeypatch.setenv(name, str(tmp_path / relative))

    assert warehouse.serving_db_path() == get_settings().serving_db
    if not env:
        assert warehouse.serving_db_path() == (tmp_path / "lake/warehouse/serving/empathy_lake.duckdb").resolve()


def test_missing_file_is_not_published(tmp_path, monkeypatch):
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(tmp_path / "absent.duckdb"))
    assert not warehouse.is_published()
    with pytest.raises(warehouse.NotPublishedError):
        warehouse.query("SELECT 1")


def test_file_without_publication_row_is_not_published(tmp_path, monkeypatch):
    unfinished = write_serving_db(tmp_path / "unfinished.duckdb", {}, published=False)
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(unfinished))
    assert not warehouse.is_published()

    empty = write_serving_db(tmp_path / "empty.duckdb", {}, published=False)
    with duckdb.connect(str(empty)) as con:
        con.execute(f"CREATE TABLE meta.publication ({PUBLICATION_DDL})")
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(empty))
    assert not warehouse.is_published(), "an empty meta.publication is an unfinished publish"

    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(write_serving_db(tmp_path / "done.duckdb", {})))
    assert warehouse.is_published()


def test_a_swapped_in_copy_is_read_at_once(tmp_path, monkeypatch):
    """DuckDB caches database instances by path in a process: reconnecting by path while the old handle is
    alive would keep serving the replaced copy. The reader must follow the rename."""
    path = tmp_path / "serving.duckdb"
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(path))
    one_row_copy(path, responses=11)
    assert served_responses() == 11
    held = warehouse._handle  # the open handle on the first copy stays alive while the copy is swapped
    one_row_copy(path, responses=22)
    assert served_responses() == 22
    assert held is not None and held.connection.execute(f"SELECT responses FROM serving.{NPS_TABLE}").fetchone() == (
        11,
    ), "a query already on the old copy keeps reading it"


def test_a_held_reader_never_blocks_the_publisher_in_another_process(tmp_path, monkeypatch):
    path = tmp_path / "serving.duckdb"
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(path))
    one_row_copy(path, responses=5)
    assert served_responses() == 5  # the dashboard now holds the file open
    publisher = (
        "import sys; from pathlib import Path; from tests.test_dashboard_warehouse import one_row_copy; "
        "one_row_copy(Path(sys.argv[1]), responses=6)"
    )
    done = subprocess.run(
        [sys.executable, "-c", publisher, str(path)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert served_responses() == 6


def test_queries_cannot_write(tmp_path, monkeypatch):
    path = one_row_copy(tmp_path / "serving.duckdb", responses=1)
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(path))
    with pytest.raises(duckdb.Error, match="read-only"):
        warehouse.query(f"DELETE FROM {NPS_TABLE}")
    assert isinstance(warehouse.query("SELECT 1 AS one"), pd.DataFrame)


def test_the_dashboard_never_imports_the_pipeline():
    """The dashboard deploys on its own: no module of streamlit_app may import dagster_project."""
    offenders = []
    for source in (REPO_ROOT / "streamlit_app").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{source.name}: {n}" for n in names if n.split(".")[0] == "dagster_project"]
    assert not offenders
    checked = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, streamlit_app.warehouse, streamlit_app.kpis, streamlit_app.marts, streamlit_app.quality,"
            " streamlit_app.customer_kpis, streamlit_app.customer_marts, streamlit_app.brand_kpis,"
            " streamlit_app.brand_marts, streamlit_app.charts, streamlit_app.mart_loading;"
            "sys.exit('dagster_project' in sys.modules or 'dagster' in sys.modules)",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stderr
