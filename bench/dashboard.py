"""Dashboard response times per page, role and filter change, on two (or more) serving copies in one command.

    uv run python -m bench.dashboard --lake /tmp/lake1 --lake /tmp/lake500 --rounds 5

What is timed: one Streamlit script run of the real app (`streamlit_app/app.py`, logged in through its login
form), in-process with Streamlit's AppTest — the server-side work a user waits for before the page can be
drawn (reading the serving copy, the pandas and Altair work, serialising every element). The browser's own
drawing is not included (it is the same at every scale: the pages send aggregated rows).

Per lake (its published serving copy, `<lake>/warehouse/serving/empathy_lake.duckdb`) and per demo user
(`empathy-lake users`' users: the owner, a location manager and a team manager; `--users` for more), each
page the user may open is measured as a user goes through it, `--rounds` times:

- `first (cold)`: the page opened with the dashboard's cache emptied, as the first viewer after a new
  publication sees it;
- `first (warm)`: the page opened again in a new visit, another viewer having opened it before;
- one row per filter change (a new value each round, so the change has to be read, not remembered).

Rounds interleave the lakes (round 1 on every lake, then round 2, …), so load on the shared machine hits all
of them alike. Printed per lake, page and interaction: wall p50 and p95 (nearest rank), CPU p95 (the
script's CPU time, the figure that depends least on a shared machine's load), and the ratio of each lake's
wall p95 to the first lake's. The login settings are written to a temporary file (the lake's own users
file is not touched). Results go to bench/results/dashboard-<time>.json (not committed).

    uv run python -m bench.dashboard --lake /tmp/lake1 --grow-into /tmp/lake1x   # the demo with 10M-sized lists
    uv run python -m bench.dashboard --lake /tmp/lake1 --dump shown.json         # what every page shows, no timing
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from streamlit.runtime.state.common import TESTING_KEY

REPO = Path(__file__).resolve().parent.parent
SERVING = Path("warehouse") / "serving" / "empathy_lake.duckdb"
DEFAULT_USERS = ("owner", "location-manager", "team-manager")
TIMEOUT = 600


# --- interactions: one filter change each, a different value per round ----------------------------------------
def _multiselect(key: str) -> Callable:
    def change(at, round_: int) -> bool:
        found = [w for w in at.multiselect if w.key == key]
        if not found or not found[0].options:
            return False
        options = found[0].options
        found[0].set_value([options[round_ % len(options)]])
        return True

    return change


def _selectbox(key: str, offset: int = 1) -> Callable:
    def change(at, round_: int) -> bool:
        found = [w for w in at.selectbox if w.key == key]
        if not found or len(found[0].options) < 2:
            return False
        widget = found[0]
        # select_index stores the option's label; the frontend sends that label too. Make the test harness
        # read it as such (it would otherwise pass the label through the page's format_func again).
        widget.select_index((offset + round_) % len(widget.options))
        widget.root.session_state[TESTING_KEY][widget.id] = str
        return True

    return change


def _period(key: str) -> Callable:
    """Start the period later by round + 1 months (keeping its end), or earlier when that passes the end."""

    def change(at, round_: int) -> bool:
        found = [w for w in at.select_slider if w.key == key]
        if not found:
            return False
        start, end = (pd.Timestamp(v) for v in found[0].value)
        shifted = start + pd.DateOffset(months=round_ + 1)
        if shifted > end:
            shifted = start - pd.DateOffset(months=round_ + 1)
        found[0].set_range(shifted, end)
        return True

    return change


def _toggle_status(at, round_: int) -> bool:
    found = [w for w in at.multiselect if w.key == "alert_status"]
    if not found:
        return False
    found[0].set_value(["open", "resolved"] if round_ % 2 == 0 else ["resolved"])
    return True


INTERACTIONS: dict[str, list[tuple[str, Callable]]] = {
    "overview": [
        ("period", _period("period")),
        ("segment", _multiselect("segments")),
        ("location", _multiselect("locations")),
    ],
    "customer_empathy": [
        ("period", _period("customer_period")),
        ("segment", _multiselect("customer_segments")),
        ("location", _multiselect("customer_locations")),
        ("contact channel", _multiselect("contact_channels")),
        ("trend KPI", _selectbox("customer_trend")),
    ],
    "employee_empathy": [
        ("wave", _selectbox("employee_wave")),
        ("breakdown", _selectbox("employee_breakdown")),
        ("period", _period("employee_period")),
    ],
    "brand_voice": [
        ("period", _period("brand_period")),
        ("platform", _multiselect("brand_platforms")),
        ("location", _multiselect("brand_locations")),
    ],
    "alerts": [
        ("status", _toggle_status),
        ("severity", _multiselect("alert_severity")),
        ("alert", _selectbox("alert_key")),
    ],
    "data_quality": [
        ("load", _selectbox("load_id")),
        ("quarantine entity", _selectbox("q_entity")),
    ],
    "impact_roi": [
        ("initiative", _selectbox("impact_initiative")),
        ("event-study KPI", _selectbox("impact_event_kpi")),
        ("driver outcome", _selectbox("impact_driver_outcome")),
    ],
    "support_team": [("period", _period("support_period"))],
}


# --- running the app ---------------------------------------------------------------------------------------------
@dataclass
class Timings:
    # (lake, user, page, what) -> [(wall seconds, CPU seconds of this process)]
    samples: dict[tuple[str, str, str, str], list[tuple[float, float]]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # pages that raised instead of rendering

    def add(self, key: tuple[str, str, str, str], seconds: tuple[float, float]) -> None:
        self.samples.setdefault(key, []).append(seconds)


def _timed_run(at) -> tuple[float, float]:
    """Wall and CPU seconds of one script run (the script runs in a thread of this process; the other threads
    are idle meanwhile, so the process's CPU time is the run's)."""
    started, cpu = time.perf_counter(), time.process_time()
    at.run(timeout=TIMEOUT)
    seconds = (time.perf_counter() - started, time.process_time() - cpu)
    if at.exception:
        raise RuntimeError(f"the page raised: {[e.value for e in at.exception]}")
    return seconds


def _share_compiled_scripts() -> None:
    """Compile each page once per process, as the dashboard server does. Streamlit's server keeps one ScriptCache
    per process (the app and page files compiled, magic rewriting included, once); AppTest makes a new one for
    every script run, which adds the compile of app.py and the page (~60-100 ms CPU for the two largest pages) to
    every run it times — a cost no viewer pays. `--compile-each-run` keeps AppTest's behaviour (s11–s13's figures)."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared


def _log_in(users_config: Path, username: str, password: str):
    from streamlit.testing.v1 import AppTest

    import streamlit_app

    os.environ["EMPATHY_LAKE_AUTH_CONFIG"] = str(users_config)
    # The app of whichever checkout `streamlit_app` is imported from (PYTHONPATH: compare two versions).
    app = Path(streamlit_app.__file__).parent / "app.py"
    at = AppTest.from_file(str(app), default_timeout=TIMEOUT).run()
    [name] = [t for t in at.text_input if t.label == "Username"]
    [secret] = [t for t in at.text_input if t.label == "Password"]
    name.input(username)
    secret.input(password)
    [button] = [b for b in at.button if b.label == "Log in"]
    button.click()
    at.run(timeout=TIMEOUT)
    if at.exception:
        raise RuntimeError(f"logging in as {username} failed: {[e.value for e in at.exception]}")
    return at


def _pages_of(users_config: Path, username: str) -> tuple[str, ...]:
    from streamlit_app.access import load_config

    return load_config(users_config).users[username].pages


ONLY_PAGES: tuple[str, ...] = ()  # --pages: measure these pages alone


def _pages(users_config: Path, username: str) -> tuple[str, ...]:
    return tuple(p for p in _pages_of(users_config, username) if not ONLY_PAGES or p in ONLY_PAGES)


def measure_visit(lake: str, serving: Path, users_config: Path, login, round_: int, timings: Timings) -> None:
    """One visit of `login` to every page they may open: cold first render, filter changes, warm first render."""
    import streamlit as st

    os.environ["EMPATHY_LAKE_SERVING_DB"] = str(serving)
    at = _log_in(users_config, login.username, login.password)
    for page in _pages(users_config, login.username):
        st.cache_data.clear()
        at.switch_page(f"app_pages/{page}.py")
        try:
            timings.add((lake, login.username, page, "first (cold)"), _timed_run(at))
            for what, change in INTERACTIONS.get(page, []):
                if change(at, round_):
                    timings.add((lake, login.username, page, what), _timed_run(at))
        except RuntimeError as error:
            timings.failures.append(f"{Path(lake).name} {login.username} {page}: {error}")
            at = _log_in(users_config, login.username, login.password)
    # A second visit: every page again in a new session, after the first visit filled the cache.
    at = _log_in(users_config, login.username, login.password)
    for page in _pages(users_config, login.username):
        at.switch_page(f"app_pages/{page}.py")
        try:
            timings.add((lake, login.username, page, "first (warm)"), _timed_run(at))
        except RuntimeError as error:
            timings.failures.append(f"{Path(lake).name} {login.username} {page}: {error}")
            at = _log_in(users_config, login.username, login.password)


# --- a demo copy with the lists of a large business ---------------------------------------------------------------
GROWN_LISTS = {"marts.brand_review_examples": "review_id", "marts.customer_nps_detractor_comments": "response_id"}


def grow_copy(source: Path, target: Path, factor: int, alerts: int) -> None:
    """Copy lake `source`'s serving copy into lake `target`, with every row of the event lists repeated `factor`
    times (new keys) and meta.alerts grown to `alerts` rows: the tables that grow with the data, at a large
    business's size (×500: 1.25M example reviews; the issue's 2,629 alerts), the aggregated marts as they are."""
    import duckdb

    path = target / SERVING
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((source / SERVING).read_bytes())
    with duckdb.connect(str(path)) as con:
        rows = con.execute("SELECT count(*) FROM meta.alerts").fetchone()[0]
        for table, key, copies, limit in [
            *((t, k, factor, None) for t, k in GROWN_LISTS.items()),
            ("meta.alerts", "alert_key", -(-alerts // max(rows, 1)), alerts),
        ]:
            columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
            new_key = f"{key} || CASE WHEN i > 0 THEN '-' || i ELSE '' END AS {key}"
            renamed = ", ".join(new_key if c == key else c for c in columns)
            cut = f" LIMIT {limit}" if limit else ""
            con.execute(
                f"CREATE TEMP TABLE grown AS SELECT {renamed} FROM {table}, range({copies}) t(i) ORDER BY i{cut}"
            )
            con.execute(f"DELETE FROM {table}")
            con.execute(f"INSERT INTO {table} SELECT * FROM grown")
            con.execute("DROP TABLE grown")
        con.execute(f"UPDATE meta.publication SET run_id = run_id || '-x{factor}'")


# --- what a page shows, to compare two versions of the app on the same serving copy ----------------------------
def _shown(at) -> list[str]:
    """Every element's visible content, in page order: texts, cards, tables (floats to 9 significant digits),
    widget choices and chart data."""
    out = []
    for node in at.main:
        out += _node_text(node)
    return out


def _node_text(node) -> list[str]:
    kind = getattr(node, "type", type(node).__name__)
    if hasattr(node, "children") and node.children and kind not in ("metric",):
        return [line for child in node.children.values() for line in _node_text(child)]
    if kind == "metric":
        return [f"metric {node.label}: {node.value} | {node.proto.delta}"]
    if kind in ("arrow_data_frame", "dataframe"):
        frame = node.value
        frame = frame.apply(lambda c: c.map(lambda v: f"{v:.9g}" if isinstance(v, float) else v))
        return [f"table {list(frame.columns)}", frame.to_csv(index=False)]
    if kind in ("selectbox", "multiselect", "select_slider"):
        return [f"{kind} {node.label}: {list(node.options)} = {node.value}"]
    if kind in ("arrow_vega_lite_chart", "vega_lite_chart"):  # the element's name in Streamlit < 1.4x and now
        import pyarrow as pa

        datasets = []
        for dataset in node.proto.datasets:
            frame = pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
            frame = frame.apply(lambda c: c.map(lambda v: f"{v:.9g}" if isinstance(v, float) else v))
            datasets.append(frame.to_csv(index=False))
        spec = json.loads(node.proto.spec)
        spec.pop("datasets", None)
        return [f"chart {json.dumps(spec, sort_keys=True)}", *sorted(datasets)]
    value = getattr(node, "value", None)
    return [f"{kind}: {value}"] if isinstance(value, str) else []


def dump(lake: str, serving: Path, users_config: Path, logins, path: Path) -> None:
    """Each page of each user, first render and after every filter change of round 1, as text (JSON)."""
    os.environ["EMPATHY_LAKE_SERVING_DB"] = str(serving)
    shown: dict[str, list[str]] = {}
    for login in logins:
        at = _log_in(users_config, login.username, login.password)
        for page in _pages(users_config, login.username):
            at.switch_page(f"app_pages/{page}.py")
            _timed_run(at)
            shown[f"{login.username} {page} first"] = _shown(at)
            for what, change in INTERACTIONS.get(page, []):
                if change(at, 0):
                    _timed_run(at)
                    shown[f"{login.username} {page} {what}"] = _shown(at)
    path.write_text(json.dumps(shown, indent=1, default=str))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def report(timings: Timings, lakes: list[str]) -> str:
    rows = []
    base = lakes[0]
    for (lake, user, page, what), values in sorted(timings.samples.items(), key=lambda kv: (kv[0][2], kv[0][1])):
        if lake != base:
            continue
        for other in lakes:
            found = timings.samples.get((other, user, page, what))
            if not found:
                continue
            wall, cpu = [w for w, _ in found], [c for _, c in found]
            p95 = _percentile(wall, 0.95)
            ratio = p95 / _percentile([w for w, _ in values], 0.95)
            rows.append(
                (page, user, what, other, len(found), statistics.median(wall), p95, _percentile(cpu, 0.95), ratio)
            )
    lines = [
        f"{'page':<17} {'user':<17} {'what':<16} {'lake':<20} {'n':>3} {'p50 ms':>7} {'p95 ms':>7} {'p95 CPU':>7} "
        f"{'× p95':>6}"
    ]
    for page, user, what, lake, n, p50, p95, cpu, ratio in rows:
        lines.append(
            f"{page:<17} {user:<17} {what:<16} {lake[-20:]:<20} {n:>3} {p50 * 1000:>7.0f} {p95 * 1000:>7.0f} "
            f"{cpu * 1000:>7.0f} {ratio:>6.2f}"
        )
    return "\n".join(lines)


def report_by_page(timings: Timings, lakes: list[str]) -> str:
    """Per lake and page, every user's first renders and filter changes together: n, wall and CPU p50 / p95 (ms)."""
    lines = [f"{'lake':<20} {'page':<17} {'n':>4} {'wall p50':>9} {'wall p95':>9} {'CPU p50':>8} {'CPU p95':>8}"]
    for lake in lakes:
        pages: dict[str, list[tuple[float, float]]] = {}
        for (found, _, page, _), values in timings.samples.items():
            if found == lake:
                pages.setdefault(page, []).extend(values)
        for page, values in sorted(pages.items()):
            wall, cpu = [w * 1000 for w, _ in values], [c * 1000 for _, c in values]
            lines.append(
                f"{lake[-20:]:<20} {page:<17} {len(values):>4} {statistics.median(wall):>9.0f} "
                f"{_percentile(wall, 0.95):>9.0f} {statistics.median(cpu):>8.0f} {_percentile(cpu, 0.95):>8.0f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lake", action="append", required=True, help="a lake folder (EMPATHY_LAKE_HOME); repeat")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--users", nargs="*", default=list(DEFAULT_USERS), help="demo users to measure as")
    parser.add_argument("--dump", type=Path, help="write what each page shows (first lake) to this JSON, no timing")
    parser.add_argument(
        "--report-from", nargs="+", type=Path, help="print the table of saved samples (JSON files of earlier runs)"
    )
    parser.add_argument(
        "--grow-into", type=Path, help="write a copy of the first lake with its lists × --factor there, and stop"
    )
    parser.add_argument("--by-page", action="store_true", help="with --report-from: one row per lake and page")
    parser.add_argument("--pages", nargs="*", default=[], help="measure only these pages (customer_empathy...)")
    parser.add_argument(
        "--compile-each-run",
        action="store_true",
        help="compile the app and page scripts on every timed run (AppTest's own behaviour; the s11-s13 figures)",
    )
    parser.add_argument("--factor", type=int, default=500)
    parser.add_argument("--alerts", type=int, default=2_629)
    args = parser.parse_args(argv)
    if args.grow_into:
        grow_copy(Path(args.lake[0]), args.grow_into, args.factor, args.alerts)
        return 0
    if args.report_from:
        timings = Timings()
        for saved in args.report_from:
            for sample in json.loads(saved.read_text()):
                for value in sample["wall_cpu"]:
                    timings.add((sample["lake"], sample["user"], sample["page"], sample["what"]), tuple(value))
        lakes = [str(Path(lake).resolve()) for lake in args.lake]
        print(report_by_page(timings, lakes) if args.by_page else report(timings, lakes))
        return 0

    sys.path.append(str(REPO))
    from dagster_project.users import add_users, demo_specs

    global ONLY_PAGES
    ONLY_PAGES = tuple(args.pages)
    if not args.compile_each_run:
        _share_compiled_scripts()

    lakes = [str(Path(lake).resolve()) for lake in args.lake]
    workdir = Path(tempfile.mkdtemp(prefix="bench_dashboard_"))
    setups = {}
    for lake in lakes:
        serving = Path(lake) / SERVING
        if not serving.exists():
            parser.error(f"no serving copy at {serving}: run the pipeline on that lake first")
        config = workdir / Path(lake).name / "users.yaml"
        specs = [s for s in demo_specs(serving) if s["username"] in args.users]
        setups[lake] = (serving, config, add_users(config, specs))

    if args.dump:
        dump(lakes[0], *setups[lakes[0]], args.dump)
        return 0
    timings = Timings()
    started = time.perf_counter()
    for round_ in range(args.rounds):
        for lake in lakes:
            serving, config, logins = setups[lake]
            for login in logins:
                measure_visit(lake, serving, config, login, round_, timings)
        print(f"round {round_ + 1}/{args.rounds} done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    print(f"load average at the end: {os.getloadavg()[0]:.1f} {os.getloadavg()[1]:.1f} {os.getloadavg()[2]:.1f}")
    text = report(timings, lakes)
    print(text)
    for failure in sorted(set(timings.failures)):
        print(f"FAILED {failure}")
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"dashboard-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(
        json.dumps(
            [
                {"lake": k[0], "user": k[1], "page": k[2], "what": k[3], "wall_cpu": v}
                for k, v in timings.samples.items()
            ],
            indent=1,
        )
    )
    print(f"samples: {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
