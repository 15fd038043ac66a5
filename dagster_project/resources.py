"""Resources: the lake's folders and DuckDB connections, and the dbt CLI."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from importlib import metadata

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from dagster_project.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, Settings, get_settings

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Under `dagster dev` this re-parses the project so edits show up; elsewhere the manifest is prepared
# once by the CLI or the test session (parsing at import races in parallel runs, dagster #33993).
dbt_project.prepare_if_dev()


class LakeResource(dg.ConfigurableResource):
    """The lake's folders (from the environment, see settings.py) and connections to the build warehouse.

    Connections are opened per use and closed at once: DuckDB allows one read-write process per file,
    and dbt runs as a separate process that needs the file between our steps.
    """

    def settings(self) -> Settings:
        return get_settings()

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        settings = self.settings()
        settings.build_db.parent.mkdir(parents=True, exist_ok=True)
        con = settings.connect(settings.build_db)
        try:
            yield con
        finally:
            con.close()


class LakeDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource without two start-up costs it pays before every `dbt build` and that
    this project never uses (docs/decisions.md D75): it runs `dbt --version` in a subprocess to learn the
    version of the installed dbt-core (a whole dbt start-up), and builds an in-process dbt adapter, which it
    needs only to fetch row counts or column metadata (`.fetch_row_counts()`, never called here)."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args) -> None:
        return None


def build_resources() -> dict[str, dg.ConfigurableResource]:
    return {
        "lake": LakeResource(),
        "dbt": LakeDbtCliResource(
            project_dir=dbt_project, profiles_dir=str(DBT_PROJECT_DIR), dbt_executable=DBT_EXECUTABLE
        ),
    }
