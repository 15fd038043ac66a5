"""`empathy-lake`: headless use without the Dagster UI.

The commands, each with a one-line summary, a description, an example and the environment variables that change
what it does, are listed in COMMANDS below and shown by `empathy-lake --help` and `empathy-lake COMMAND --help`
(the variables' descriptions: dagster_project/settings.py). What a run prints: dagster_project/run_output.py.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from dagster_project.digest import command as digest
from dagster_project.loading import mapping_command
from dagster_project.settings import (
    DBT_PROCESS_ENV,
    DEMO_KEY_NOTICE,
    REPO_ROOT,
    documented_variables,
    export_env,
    get_settings,
)


def _manifest_is_current(project_dir: Path) -> bool:
    """True when target/manifest.json is newer than every file dbt parses, so parsing again would change
    nothing (a run then starts seconds sooner)."""
    manifest = project_dir / "target" / "manifest.json"
    if not manifest.exists():
        return False
    inputs = [project_dir / "dbt_project.yml", project_dir / "profiles.yml"]
    for folder in ("models", "macros", "seeds", "tests"):
        inputs.extend(p for p in (project_dir / folder).rglob("*") if p.is_file())
    built = manifest.stat().st_mtime
    return all(p.stat().st_mtime < built for p in inputs if p.exists())


def prepare_dbt_manifest(force: bool = False) -> None:
    """Parse the dbt project so dagster-dbt can build its assets (never at import: dagster #33993); skipped
    when the manifest is newer than every project file."""
    from dagster_project.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR

    # One parse at a time (parallel test workers, a CLI run beside `dagster dev`): a second process waits,
    # then finds the manifest current instead of rewriting it under the first one's feet.
    with exclusive_lock(DBT_PROJECT_DIR / "target" / ".parse.lock"):
        if force or not _manifest_is_current(DBT_PROJECT_DIR):
            _dbt_parse(DBT_EXECUTABLE, DBT_PROJECT_DIR)


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if missing) across processes for the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _dbt_parse(dbt_executable: str, project_dir: Path) -> None:
    # Always the duckdb target: target/manifest.json is the one parse Dagster's assets, the tests and the spark
    # engine's exports read (the same nodes on both engines), so it must not depend on the engine of whichever run
    # parsed last. A spark build parses for its own target in its own target folder.
    env = {**os.environ, **export_env(get_settings()), **DBT_PROCESS_ENV, "EMPATHY_LAKE_ENGINE": "duckdb"}
    subprocess.run(
        [
            dbt_executable,
            "parse",
            "--quiet",
            # A stale partial parse can keep edited YAML (unit tests, vars) out of the manifest.
            "--no-partial-parse",
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
        ],
        check=True,
        env=env,
    )


STAGES = ("load", "transform", "publish")


def _stage_selection(stage: str | None):
    """Asset keys of one stage (None: everything). Checks run with the assets they check."""
    if stage is None:
        return None
    import dagster as dg

    from dagster_project.assets.dbt import dbt_models
    from dagster_project.assets.raw import raw_assets
    from dagster_project.assets.text import text_scores

    return {
        # Text scoring reads the raw tables and feeds dbt: it belongs with loading.
        "load": [*(a.key for a in raw_assets), text_scores.key],
        "transform": list(dbt_models.keys),  # seeds, staging, intermediate and marts: one `dbt build`
        # The alert log reads the marts and is published with them.
        "publish": [dg.AssetKey(["alerts", "alert_log"]), dg.AssetKey(["serving", "warehouse"])],
    }[stage]


def step_durations(instance, run_id: str) -> dict[str, float]:
    """Seconds per Dagster step (asset or check), from the run's step statistics in the instance."""
    return {
        stats.step_key: stats.end_time - stats.start_time
        for stats in instance.get_run_step_stats(run_id)
        if stats.start_time is not None and stats.end_time is not None
    }


def run_pipeline(
    full_refresh: bool = False, stage: str | None = None, step_times: Path | None = None, verbose: bool = False
) -> bool:
    """Materialise every asset (or one stage) in this process; True when the run succeeded. Prints one line per
    stage and the summary; the detail goes to a log file in the lake unless `verbose` (run_output.py)."""
    from dagster_project.run_inputs import current_inputs, forget_publication, record_publication

    settings = get_settings()
    inputs = current_inputs(settings) if stage is None else None  # as they are now, before the run reads them
    forget_publication(settings)
    if full_refresh and settings.build_db.exists():
        # The ledger lives in the build warehouse, so this reloads every landing file from scratch.
        settings.build_db.unlink()
        settings.build_db.with_name(settings.build_db.name + ".wal").unlink(missing_ok=True)
    os.environ.update(export_env(settings))
    prepare_dbt_manifest()

    import dagster as dg

    from dagster_project.definitions import defs
    from dagster_project.run_history import cli_run_tags, fail_dead_cli_runs, open_instance
    from dagster_project.run_output import RunProgress, console_to_log, new_log_path, progress_logger, stage_totals

    # The lake's persistent instance (DAGSTER_HOME or <lake>/dagster): CLI runs join the run history.
    instance = open_instance(settings)
    fail_dead_cli_runs(instance)  # an earlier run killed mid-way would stay STARTED for good
    job = defs.resolve_job_def("empathy_lake")
    log_path = None if verbose else new_log_path(settings.logs_dir)
    if log_path:
        print(f"detail of this run (Dagster, dbt): {log_path}")
    started = time.perf_counter()
    with console_to_log(log_path) as console:
        progress = RunProgress(console, stage_totals(job) if stage is None else None)
        try:
            result = job.with_logger_defs(
                {"console": dg.colored_console_logger, "progress": progress_logger(progress)}
            ).execute_in_process(
                run_config={"loggers": {"console": {"config": {"log_level": "DEBUG"}}, "progress": {}}},
                instance=instance,
                raise_on_error=False,
                asset_selection=_stage_selection(stage),
                tags=cli_run_tags(stage),
            )
        finally:
            if settings.uses_demo_key and progress.states["load"].counts.get("files_loaded"):
                progress.note(DEMO_KEY_NOTICE)
            progress.close()
            if settings.engine == "spark":  # the run's own Spark session ends with the run
                from dagster_project.spark.session import stop_sessions

                stop_sessions()
    print_run_summary(result, time.perf_counter() - started)
    if step_times:
        step_times.write_text(json.dumps(step_durations(instance, result.run_id), indent=1))
    if result.success and inputs is not None:
        record_publication(settings, inputs, result.run_id)
    return result.success


def skip_unchanged_run(settings) -> bool:
    """When nothing a run reads changed since the run that published the serving copy, say so, report source
    freshness (a stale source is reported whether or not a run happens) and return True: the published copy
    is what a run would publish again. Imports neither Dagster nor dbt."""
    from dagster_project.run_inputs import compare_with_publication

    comparison = compare_with_publication(settings)
    if not comparison.unchanged:
        print(f"changed since the last publication: {', '.join(comparison.changed)}; running the pipeline")
        return False
    print(
        f"nothing changed since run {comparison.run_id} published the serving copy (landing files, code, "
        "settings): it keeps serving; no run started (`empathy-lake run --force` runs anyway)"
    )
    for line in stale_sources(settings):
        print(f"  warning: {line}")
    return True


def stale_sources(settings) -> list[str]:
    """The freshness check's verdict on every entity that fails it, in words."""
    from dagster_project.contract import load_contract
    from dagster_project.freshness import evaluate_freshness

    def files_loaded_earlier(entity_name: str) -> int:
        import duckdb

        with duckdb.connect(str(settings.build_db), read_only=True) as con:
            return con.execute("SELECT count(*) FROM meta.ingestion_ledger WHERE entity = ?", [entity_name]).fetchone()[
                0
            ]

    results = (
        evaluate_freshness(settings.landing_dir, entity, lambda e=entity.name: files_loaded_earlier(e))
        for entity in load_contract().entities.values()
    )
    return [r.description for r in results if not r.passed]


def print_run_summary(result, seconds: float) -> None:
    """The run's outcome, the sources that quarantined rows, its checks in the words the Data quality page uses
    (streamlit_app/check_counts.py), and what failed."""
    import dagster as dg

    from dagster_project.run_checks import check_events, check_record
    from dagster_project.source_status import not_loaded_line
    from streamlit_app.check_counts import describe, tally

    print(f"run {result.run_id}: {'SUCCESS' if result.success else 'FAILED'} in {seconds:.1f} s")
    # Rows per source are on the Data quality page; here only the sources that quarantined some.
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        warnings = mat.metadata.get("warnings")
        for warning in warnings.value.splitlines() if warnings is not None else []:
            print(f"  {mat.asset_key.to_user_string()}: {warning}")
        quarantined = mat.metadata.get("rows_quarantined")
        if quarantined is not None and quarantined.value:
            print(
                f"  {mat.asset_key.to_user_string()}: {quarantined.value:,} of {mat.metadata['rows_read'].value:,} "
                "rows read quarantined"
            )
    not_loaded = [
        str(m.metadata["not_loaded"].value)
        for m in (e.event_specific_data.materialization for e in result.get_asset_materialization_events())
        if "not_loaded" in m.metadata
    ]
    if not_loaded:
        print(not_loaded_line(not_loaded))
    checks = check_events(result.all_events)
    print(f"  {describe(tally(check_record(c) for c in checks))}")
    for check in (c.event_specific_data for c in checks):
        if not check.passed:
            warning = " (warning only)" if check.severity == dg.AssetCheckSeverity.WARN else ""
            print(f"    FAILED {check.asset_key.to_user_string()}:{check.check_name}{warning}")
    for line in failed_observed_tests(result.all_events):
        print(line)
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            print(f"  step failed: {event.step_key}: {event.event_specific_data.error.message.strip()[:2000]}")
    if result.success:
        print(f"  serving copy: {get_settings().serving_db}")


def failed_observed_tests(events) -> list[str]:
    """dbt tests that ran in the build but are observations, not Dagster checks (the side-table tests of D501):
    one FAILED line for each that failed or errored, so a failure is never reported as "all passed"."""
    import dagster as dg

    lines = []
    for event in events:
        if event.event_type != dg.DagsterEventType.ASSET_OBSERVATION:
            continue
        observation = event.event_specific_data.asset_observation
        status = observation.metadata.get("status")
        if status is None or str(status.value) not in ("fail", "error"):
            continue
        unique_id = observation.metadata.get("unique_id")
        test = str(unique_id.value).split(".")[2] if unique_id else "a dbt test"
        lines.append(f"    FAILED {observation.asset_key.to_user_string()}:{test} (dbt test, {status.value})")
    return lines


def serve(port: int) -> int:
    """The dashboard, started in the repository's folder so Streamlit reads its .streamlit/config.toml (no Deploy
    button or developer menu, no usage statistics): the same settings as `streamlit run streamlit_app/app.py`."""
    env = {**os.environ, **export_env(get_settings())}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO_ROOT / "streamlit_app" / "app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
    ]
    print(f"dashboard: open http://localhost:{port}  (Ctrl-C to stop)")
    return subprocess.call(cmd, env=env, cwd=REPO_ROOT)


def demo_users(settings) -> None:
    """One dashboard user per role with random passwords, printed once, when the lake has no users yet."""
    from dagster_project.users import add_users, demo_specs, format_new_users

    if settings.auth_config.exists():
        print(f"dashboard users: {settings.auth_config} (add or reset one: `empathy-lake users add NAME --role R`)")
        return
    print(format_new_users(add_users(settings.auth_config, demo_specs(settings.serving_db)), settings.auth_config))


def add_user(settings, args) -> int:
    from dagster_project.users import add_users, format_new_users
    from streamlit_app.access import ConfigError

    spec = {"username": args.username, "role": args.role, "name": args.name}
    spec.update({k: v for k in ("location", "team") if (v := getattr(args, k))})
    try:
        created = add_users(settings.auth_config, [spec])
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(format_new_users(created, settings.auth_config))
    return 0


def _landing_is_empty(landing: Path) -> bool:
    return not landing.exists() or not any(p for p in landing.iterdir() if not p.name.startswith("."))


# Variables that change what each command does (their descriptions: dagster_project/settings.py, one list).
PATHS = ("EMPATHY_LAKE_HOME", "EMPATHY_LAKE_LANDING")
RUN_VARIABLES = (
    *PATHS,
    "EMPATHY_LAKE_BUILD_DB",
    "EMPATHY_LAKE_SERVING_DB",
    "EMPATHY_LAKE_PII_KEY",
    "EMPATHY_LAKE_MEMORY_LIMIT",
    "EMPATHY_LAKE_FRESHNESS_HOURS",
    "EMPATHY_LAKE_FRESHNESS_HOURS_<ENTITY>",
    "EMPATHY_LAKE_ALERT_URLS",
    "EMPATHY_LAKE_ALERT_SEND",
    "DAGSTER_HOME",
)
SERVE_VARIABLES = (
    "EMPATHY_LAKE_HOME",
    "EMPATHY_LAKE_SERVING_DB",
    "EMPATHY_LAKE_AUTH_CONFIG",
    "EMPATHY_LAKE_CURRENCY",
    "EMPATHY_LAKE_MIN_ANSWERS",
)
DAGSTER_VARIABLES = (
    "EMPATHY_LAKE_HOME",
    "DAGSTER_HOME",
    "EMPATHY_LAKE_SCHEDULE_CRON",
    "EMPATHY_LAKE_TIMEZONE",
    "EMPATHY_LAKE_SCHEDULE_RUNNING",
    "EMPATHY_LAKE_SENSOR_RUNNING",
    "EMPATHY_LAKE_SENSOR_INTERVAL_SECONDS",
    "EMPATHY_LAKE_CLV_CRON",
    "EMPATHY_LAKE_CLV_RUNNING",
)
HELP_WIDTH = 88
VERBOSE_HELP = "show Dagster's events and dbt's log on the console instead of the run's log file"


def variables_help(names) -> str:
    """The named environment variables with their descriptions from dagster_project/settings.py."""
    documented = documented_variables()
    if not names:
        return "Environment variables: none."
    lines = ["Environment variables:"]
    for name in names:
        lines.append(f"  {name}")
        lines.extend(textwrap.wrap(documented[name], HELP_WIDTH, initial_indent=" " * 6, subsequent_indent=" " * 6))
    return "\n".join(lines)


class CommandHelp(NamedTuple):
    summary: str  # one line, listed by `empathy-lake --help`
    description: str
    example: str
    variables: tuple[str, ...] = ()  # the environment variables that change what the command does


def add_command(sub, name: str) -> argparse.ArgumentParser:
    """The subcommand `name` ("users add" for a sub-subcommand) with its help from COMMANDS: a one-line summary, a
    description, an example and the environment variables that affect it (`empathy-lake NAME --help`)."""
    text = COMMANDS[name]
    return sub.add_parser(
        name.split()[-1],
        help=text.summary,
        description=textwrap.fill(text.description, HELP_WIDTH),
        epilog=f"Example:\n  {text.example}\n\n{variables_help(text.variables)}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


COMMANDS = {
    "generate": CommandHelp(
        "write a fictional business's extracts into the landing folder",
        "Write the extracts of a fictional business (CRM, HRIS, surveys, brand, programs) into the landing folder; "
        "the same seed gives the same files.",
        "empathy-lake generate --scale 1 --seed 42 --clean",
        PATHS,
    ),
    "deliver": CommandHelp(
        "move the next held-back day(s) into the landing folder",
        "Move the next day(s) that `generate --hold-back-days` kept aside into the landing folder, as daily drops "
        "would arrive.",
        "empathy-lake deliver --days 2",
        PATHS,
    ),
    "samples": CommandHelp(
        "copy the four real public datasets and their mappings into the landing folder",
        "Copy the four real public datasets shipped with the project, and the mappings that read them, into the "
        "landing folder.",
        "empathy-lake samples && empathy-lake run",
        PATHS,
    ),
    "run": CommandHelp(
        "load, build, check and publish in this process",
        "Load the landing files, build the dbt marts, run every check, raise alerts and publish the serving copy, "
        "in this process. Prints one line per stage and a summary; the detail goes to a log file in <home>/logs. "
        "With nothing changed since the last publication it keeps that copy and starts no run.",
        "empathy-lake run --verbose",
        RUN_VARIABLES,
    ),
    "runs": CommandHelp(
        "recent runs of the lake's Dagster instance and what started them",
        "List the recent runs of the lake's Dagster instance (CLI, schedule, sensor) with their status.",
        "empathy-lake runs --limit 5",
        ("EMPATHY_LAKE_HOME", "DAGSTER_HOME"),
    ),
    "dagster-home": CommandHelp(
        "create the lake's Dagster instance and dbt manifest; print its path",
        "Create the lake's Dagster instance and the dbt manifest, and print the instance's folder, for `dagster dev` "
        "and the daemon (the schedule and the sensor read the variables below when the code location loads).",
        'DAGSTER_HOME="$(empathy-lake dagster-home)" dagster dev -m dagster_project.definitions',
        DAGSTER_VARIABLES,
    ),
    "serve": CommandHelp(
        "start the dashboard on the serving copy",
        "Start the dashboard (Streamlit) on the last published serving copy; people log in with the users of the "
        "lake's login file (`empathy-lake users add`).",
        "empathy-lake serve --port 8502",
        SERVE_VARIABLES,
    ),
    "demo": CommandHelp(
        "generate (if empty), run, create demo users and serve",
        "The whole product on a fictional business: generate its extracts if the landing folder is empty, run the "
        "pipeline (unless nothing changed), create one dashboard user per role the first time (their passwords are "
        "printed once) and serve the dashboard.",
        "empathy-lake demo --port 8501",
        tuple(dict.fromkeys((*RUN_VARIABLES, *SERVE_VARIABLES))),
    ),
    "users": CommandHelp(
        "dashboard users (the login settings file)",
        "Manage the dashboard's users in the lake's login file.",
        "empathy-lake users add dana --role manager --location Cambridge",
        ("EMPATHY_LAKE_HOME", "EMPATHY_LAKE_AUTH_CONFIG"),
    ),
    "users add": CommandHelp(
        "add a user or reset their password; prints the password once",
        "Add a dashboard user, or reset an existing user's password; the new password is printed once and only "
        "its hash is stored.",
        "empathy-lake users add dana --role manager --location Cambridge",
        ("EMPATHY_LAKE_HOME", "EMPATHY_LAKE_AUTH_CONFIG"),
    ),
    "clv": CommandHelp(
        "predictive CLTV: fit BG/NBD + Gamma-Gamma on the orders and publish its totals",
        "Fit the predictive customer lifetime value model (BG/NBD for how often each buyer will order, Gamma-Gamma "
        "for what an order will be worth; pymc-marketing) on the build warehouse's orders, and put the totals per "
        "customer group (expected net value over the next 12 months, with its 90 % interval and the number of "
        "customers) and the fit's statistics into the serving copy; the Customer empathy page shows them. Run it "
        "after `empathy-lake run`; the weekly job customer_clv does the same. Takes about a minute: the model's code"
        " is compiled for the data, then fitted.",
        "empathy-lake clv",
        ("EMPATHY_LAKE_HOME", "EMPATHY_LAKE_BUILD_DB", "EMPATHY_LAKE_SERVING_DB"),
    ),
    "contract": CommandHelp(
        "regenerate dbt sources and docs from the data contract",
        "Regenerate the dbt sources and docs/landing_contract.md from the data contract (landing_contract.yml); "
        "--check fails when the rendered files are out of date.",
        "empathy-lake contract render --check",
    ),
    "mapping": CommandHelp(
        "vendor profiles and the mapping assistant for exports in another shape",
        "Ready import mappings for vendors' exports (list, use) and the mapping assistant: a draft mapping for an "
        "export (suggest) and a dry run of a mapping on a file (check).",
        "empathy-lake mapping suggest orders_export.csv --out orders_export.yml",
        PATHS,
    ),
    "mapping list": CommandHelp(
        "the vendor profiles: ready mappings for vendors' exports",
        "List the vendor profiles shipped with the project (Shopify, WooCommerce, Stripe, HubSpot, Zendesk, "
        "Freshdesk, Intercom, Qualtrics, SurveyMonkey, Typeform, Google Forms, BambooHR, Personio, Trustpilot, "
        "Google Business reviews) with the entities each one fills.",
        "empathy-lake mapping list",
    ),
    "mapping use": CommandHelp(
        "copy a vendor profile into the landing folder's _mappings",
        "Copy a vendor profile into landing/_mappings/ so the next run reads that vendor's exports; --files points "
        "it at the folder where the exports go (default: the profile's own folder). An existing mapping of that "
        "name is never overwritten.",
        "empathy-lake mapping use shopify_orders --files 'shop/*.csv'",
        PATHS,
    ),
    "mapping suggest": CommandHelp(
        "a draft mapping for an export: a vendor profile or proposed column specs",
        "Read an export's header and values and write a draft import mapping: the vendor profile its header "
        "matches, or one proposed spec per contract column (names, types, code sets, scales, date formats) with "
        "DECIDE comments where a person must choose. Values of personal-data columns are never printed.",
        "empathy-lake mapping suggest export.csv --out landing/_mappings/export.yml",
    ),
    "mapping check": CommandHelp(
        "dry-run a mapping on a file: rows that would load, be excluded or be quarantined",
        "Load a file with a mapping (a file, or a vendor profile's name; default: the profile the header "
        "matches) into a throw-away database, and print per entity the rows that would load, be excluded or be "
        "quarantined with the most frequent reasons. Nothing of the lake is read or written.",
        "empathy-lake mapping check export.csv --mapping export.yml",
    ),
    "digest": CommandHelp(
        "each owner's weekly digest of numbers and open alerts (dry run unless --send)",
        digest.DESCRIPTION,
        'empathy-lake digest --owner "Store manager, Leeds" --send',
        ("EMPATHY_LAKE_HOME", "EMPATHY_LAKE_SERVING_DB", "EMPATHY_LAKE_DIGEST_RECIPIENTS", "EMPATHY_LAKE_ALERT_URLS"),
    ),
}


def run_clv_command(settings) -> int:
    """`empathy-lake clv`: one line of result, or why there is nothing to model."""
    from dagster_project.clv.model import FitError
    from dagster_project.clv.run import NoOrdersError, describe, run_clv

    try:
        result = run_clv(settings)
    except NoOrdersError as exc:
        print(f"no predictive CLTV: {exc}", file=sys.stderr)
        return 2
    except FitError as exc:
        print(f"no predictive CLTV: {exc}; the published copy is unchanged", file=sys.stderr)
        return 1
    print(describe(result))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="empathy-lake",
        description=textwrap.fill(
            "Empathy Lake without the Dagster UI: load extracts, build and check the KPI marts, publish the serving "
            "copy and serve the dashboard. `empathy-lake COMMAND --help` shows a command's options, an example and "
            "the environment variables it reads.",
            HELP_WIDTH,
        ),
        epilog=variables_help(list(documented_variables())),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    gen = add_command(sub, "generate")
    gen.add_argument("--scale", type=float, default=1.0, help="1.0 = 20,000 tickets; 50 = 1M; 500 = 10M")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--format", choices=["csv", "parquet"], default="csv")
    gen.add_argument("--out", type=Path, default=None, help="landing folder (default: the lake's)")
    gen.add_argument("--clean", action="store_true", help="empty the landing folder first")
    gen.add_argument(
        "--hold-back-days", type=int, default=0, help="keep the last D days in <home>/incoming, one drop per day"
    )
    deliver = add_command(sub, "deliver")
    deliver.add_argument("--days", type=int, default=1)
    add_command(sub, "samples")
    run = add_command(sub, "run")
    run.add_argument("--full-refresh", action="store_true", help="forget what was loaded and reload everything")
    run.add_argument("--force", action="store_true", help="run even when nothing changed since the last publication")
    run.add_argument("--stage", choices=STAGES, help="only one stage (benchmarks); default: the whole job")
    run.add_argument("--step-times", type=Path, help="write seconds per Dagster step as JSON here")
    run.add_argument("--verbose", action="store_true", help=VERBOSE_HELP)
    runs = add_command(sub, "runs")
    runs.add_argument("--limit", type=int, default=20)
    add_command(sub, "dagster-home")
    srv = add_command(sub, "serve")
    srv.add_argument("--port", type=int, default=8501)
    demo = add_command(sub, "demo")
    demo.add_argument("--port", type=int, default=8501)
    demo.add_argument("--no-serve", action="store_true", help="stop after the run and the users")
    demo.add_argument("--verbose", action="store_true", help=VERBOSE_HELP)
    users = add_command(sub, "users")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = add_command(users_sub, "users add")
    add.add_argument("username")
    add.add_argument("--role", required=True, help="owner, hr, manager, analyst or steward (the file's roles)")
    where = add.add_mutually_exclusive_group()
    where.add_argument("--location", help="a manager's location (they see only its rows)")
    where.add_argument("--team", help="a manager's team (they see only its rows)")
    add.add_argument("--name", help="the name shown on the dashboard (default: the username)")
    add_command(sub, "clv")
    contract = add_command(sub, "contract")
    contract.add_argument("action", choices=["render"])
    contract.add_argument("--check", action="store_true", help="fail if rendered files are out of date")
    digest.add_parser(add_command(sub, "digest"))
    mapping_sub = add_command(sub, "mapping").add_subparsers(dest="mapping_command", required=True)
    mapping_command.add_arguments(
        {name: add_command(mapping_sub, f"mapping {name}") for name in ("list", "use", "suggest", "check")}
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)

    try:
        settings = get_settings()
    except ValueError as exc:  # a setting with a value it cannot take: the message names it
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if settings.engine == "spark" and args.command in {"run", "demo"}:
        from dagster_project.spark import spark_missing

        if missing := spark_missing():
            print(f"error: {missing}", file=sys.stderr)
            return 2
    if args.command == "generate":
        from dagster_project.sample_data import generate

        out = args.out or settings.landing_dir
        if args.clean and out.exists():
            shutil.rmtree(out)
        # tqdm's bar in a terminal; where stderr is a file or a pipe its redraws would be hundreds of characters.
        result = generate(out, scale=args.scale, seed=args.seed, fmt=args.format, progress=sys.stderr.isatty())
        print(f"wrote {sum(result.row_counts.values()):,} rows to {result.out_dir} in {result.seconds:.1f} s")
        if args.hold_back_days:
            from dagster_project.sample_data.daily_drops import hold_back

            if args.clean and settings.incoming_dir.exists():
                shutil.rmtree(settings.incoming_dir)
            days = hold_back(out, settings.incoming_dir, args.hold_back_days)
            print(f"held back {len(days)} daily drops ({', '.join(days)}) in {settings.incoming_dir}")
        return 0
    if args.command == "deliver":
        from dagster_project.sample_data.daily_drops import deliver_next_day

        for _ in range(args.days):
            delivery = deliver_next_day(settings.incoming_dir, settings.landing_dir)
            if delivery is None:
                print(f"nothing left to deliver in {settings.incoming_dir}")
                return 1
            print(f"delivered {delivery.day}: {len(delivery.files)} files into {settings.landing_dir}")
        return 0
    if args.command == "samples":
        from dagster_project.real_samples import install_real_samples

        for path in install_real_samples(settings.landing_dir):
            print(f"  {path}")
        return 0
    if args.command == "run":
        if not (args.force or args.full_refresh or args.stage) and skip_unchanged_run(settings):
            return 0
        return 0 if run_pipeline(args.full_refresh, args.stage, args.step_times, args.verbose) else 1
    if args.command == "runs":
        from dagster_project.run_history import fail_dead_cli_runs, format_runs, open_instance, recent_runs

        instance = open_instance(settings)
        fail_dead_cli_runs(instance)
        print(format_runs(recent_runs(instance, args.limit)))
        return 0
    if args.command == "dagster-home":
        from dagster_project.run_history import ensure_dagster_home

        prepare_dbt_manifest()  # `dagster dev` / `dagster-daemon` load the code location from the manifest
        print(ensure_dagster_home(settings))
        return 0
    if args.command == "serve":
        return serve(args.port)
    if args.command == "demo":
        if _landing_is_empty(settings.landing_dir):
            from dagster_project.sample_data import generate

            result = generate(settings.landing_dir, progress=False)
            print(f"generate {sum(result.row_counts.values()):,} rows of a fictional business ({result.seconds:.1f} s)")
        if not skip_unchanged_run(settings) and not run_pipeline(verbose=args.verbose):
            return 1
        demo_users(settings)
        return 0 if args.no_serve else serve(args.port)
    if args.command == "users":
        return add_user(settings, args)
    if args.command == "digest":
        return digest.run(settings, args)
    if args.command == "mapping":
        return mapping_command.run(settings, args)

    if args.command == "clv":
        return run_clv_command(settings)
    if args.command == "contract":
        from dagster_project.contract.render import write_rendered

        stale = write_rendered(check=args.check)
        if args.check and stale:
            print("out of date (run `empathy-lake contract render`): " + ", ".join(map(str, stale)))
            return 1
        return 0
    return 2


def console_main() -> None:
    """The `empathy-lake` command: `main`, then exit without the interpreter's teardown (D475).

    After a pipeline run the process holds Dagster, dbt-core, Great Expectations and pandas, millions of objects;
    Python's teardown at exit (a last full garbage collection, then every module freed one by one) took 6-14 s of
    wall time here under load (py-spy: `gc_collect_main` after the last line was printed) and does nothing a user
    needs: every file and connection is closed by then. Output and log handlers are flushed first. Tests call
    `main` in-process, never this."""
    import logging

    from dagster_project.run_history import RunHistoryDamaged

    try:
        code = main()
    except RunHistoryDamaged as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = 1
    code = code if isinstance(code, int) else 0  # a command that returns nothing succeeded
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    console_main()
