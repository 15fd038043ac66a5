"""`empathy-lake`: headless use without the Dagster UI.

empathy-lake generate [--scale S] [--seed N]   fictional business -> landing folder
                      [--hold-back-days D]     ... keeping its last D days aside as daily drops
empathy-lake deliver [--days N]                move the next held-back day(s) into the landing folder
empathy-lake samples                           the four real public datasets + mappings -> landing
empathy-lake run [--full-refresh] [--force]    load -> dbt build -> checks -> publish, in-process; with nothing
                                               changed since the last publication it keeps that copy (no run)
empathy-lake runs [--limit N]                  recent runs (CLI, schedule, sensor) of the lake's Dagster instance
empathy-lake dagster-home                      create the lake's Dagster instance and dbt manifest; print DAGSTER_HOME
empathy-lake serve [--port P]                  the dashboard on the serving copy
empathy-lake demo                              generate (if the landing folder is empty), run, create the
                                               dashboard's demo users (if none), serve
empathy-lake users add NAME --role R [--location L | --team T]   add a dashboard user or reset their password
empathy-lake contract render [--check]         regenerate dbt sources and docs from the contract
empathy-lake digest [--owner NAME] [--send]    each owner's weekly digest (dry run: written under the lake)
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster_project.digest import command as digest
from dagster_project.settings import REPO_ROOT, export_env, get_settings


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
    env = {**os.environ, **export_env(get_settings())}
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


def run_pipeline(full_refresh: bool = False, stage: str | None = None, step_times: Path | None = None) -> bool:
    """Materialise every asset (or one stage) in this process; True when the run succeeded."""
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

    from dagster_project.definitions import defs
    from dagster_project.run_history import cli_run_tags, fail_dead_cli_runs, open_instance

    # The lake's persistent instance (DAGSTER_HOME or <lake>/dagster): CLI runs join the run history.
    instance = open_instance(settings)
    fail_dead_cli_runs(instance)  # an earlier run killed mid-way would stay STARTED for good
    started = time.perf_counter()
    result = defs.resolve_job_def("empathy_lake").execute_in_process(
        instance=instance,
        raise_on_error=False,
        asset_selection=_stage_selection(stage),
        tags=cli_run_tags(stage),
    )
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
    import dagster as dg

    print(f"\nrun {result.run_id}: {'SUCCESS' if result.success else 'FAILED'} in {seconds:.1f} s")
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        meta = mat.metadata
        if "open_alerts" in meta:
            print(
                f"  alerts: {meta['opened'].value} new, {meta['resolved'].value} resolved, "
                f"{meta['open_alerts'].value} open; notifications ({meta['sending'].value}): "
                f"{meta['notifications_sent'].value} sent, {meta['notifications_failed'].value} failed, "
                f"{meta['notifications_dry_run'].value} dry run"
            )
        if "rows_read" in meta:
            print(
                f"  {mat.asset_key.to_user_string():32} read={meta['rows_read'].value:>9} "
                f"loaded={meta['rows_loaded'].value:>9} quarantined={meta['rows_quarantined'].value:>7}"
            )
    checks = [
        e.event_specific_data for e in result.all_events if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ]
    failed = [c for c in checks if not c.passed]
    print(f"  checks: {len(checks) - len(failed)} passed, {len(failed)} failed")
    for check in failed:
        print(f"    FAILED {check.asset_key.to_user_string()}:{check.check_name}")
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            print(f"  step failed: {event.step_key}: {event.event_specific_data.error.message.strip()[:2000]}")
    if result.success:
        print(f"  serving copy: {get_settings().serving_db}")


def serve(port: int) -> int:
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
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",  # no "Deploy" button or developer menu for the people who log in
        "minimal",
    ]
    print(f"dashboard: http://localhost:{port}  (Ctrl-C to stop)")
    return subprocess.call(cmd, env=env)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="empathy-lake", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="write a fictional business's extracts into the landing folder")
    gen.add_argument("--scale", type=float, default=1.0, help="1.0 = 20,000 tickets; 50 = 1M; 500 = 10M")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--format", choices=["csv", "parquet"], default="csv")
    gen.add_argument("--out", type=Path, default=None, help="landing folder (default: the lake's)")
    gen.add_argument("--clean", action="store_true", help="empty the landing folder first")
    gen.add_argument(
        "--hold-back-days", type=int, default=0, help="keep the last D days in <home>/incoming, one drop per day"
    )
    deliver = sub.add_parser("deliver", help="move the next held-back day(s) into the landing folder")
    deliver.add_argument("--days", type=int, default=1)
    sub.add_parser("samples", help="copy the four real public datasets and their mappings into the landing folder")
    run = sub.add_parser("run", help="load, build, check and publish in this process")
    run.add_argument("--full-refresh", action="store_true", help="forget what was loaded and reload everything")
    run.add_argument("--force", action="store_true", help="run even when nothing changed since the last publication")
    run.add_argument("--stage", choices=STAGES, help="only one stage (benchmarks); default: the whole job")
    run.add_argument("--step-times", type=Path, help="write seconds per Dagster step as JSON here")
    runs = sub.add_parser("runs", help="recent runs of the lake's Dagster instance and what started them")
    runs.add_argument("--limit", type=int, default=20)
    sub.add_parser("dagster-home", help="create the lake's Dagster instance and dbt manifest; print its path")
    srv = sub.add_parser("serve", help="start the dashboard on the serving copy")
    srv.add_argument("--port", type=int, default=8501)
    demo = sub.add_parser("demo", help="generate (if empty), run and serve")
    demo.add_argument("--port", type=int, default=8501)
    demo.add_argument("--no-serve", action="store_true")
    users = sub.add_parser("users", help="dashboard users (the login settings file)")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", help="add a user or reset their password; prints the password once")
    add.add_argument("username")
    add.add_argument("--role", required=True, help="owner, hr, manager, analyst or steward (the file's roles)")
    where = add.add_mutually_exclusive_group()
    where.add_argument("--location", help="a manager's location (they see only its rows)")
    where.add_argument("--team", help="a manager's team (they see only its rows)")
    add.add_argument("--name", help="the name shown on the dashboard (default: the username)")
    contract = sub.add_parser("contract", help="contract tools")
    contract.add_argument("action", choices=["render"])
    contract.add_argument("--check", action="store_true", help="fail if rendered files are out of date")
    digest.add_parser(sub)
    args = parser.parse_args(argv)

    settings = get_settings()
    if args.command == "generate":
        from dagster_project.sample_data import generate

        out = args.out or settings.landing_dir
        if args.clean and out.exists():
            shutil.rmtree(out)
        result = generate(out, scale=args.scale, seed=args.seed, fmt=args.format)
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
        return 0 if run_pipeline(args.full_refresh, args.stage, args.step_times) else 1
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

            generate(settings.landing_dir)
        if not skip_unchanged_run(settings) and not run_pipeline():
            return 1
        demo_users(settings)
        return 0 if args.no_serve else serve(args.port)
    if args.command == "users":
        return add_user(settings, args)
    if args.command == "digest":
        return digest.run(settings, args)
    if args.command == "contract":
        from dagster_project.contract.render import write_rendered

        stale = write_rendered(check=args.check)
        if args.check and stale:
            print("out of date (run `empathy-lake contract render`): " + ", ".join(map(str, stale)))
            return 1
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
