"""`dbt` for the spark engine: dbt's own command line, with one thing dbt-spark lacks added first.

dbt-spark runs Python models only on Databricks clusters (dbt-labs/dbt-spark#415); with its `session` method, where
Spark runs inside dbt's process, a Python model fails with "Submission method all_purpose_cluster is not supported".
This registers a `session` submission method that runs the compiled model in that same Spark session (`spark` is the
session dbt's SQL uses, so a model reads `dbt.ref()` as Spark DataFrames and its result is written by dbt-spark's own
materialization code), and makes it the default when the profile's method is `session`. Nothing else changes: every
argument goes to dbt as given (docs/spark.md, docs/decisions.md).

Run as `python -m dagster_project.spark.dbt_main <dbt arguments>`; the pipeline does when EMPATHY_LAKE_ENGINE=spark.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any


def _session_python_job_helper():
    from dbt.adapters.base import PythonJobHelper

    class SessionPythonJobHelper(PythonJobHelper):
        def __init__(self, parsed_model: dict, credentials: Any) -> None:
            self.parsed_model = parsed_model

        def submit(self, compiled_code: str) -> None:
            from pyspark.sql import SparkSession

            spark = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
            path = self.parsed_model.get("original_file_path", self.parsed_model.get("name", "model"))
            exec(compile(compiled_code, path, "exec"), {"__name__": "__dbt_python_model__", "spark": spark})

    return SessionPythonJobHelper


def install_session_python_models() -> None:
    """Teach dbt-spark's adapter the `session` submission method for Python models."""
    from dbt.adapters.spark.impl import SparkAdapter

    helper = _session_python_job_helper()
    helpers = SparkAdapter.python_submission_helpers.fget
    default = SparkAdapter.default_python_submission_method.fget

    def python_submission_helpers(self):
        return {**helpers(self), "session": helper}

    def default_python_submission_method(self):
        method = getattr(self.connections.profile.credentials, "method", None)
        return "session" if str(method) in {"session", "SparkConnectionMethod.SESSION"} else default(self)

    SparkAdapter.python_submission_helpers = property(python_submission_helpers)
    SparkAdapter.default_python_submission_method = property(default_python_submission_method)


def main() -> None:
    if importlib.util.find_spec("dbt.adapters.spark") is not None:
        from dagster_project.spark.session import use_this_python

        install_session_python_models()
        use_this_python()  # the grouped estimation's applyInArrow runs in Python workers
    from dbt.cli.main import cli

    sys.exit(cli())  # dbt's own entry point and exit codes


if __name__ == "__main__":
    main()
