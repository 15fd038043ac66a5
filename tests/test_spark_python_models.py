"""The six dbt Python models on Spark give the rows DuckDB's build gave (docs/spark.md, "Python models on Spark (s15)").

One local Spark session for the module. Each model's file runs as dbt runs it on the spark engine: `model(dbt,
session)` with `session` the Spark session and `dbt` giving `ref()` (a Spark DataFrame) and `config.get()` (the
model's config from the parsed project), as dbt's generated code does. Its upstream relations are the very rows the
session lake's DuckDB build read, handed to Spark as Parquet (as `python -m dagster_project.spark.dev --import`
does), so the Spark result must equal the table the DuckDB build made: keys exactly, floats to 1e-9
(dagster_project/spark/equality.py). A difference planted in one upstream row is seen failing that comparison."""

from __future__ import annotations

import importlib.util
import json

import duckdb
import pandas as pd
import pytest

from dagster_project.engine_frames import to_pandas
from dagster_project.settings import DBT_PROJECT_DIR
from dagster_project.spark.equality import assert_equal, differences
from dagster_project.spark.raw_export import export_tables

PYTHON_MODELS = [
    "int_employee_survey_cell_suppression",
    "int_alert_evidence",
    "int_initiative_estimates",
    "key_drivers",
    "initiative_roi",
    "service_profit_chain_summary",
]


class _Config(dict):
    """dbt.config: called by a model to set its materialization (done by dbt, nothing here); get() reads it."""

    def __call__(self, **_) -> None:
        return None


class ModelContext:
    """The `dbt` object a Python model receives: ref() by model name, config.get() from the parsed config."""

    def __init__(self, ref, config: dict) -> None:
        self.ref = ref
        self.config = _Config(config)


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    pytest.importorskip("pyspark")
    from dagster_project.spark import spark_missing

    if spark_missing():
        pytest.skip(spark_missing())
    from pyspark.sql import SparkSession

    folder = tmp_path_factory.mktemp("spark")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("empathy-lake-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.warehouse.dir", str(folder / "warehouse"))
        # The spark target's semantics (dbt_project/profiles.yml).
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.timestampType", "TIMESTAMP_NTZ")
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def models(built_lake):
    """name -> (file, config, {ref name: (schema, relation)}) of every Python model, from the parsed project."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    nodes = manifest["nodes"]
    found = {}
    for node in nodes.values():
        if node["resource_type"] == "model" and node["language"] == "python":
            refs = {
                nodes[d]["name"]: (nodes[d]["schema"], nodes[d].get("alias") or nodes[d]["name"])
                for d in node["depends_on"]["nodes"]
            }
            found[node["name"]] = (DBT_PROJECT_DIR / node["original_file_path"], node["config"], refs, node["schema"])
    assert sorted(found) == sorted(PYTHON_MODELS)
    return found


@pytest.fixture(scope="module")
def upstream(built_lake, models, spark, tmp_path_factory):
    """Every relation a Python model reads, from the DuckDB build, as a Spark DataFrame over its Parquet copy."""
    root = tmp_path_factory.mktemp("import")
    relations = sorted({r for _, _, refs, _ in models.values() for r in refs.values()})
    with duckdb.connect(str(built_lake.settings.build_db), read_only=True) as con:
        export_tables(con, root, relations)
    return {relation: spark.read.parquet(str(root / relation[0] / relation[1])) for relation in relations}


def run_on_spark(spark, models, upstream, name: str, replace: dict | None = None):
    path, config, refs, _ = models[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    frames = {ref: upstream[relation] for ref, relation in refs.items()} | (replace or {})
    return module.model(ModelContext(lambda ref: frames[ref], config), spark)


def built_table(built_lake, models, name: str) -> pd.DataFrame:
    schema = models[name][3]
    with duckdb.connect(str(built_lake.settings.build_db), read_only=True) as con:
        return to_pandas(con.table(f'"{schema}"."{name}"'))


@pytest.mark.parametrize("name", PYTHON_MODELS)
def test_python_model_on_spark_equals_duckdb(built_lake, models, upstream, spark, name):
    result = run_on_spark(spark, models, upstream, name)
    assert type(result).__module__.startswith("pyspark"), "a model hands Spark a Spark DataFrame to write"
    compared = assert_equal(built_table(built_lake, models, name), result, name)
    assert compared > 0, f"{name} has no rows to compare in the session lake"


def test_a_changed_upstream_row_is_seen(built_lake, models, upstream, spark):
    """One more dissatisfied CSAT answer in a location-month that DuckDB's evidence tested, on the Spark side only."""
    from pyspark.sql import functions as F

    built = built_table(built_lake, models, "int_alert_evidence")
    tested = built[built["rule_id"] == "csat_below_location"].iloc[0]
    csat = upstream[models["int_alert_evidence"][2]["customer_csat_monthly"]]
    hit = (F.col("location") == tested["scope_value"]) & (F.to_date("month") == tested["period"].date())
    changed = csat.withColumn("responses", F.when(hit, F.col("responses") + 1).otherwise(F.col("responses")))
    result = run_on_spark(spark, models, upstream, "int_alert_evidence", {"customer_csat_monthly": changed})
    found = differences(built, result)
    assert found and any("kpi_value" in f for f in found), found


def test_differences_in_words():
    """Keys exactly, floats to 1e-9, NULL only equal to NULL, lists element by element, row order ignored."""
    left = pd.DataFrame({"k": ["a", "b"], "x": [1.0, 2.0], "l": [["p", "q"], None]})
    assert differences(left, left.iloc[::-1]) == []
    assert differences(left, left.assign(x=[1.0 + 1e-12, 2.0])) == []
    (found,) = differences(left, left.assign(x=[1.0 + 1e-6, 2.0]))
    assert found.endswith("x: duckdb 1.0, spark 1.000001"), found
    assert differences(left, left.assign(x=[None, 2.0]))
    assert differences(left, left.assign(k=["a", "c"]))
    assert differences(left, left.assign(l=[["p"], None]))
    assert differences(left, left.iloc[:1]) == ["2 rows in duckdb, 1 in spark"]
