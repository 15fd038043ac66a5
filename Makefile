# Two commands on a fresh machine:  `make demo` (install, build the demo lake, serve the dashboard)
# and `make test` (install, lint, run every test). Everything else is a step of those two.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PORT ?= 8501
SCALE ?= 1
# The optional spark packages (pyspark, dbt-spark, ~0.5 GB) are installed for `make test` (the engines' equality
# test) and for anything run with EMPATHY_LAKE_ENGINE=spark (docs/spark.md); Java comes from Debian with them.
SPARK := $(filter spark,$(EMPATHY_LAKE_ENGINE))
SYNC_EXTRAS = $(if $(SPARK),--extra spark)

.PHONY: help setup demo run serve generate samples test lint browser java bench dagster clean

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup: $(if $(SPARK),java) ## install uv (if missing) and the locked dependencies (with the spark extra when the engine is spark)
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@# Bytecode compiled once at install: where PYTHONDONTWRITEBYTECODE is set, every process (each dbt
	@# invocation, each pipeline run) otherwise compiles dbt, dagster and pyfixest from source (D121, D125).
	$(UV) sync --frozen --compile-bytecode $(SYNC_EXTRAS)

demo: setup ## build the demo lake from generated data and start the dashboard
	$(UV) run empathy-lake demo --port $(PORT)

generate: setup ## (re)generate the fictional business into lake/landing
	$(UV) run empathy-lake generate --clean --scale $(SCALE)

samples: setup ## copy the four real public datasets and their mappings into lake/landing
	$(UV) run empathy-lake samples

run: setup ## load -> dbt build -> checks -> publish
	$(UV) run empathy-lake run

serve: setup ## dashboard on the last published copy
	$(UV) run empathy-lake serve --port $(PORT)

# The lake's Dagster instance (DAGSTER_HOME, default <lake>/dagster): CLI, scheduled and sensor runs share it.
dagster: setup ## the Dagster UI: asset graph, run history, the daily schedule and the landing sensor
	DAGSTER_HOME="$$($(UV) run empathy-lake dagster-home)" && export DAGSTER_HOME && \
	  echo "DAGSTER_HOME=$$DAGSTER_HOME" && $(UV) run dagster dev -m dagster_project.definitions

browser: ## Debian's Chromium for the headless-browser test (Playwright cannot download one here)
	@test -x /usr/bin/chromium || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

java: ## Debian's Java runtime for Spark (pyspark starts a JVM), when no java is on PATH
	@command -v java >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless >/dev/null; }

lint: setup ## ruff lint and format check
	$(UV) run ruff check .
	$(UV) run ruff format --check .

# Two pytest-xdist workers (a third was slower, D766), one work unit each at a time (a test module, or a test that
# runs the pipeline on its own copy), heaviest first (tests/conftest.py, docs/performance.md); `make test
# PYTEST_ARGS=` runs the tests in one process.
PYTEST_ARGS ?= -n 2 --dist loadscope
test: SYNC_EXTRAS = --extra spark
test: setup java browser lint ## every test (builds one sample warehouse per session; installs the spark extra and Java)
	$(UV) run pytest $(PYTEST_ARGS)

# The product against the hand-written DuckDB script and the pandas version on the same generated landing files,
# interleaved rounds (bench/speed.py, docs/performance.md): `make bench SCALES="1 50" ROUNDS=2`. Scale 500 (10M
# tickets) needs ~8 GB free and tens of minutes. Per-stage processes instead: `uv run python -m bench.pipeline`.
SCALES ?= 1 50 500
ROUNDS ?= 2
bench: setup ## product vs hand-written DuckDB and pandas baselines at SCALES (default 1 50 500): times, memory, ratios, targets
	$(UV) run python -m bench.speed --scales $(SCALES) --rounds $(ROUNDS)

clean: ## remove the local lake and dbt artefacts
	rm -rf lake dbt_project/target dbt_project/logs logs
