"""The CLI: per-step seconds for `run --step-times` (what bench/pipeline.py reads), what a run prints (quiet,
one line per stage, the detail in a log file in the lake) and the help of every command."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import dagster as dg

from dagster_project.cli import step_durations
from dagster_project.run_output import STAGES
from tests.lake_helpers import RUN_CONSOLE, BuiltLake


@dg.op
def _first() -> int:
    return 1


@dg.op
def _second(value: int) -> int:
    return value + 1


@dg.job
def _two_steps():
    _second(_first())


def test_step_durations_names_every_step_with_its_seconds():
    instance = dg.DagsterInstance.ephemeral()
    result = _two_steps.execute_in_process(instance=instance)
    durations = step_durations(instance, result.run_id)
    assert set(durations) == {"_first", "_second"}
    assert all(0 <= seconds < 60 for seconds in durations.values())


def test_the_manifest_is_reparsed_only_when_a_project_file_is_newer(tmp_path):
    import os

    from dagster_project.cli import _manifest_is_current

    (tmp_path / "models").mkdir()
    model = tmp_path / "models" / "m.sql"
    model.write_text("select 1")
    (tmp_path / "dbt_project.yml").write_text("name: x")
    assert not _manifest_is_current(tmp_path), "no manifest yet"
    manifest = tmp_path / "target" / "manifest.json"
    manifest.parent.mkdir()
    manifest.write_text("{}")
    os.utime(manifest, (2_000_000_000, 2_000_000_000))
    os.utime(model, (1_000_000_000, 1_000_000_000))
    os.utime(tmp_path / "dbt_project.yml", (1_000_000_000, 1_000_000_000))
    assert _manifest_is_current(tmp_path)
    os.utime(model, (2_000_000_000, 2_000_000_000))  # edited in the same second: parse again
    assert not _manifest_is_current(tmp_path)


# --- what a run prints (dagster_project/run_output.py) --------------------------------------------------------
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
QUIET_RUN_MAX_LINES = 16  # the stage lines, the notes and the summary of a successful run


def _quiet_run(built_lake: BuiltLake) -> tuple[list[str], Path]:
    """The session lake's run as its console showed it (tests/conftest.py), and the log file it named."""
    lines = (built_lake.home / RUN_CONSOLE).read_text(encoding="utf-8").splitlines()
    named = [line.split(": ", 1)[1] for line in lines if line.startswith("detail of this run")]
    assert len(named) == 1, lines
    return lines, Path(named[0])


def test_a_quiet_run_prints_a_line_per_stage_and_leaves_the_detail_in_the_lake(built_lake: BuiltLake):
    lines, log = _quiet_run(built_lake)
    assert built_lake.success
    assert len(lines) <= QUIET_RUN_MAX_LINES, "\n".join(lines)
    assert not [line for line in lines if "DEBUG" in line or ANSI.search(line)], "\n".join(lines)
    for stage in STAGES:  # each stage once, with its seconds
        (line,) = [line for line in lines if line.split(" ", 1)[0] == stage]
        assert re.search(r"\(\d+\.\d s\)$", line), line
    # In the order they run: the loaders' freshness checks no longer finish after the dbt step (D471).
    assert [line.split(" ", 1)[0] for line in lines if line.split(" ", 1)[0] in STAGES] == list(STAGES)
    assert log.parent == built_lake.settings.logs_dir and log.exists()
    detail = log.read_text(encoding="utf-8")
    # Dagster's events and dbt's own lines are in the file, without colour codes.
    assert " - DEBUG - " in detail and "STEP_SUCCESS" in detail
    assert re.search(r"\d+ of \d+ (START|PASS|OK)", detail), "dbt's log"
    assert not ANSI.search(detail)


def test_the_run_summary_counts_checks_as_the_published_meta_does(built_lake: BuiltLake):
    """One definition of "the checks of a run": the CLI's sentence and meta.run_checks agree."""
    from streamlit_app.check_counts import CheckRecord, describe, tally

    lines, _ = _quiet_run(built_lake)
    rows = built_lake.query("SELECT kind, passed, warning_only, expectations FROM meta.run_checks", serving=True)
    published = tally(CheckRecord(k, p, w, e) for k, p, w, e in rows)
    assert published.by_kind.get("dbt_test", 0) > 100 and published.by_kind.get("suite", 0) > 10
    assert published.expectations > published.by_kind["suite"]
    assert f"  {describe(published)}" in lines, "\n".join(lines)


def test_check_counts_say_what_was_counted_and_what_failed():
    from streamlit_app.check_counts import CheckRecord, describe, tally

    records = [CheckRecord("dbt_test", True)] * 3 + [
        CheckRecord("suite", True, expectations=5),
        CheckRecord("suite", False, expectations=2),
        CheckRecord("freshness", False, warning_only=True),
    ]
    assert describe(tally(records)) == (
        "6 checks: 3 dbt data tests, 2 data-quality suites (7 expectations) and 1 source freshness check; "
        "4 passed, 1 failed, 1 warning"
    )
    assert describe(tally([])) == "no checks ran"


def test_stage_lines_follow_the_run_events_as_plain_lines():
    """A two-step job through the progress logger: one line for its stage, once it is done, and nothing else."""
    import io

    from dagster_project.run_output import RunProgress, progress_logger, stage_totals

    out = io.StringIO()
    progress = RunProgress(out, stage_totals(_two_steps), terminal=False)
    job = _two_steps.with_logger_defs({"progress": progress_logger(progress)})
    assert job.execute_in_process(run_config={"loggers": {"progress": {}}}).success
    progress.close()
    printed = out.getvalue().splitlines()
    assert printed[0].startswith("load ") and re.search(r"\(\d+\.\d s\)$", printed[0]), printed
    assert printed[1:] == [f"{stage:8} not run" for stage in ("build", "checks", "alerts", "publish")]


def test_settings_print_nothing_and_the_demo_key_is_noticed_once_when_data_is_loaded(monkeypatch, capsys):
    from dagster_project.settings import DEMO_KEY_NOTICE, get_settings

    monkeypatch.delenv("EMPATHY_LAKE_PII_KEY", raising=False)
    assert get_settings().uses_demo_key and get_settings().uses_demo_key
    captured = capsys.readouterr()
    assert captured.out == captured.err == "", "reading the settings says nothing (serve, users, runs...)"
    assert "EMPATHY_LAKE_PII_KEY" in DEMO_KEY_NOTICE and "secret key" in DEMO_KEY_NOTICE


# --- help ---------------------------------------------------------------------------------------------------
def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_every_subcommand_has_a_description_an_example_and_its_environment_variables():
    from dagster_project.cli import build_parser
    from dagster_project.settings import documented_variables

    parser = build_parser()
    documented = documented_variables()
    assert {"EMPATHY_LAKE_HOME", "EMPATHY_LAKE_PII_KEY", "EMPATHY_LAKE_ALERT_SEND", "DAGSTER_HOME"} <= set(documented)
    top = parser.format_help()
    commands = _subcommands(parser)
    for name in commands:
        assert re.search(rf"^    {re.escape(name)}\s", top, re.MULTILINE), f"{name} is not listed"
    assert all(variable in top for variable in documented), "the top-level help lists every variable"
    parsers = {**commands, "users add": _subcommands(commands["users"])["add"]}
    helps = {name: sub.format_help() for name, sub in parsers.items()}
    for name, text in helps.items():
        assert parsers[name].description, name
        assert re.search(r"Example:\n  (empathy-lake|DAGSTER_HOME)", text), name
        assert "Environment variables:" in text, name
    for name in ("run", "demo"):
        for variable in ("EMPATHY_LAKE_HOME", "EMPATHY_LAKE_PII_KEY", "EMPATHY_LAKE_ALERT_SEND", "DAGSTER_HOME"):
            assert f"\n  {variable}\n" in helps[name], (name, variable)
        assert "--verbose" in helps[name]
    assert "EMPATHY_LAKE_CURRENCY" in helps["serve"] and "EMPATHY_LAKE_PII_KEY" not in helps["serve"]
