"""What `empathy-lake run` and `demo` print (docs/runs.md "What a run prints (s12)").

Quiet by default: one line per stage (load, build, checks, alerts, publish) with its counts and seconds, drawn as
rich progress bars when the output is a terminal and written as plain lines when it is not, then the run's summary.
Everything else the run writes (Dagster's events, DEBUG included; dbt's own log; library warnings such as
Dagster's "check ... not selected") goes to one log file per run in the lake (<lake>/logs/), named in one line.
`--verbose` keeps all of it on the console, as before. Neither the console nor the file gets colour codes from
dbt (DBT_USE_COLORS=false, dagster_project/assets/dbt.py) and Dagster colours only a terminal.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import dagster as dg

from dagster_project.run_checks import DBT_STEP, check_record
from streamlit_app.check_counts import CheckRecord, describe_outcome, tally

# The stages a run is shown as, in order, with the word printed for each.
STAGES = {"load": "load", "build": "build", "checks": "checks", "alerts": "alerts", "publish": "publish"}
KEEP_LOGS = 20  # run logs kept in <lake>/logs; older ones are deleted when a run starts
ALERTS_PREFIX = dg.AssetKey(["alerts", "alert_log"]).to_python_identifier()
PUBLISH_PREFIX = dg.AssetKey(["serving", "warehouse"]).to_python_identifier()
NOTIFICATIONS = {"notifications_sent": "sent", "notifications_failed": "failed", "notifications_dry_run": "dry run"}
MARTS_PREFIX = "marts__"  # the data-quality suites of the marts are checks on marts/<name>


def stage_of(step_key: str) -> str:
    """The stage a Dagster step belongs to, from its key (an asset's or a check's python identifier)."""
    if step_key == DBT_STEP:
        return "build"
    if step_key.startswith(ALERTS_PREFIX):
        return "alerts"
    if step_key.startswith(PUBLISH_PREFIX):
        return "publish"
    if step_key.startswith(MARTS_PREFIX):
        return "checks"
    return "load"  # the loaders, their checks and text scoring


def stage_totals(job: dg.JobDefinition) -> dict[str, int]:
    """Steps per stage of the whole job (one node per step when run in process)."""
    totals: dict[str, int] = {}
    for node in job.nodes:
        stage = stage_of(node.name)
        totals[stage] = totals.get(stage, 0) + 1
    return totals


@dataclass
class StageState:
    total: int | None
    done: int = 0
    failed_steps: int = 0
    started: float | None = None
    finished: float | None = None
    counts: dict[str, int] = field(default_factory=dict)
    checks: list[CheckRecord] = field(default_factory=list)
    reported: bool = False

    def add(self, key: str, value) -> None:
        self.counts[key] = self.counts.get(key, 0) + int(getattr(value, "value", value) or 0)

    @property
    def seconds(self) -> float:
        if self.started is None:
            return 0.0
        return (self.finished or time.perf_counter()) - self.started


def _n(value: int, one: str, many: str) -> str:
    return f"{value:,} {one if value == 1 else many}"


def describe_stage(stage: str, state: StageState) -> str:
    """The counts of one stage, in words."""
    c = state.counts
    if stage == "load":
        text = (
            f"{_n(c.get('files_loaded', 0), 'file', 'files')} loaded ({c.get('files_unchanged', 0):,} unchanged): "
            f"{c.get('rows_loaded', 0):,} rows in, {c.get('rows_quarantined', 0):,} quarantined"
            + (f", {c['rows_excluded']:,} excluded by mappings" if c.get("rows_excluded") else "")
            + (f", {c['rows_superseded']:,} earlier rows replaced" if c.get("rows_superseded") else "")
        )
    elif stage == "build":
        text = f"{_n(c.get('built', 0), 'model or seed', 'models and seeds')} built"
    elif stage == "checks":
        text = ""
    elif stage == "alerts":
        text = f"{c.get('opened', 0):,} new, {c.get('resolved', 0):,} resolved, {c.get('open_alerts', 0):,} open"
        sent = [f"{c[k]:,} {word}" for k, word in NOTIFICATIONS.items() if c.get(k)]
        text += f"; notifications: {', '.join(sent)}" if sent else ""
    else:
        text = f"{c.get('tables', 0):,} tables, {c.get('total_rows', 0):,} rows in the serving copy"
    if state.checks:
        result = tally(state.checks)
        what = _n(result.total, "check", "checks")
        if stage == "build":  # the dbt step's checks are dbt's data tests
            what = _n(result.total, "dbt data test", "dbt data tests")
        if stage == "checks":
            suites = _n(result.total, "data-quality suite", "data-quality suites")
            what = f"{suites} ({result.expectations:,} expectations)"
        if result.passed == result.total:
            checks = f"{'all ' if result.total > 1 else ''}{what} passed"
        else:
            checks = f"{what}: {describe_outcome(result)}"
        text = f"{text}; {checks}" if text else checks
    if state.failed_steps:
        text += f"; {_n(state.failed_steps, 'step', 'steps')} FAILED"
    return text


class RunProgress:
    """Follows a run's Dagster events and shows each stage as it completes."""

    def __init__(self, out: TextIO, totals: dict[str, int] | None = None, terminal: bool | None = None):
        self.out = out
        # Steps per stage when known (the whole job); None draws a bar without an end (`run --stage`).
        self.states = {stage: StageState(total=None if totals is None else totals.get(stage, 0)) for stage in STAGES}
        self.terminal = out.isatty() if terminal is None else terminal
        self.notes: list[str] = []  # printed once, under the line of the stage they belong to
        self._bar = None
        self._tasks: dict[str, int] = {}
        if self.terminal:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                TextColumn("{task.fields[stage]:8}"),
                BarColumn(bar_width=24),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=out),
                transient=True,  # the stage lines printed above the bars stay; the bars go when the run ends
            )
            for stage, word in STAGES.items():
                state = self.states[stage]
                self._tasks[stage] = self._bar.add_task(word, total=state.total, stage=word, start=False)
            self._bar.start()

    # --- events -----------------------------------------------------------------------------------------
    def handle(self, event: dg.DagsterEvent) -> None:
        step_key = event.step_key
        if not step_key:
            return
        stage = stage_of(step_key)
        state = self.states[stage]
        kind = event.event_type
        if kind == dg.DagsterEventType.STEP_START:
            if state.started is None:
                state.started = time.perf_counter()
                if self._bar is not None:
                    self._bar.start_task(self._tasks[stage])
        elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            self._materialized(stage, state, event)
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            state.checks.append(check_record(event))
        elif kind in (
            dg.DagsterEventType.STEP_SUCCESS,
            dg.DagsterEventType.STEP_FAILURE,
            dg.DagsterEventType.STEP_SKIPPED,
        ):
            state.done += 1
            state.failed_steps += kind == dg.DagsterEventType.STEP_FAILURE
            state.finished = time.perf_counter()
            if state.total is not None and state.done >= state.total:
                self._report(stage)
            elif self._bar is not None:
                self._bar.update(self._tasks[stage], completed=state.done)

    def _materialized(self, stage: str, state: StageState, event: dg.DagsterEvent) -> None:
        metadata = event.event_specific_data.materialization.metadata
        if stage == "build":
            state.add("built", 1)
        for key in (
            "rows_loaded",
            "rows_quarantined",
            "rows_excluded",
            "rows_superseded",
            "files_loaded",
            "files_unchanged",
        ):
            if key in metadata:
                state.add(key, metadata[key])
        for key in ("opened", "resolved", "open_alerts", "tables", "total_rows", *NOTIFICATIONS):
            if key in metadata:
                state.add(key, metadata[key])

    # --- output -----------------------------------------------------------------------------------------
    def note(self, text: str) -> None:
        """A line to show once, after the stage lines (the demo-key notice, at load)."""
        self.notes.append(text)

    def _report(self, stage: str) -> None:
        state = self.states[stage]
        if state.reported:
            return
        state.reported = True
        self._print(f"{STAGES[stage]:8} {describe_stage(stage, state)} ({state.seconds:.1f} s)")
        if self._bar is not None:
            task = self._tasks[stage]
            self._bar.update(task, completed=state.done, total=max(state.total or 0, state.done))
            self._bar.stop_task(task)

    def _print(self, line: str) -> None:
        """A finished stage's line: above the bars in a terminal (they vanish at the end), else appended."""
        if self._bar is not None:
            self._bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            self.out.write(line + "\n")
            self.out.flush()

    def close(self) -> None:
        """End of the run: stages that ran but did not finish every step are shown as they stand; stages that never
        started are said not to have run."""
        for stage, state in self.states.items():
            if state.reported:
                continue
            if state.started is None:
                state.reported = True
                self._print(f"{STAGES[stage]:8} not run")
            else:
                self._report(stage)
        if self._bar is not None:
            self._bar.stop()
        for note in self.notes:
            self.out.write(note + "\n")
        self.out.flush()


class _ProgressHandler(logging.Handler):
    def __init__(self, progress: RunProgress):
        super().__init__(logging.DEBUG)
        self.progress = progress

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event") if isinstance(meta, dict) else None
        if event is not None:
            try:
                self.progress.handle(event)
            except Exception:  # the display must never fail a run
                logging.getLogger(__name__).exception("progress display failed")


def progress_logger(progress: RunProgress) -> dg.LoggerDefinition:
    """A Dagster logger that hands every event of the run to `progress`."""

    def create(_init_context) -> logging.Logger:
        logger = logging.getLogger(f"empathy_lake.progress.{id(progress)}")
        logger.propagate = False
        logger.setLevel(logging.DEBUG)
        logger.handlers = [_ProgressHandler(progress)]
        return logger

    return dg.LoggerDefinition(create, description="empathy-lake's stage lines")


def new_log_path(logs_dir: Path) -> Path:
    """<lake>/logs/run-<UTC time>.log; the oldest logs beyond KEEP_LOGS are deleted."""
    logs_dir.mkdir(parents=True, exist_ok=True)
    for old in sorted(logs_dir.glob("run-*.log"))[: -(KEEP_LOGS - 1) or None]:
        old.unlink(missing_ok=True)
    return logs_dir / f"run-{datetime.now(UTC):%Y%m%d-%H%M%S}.log"


@contextmanager
def console_to_log(log_path: Path | None) -> Iterator[TextIO]:
    """Send what the block writes to sys.stdout and sys.stderr (Dagster's console logger, dbt's log re-emitted by
    dagster-dbt, warnings, progress bars of libraries) to `log_path`; yields the console to print to meanwhile.
    None: nothing is redirected (--verbose)."""
    console = sys.stdout
    if log_path is None:
        yield console
        return
    console.flush()
    sys.stderr.flush()
    saved = sys.stdout, sys.stderr
    with open(log_path, "a", encoding="utf-8", buffering=1) as log:
        sys.stdout = sys.stderr = log
        try:
            yield console
        finally:
            sys.stdout, sys.stderr = saved
