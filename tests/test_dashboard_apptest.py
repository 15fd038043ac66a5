"""The dashboard pages run headless with Streamlit's AppTest against a real serving DuckDB file.

Every expected number is recomputed here with SQL over the same file, independently of the app's pandas
code, so the tests hold for any serving copy (tests/serving_fixture.sample_serving_db says how to swap in
a real pipeline run's copy).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from streamlit_app.ui import plain_text
from tests.dashboard_expectations import (
    assert_shows,
    latest_load,
    month_before,
    months,
    shown_number,
    sql,
    sql_csat,
    sql_nps,
)
from tests.dashboard_login import session_users, submit_login
from tests.serving_fixture import (
    SERVING_TABLES,
    read_serving_tables,
    sample_serving_db,
    write_serving_db,
)

APP = Path(__file__).resolve().parent.parent / "streamlit_app" / "app.py"
DATA_QUALITY_PAGE = "app_pages/data_quality.py"
TIMEOUT = 60  # seconds per script run; the first run imports pandas/duckdb on a shared 2-core machine


# --- reading the rendered page ---------------------------------------------------------------------------
def run_app(monkeypatch, db: Path, user: str | None = "owner") -> AppTest:
    """The app on serving copy `db`, logged in through its login form as `user` (tests/dashboard_login.py:
    one user per role; None: not logged in)."""
    users = session_users()
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(db))
    monkeypatch.setenv("EMPATHY_LAKE_AUTH_CONFIG", str(users.config))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at = submit_login(at, users[user] if user else None)
    assert not at.exception, [e.value for e in at.exception]
    return at


def rerun(at: AppTest) -> AppTest:
    """Run the page again (after a widget change) and fail on any exception it raised."""
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_app_page(monkeypatch, db: Path, page: str) -> AppTest:
    """The app on serving copy `db`, switched to `page` (a path under streamlit_app/)."""
    return rerun(run_app(monkeypatch, db).switch_page(page))


def metric(at: AppTest, label: str):
    found = [m for m in at.metric if m.label == label]
    assert len(found) == 1, f"metric {label!r} among {[m.label for m in at.metric]}"
    return found[0]


def assert_delta(shown_metric, now: float | None, before: float | None) -> None:
    if now is None or before is None:
        assert not shown_metric.proto.delta
    else:
        assert_shows(shown_metric.proto.delta.split()[0].lstrip("+"), now - before)


def dataframe_with(at: AppTest, column: str) -> pd.DataFrame:
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, f"no table with column {column!r}"
    return frames[0]


@pytest.fixture
def serving_db(tmp_path) -> Path:
    return sample_serving_db(tmp_path)


# --- not published ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("page", [None, DATA_QUALITY_PAGE])
def test_nothing_published_shows_how_to_build_it(tmp_path, monkeypatch, page):
    at = run_app(monkeypatch, tmp_path / "nothing_here.duckdb")
    if page:
        at.switch_page(page).run()
        assert not at.exception
    messages = " ".join(i.value for i in at.info)
    assert "No warehouse has been published yet" in messages
    assert "make demo" in messages and "uv run empathy-lake run" in messages
    assert not at.metric and not at.dataframe
    assert any("Nothing published" in c.value for c in at.sidebar.caption)


def test_a_copy_without_publication_row_counts_as_not_published(tmp_path, monkeypatch, serving_db):
    unfinished = write_serving_db(tmp_path / "unfinished.duckdb", read_serving_tables(serving_db), published=False)
    at = run_app(monkeypatch, unfinished)
    assert "No warehouse has been published yet" in " ".join(i.value for i in at.info)
    assert not at.metric


# --- overview (not the default page since "This week" came first, D150: opened from the menu) ----------------
OVERVIEW_PAGE = "app_pages/overview.py"


def test_overview_kpis_equal_sql_over_the_latest_month(monkeypatch, serving_db):
    at = open_app_page(monkeypatch, serving_db, OVERVIEW_PAGE)
    assert at.multiselect(key="locations").proto.placeholder == "All locations"  # the owner reads every location
    latest = months(serving_db)[0]
    before = month_before(latest)

    nps = metric(at, "NPS")
    assert_shows(nps.value, sql_nps(serving_db, latest))
    assert_delta(nps, sql_nps(serving_db, latest), sql_nps(serving_db, before))
    csat = metric(at, "CSAT %")
    assert_shows(csat.value, sql_csat(serving_db, latest))
    assert_delta(csat, sql_csat(serving_db, latest), sql_csat(serving_db, before))

    published_at = sql(serving_db, "SELECT published_at FROM meta.publication")[0][0]
    assert f"{published_at:%Y-%m-%d %H:%M:%S}" in at.sidebar.markdown[0].value


def test_filtering_a_segment_recomputes_from_its_counts(monkeypatch, serving_db):
    latest = months(serving_db)[0]
    overall = sql_nps(serving_db, latest)
    candidates = [
        (segment, value)
        for (segment,) in sql(
            serving_db,
            "SELECT DISTINCT segment FROM marts.customer_nps_monthly "
            "WHERE month = ? AND segment IS NOT NULL AND responses > 0 ORDER BY 1",
            [latest],
        )
        if (value := sql_nps(serving_db, latest, segment)) is not None
    ]
    # The segment whose NPS differs most from the total, so a filter that did nothing would be caught.
    segment, expected = max(candidates, key=lambda c: abs(c[1] - overall))
    assert abs(expected - overall) > 0.1, "the data cannot show that the segment filter works"

    at = open_app_page(monkeypatch, serving_db, OVERVIEW_PAGE)
    at.multiselect(key="segments").select(segment).run()
    assert not at.exception
    assert_shows(metric(at, "NPS").value, expected)


def test_the_period_end_picks_the_kpi_month(monkeypatch, serving_db):
    all_months = months(serving_db)
    assert len(all_months) >= 3, "the data needs three months to move the period's end"
    end = all_months[1]

    at = open_app_page(monkeypatch, serving_db, OVERVIEW_PAGE)
    at.select_slider(key="period").set_range(pd.Timestamp(all_months[-1]), pd.Timestamp(end)).run()
    assert not at.exception
    nps = metric(at, "NPS")
    assert_shows(nps.value, sql_nps(serving_db, end))
    assert_delta(nps, sql_nps(serving_db, end), sql_nps(serving_db, month_before(end)))
    table = dataframe_with(at, "nps")
    assert pd.to_datetime(table["month"]).max().date() == end


def test_the_numbers_table_equals_sql_per_month_and_segment(monkeypatch, serving_db):
    at = open_app_page(monkeypatch, serving_db, OVERVIEW_PAGE)
    shown = dataframe_with(at, "nps").assign(month=lambda t: pd.to_datetime(t["month"]).dt.date)
    expected = sql(
        serving_db,
        "SELECT month, segment, sum(responses), sum(promoters), sum(detractors), "
        "100.0::DOUBLE * (sum(promoters) - sum(detractors)) / nullif(sum(responses), 0) "
        "FROM marts.customer_nps_monthly GROUP BY ALL ORDER BY ALL",
    )
    shown = shown.dropna(subset=["nps_responses"]).set_index(["month", "segment"])
    assert len(shown) == len(expected)
    for month, segment, responses, promoters, detractors, nps in expected:
        row = shown.loc[(month, segment)]
        assert (row["nps_responses"], row["promoters"], row["detractors"]) == (responses, promoters, detractors)
        assert (pd.isna(row["nps"]) and nps is None) or row["nps"] == pytest.approx(nps)


def _nps_tables(serving_db: Path, change) -> dict[str, pd.DataFrame]:
    tables = read_serving_tables(serving_db)
    tables["marts.customer_nps_monthly"] = change(tables["marts.customer_nps_monthly"])
    return tables


def test_overview_defaults_to_the_latest_12_months(tmp_path, monkeypatch, serving_db):
    def a_year_earlier_too(nps: pd.DataFrame) -> pd.DataFrame:
        shifted = [nps.assign(month=pd.to_datetime(nps["month"]) - pd.DateOffset(months=m)) for m in (6, 12)]
        return pd.concat([*shifted, nps], ignore_index=True)

    db = write_serving_db(tmp_path / "long.duckdb", _nps_tables(serving_db, a_year_earlier_too))
    latest = months(db)[0]
    assert len(months(db)) > 12, "the data must span more than a year"
    at = open_app_page(monkeypatch, db, OVERVIEW_PAGE)
    start, end = at.select_slider(key="period").value
    assert (start.date(), end.date()) == ((pd.Timestamp(latest) - pd.DateOffset(months=11)).date(), latest)


def test_overview_shows_a_zero_change_grey_and_labels_few_answers(tmp_path, monkeypatch, serving_db):
    def latest_as_before(nps: pd.DataFrame) -> pd.DataFrame:
        latest = nps["month"].max()
        before = nps[nps["month"] == pd.Timestamp(month_before(latest))]
        return pd.concat([nps[nps["month"] != latest], before.assign(month=latest)], ignore_index=True)

    db = write_serving_db(tmp_path / "flat.duckdb", _nps_tables(serving_db, latest_as_before))
    at = open_app_page(monkeypatch, db, OVERVIEW_PAGE)
    nps = metric(at, "NPS")
    assert nps.proto.delta.startswith(("+0.0", "-0.0", "0.0")), nps.proto.delta
    assert nps.proto.color == MetricProto.MetricColor.GRAY, "no change is neither good nor bad"
    assert nps.proto.direction == MetricProto.MetricDirection.NONE, "no arrow: an up arrow would read as a rise"
    assert not [c for c in at.caption if c.value.startswith(":orange[Few answers")]
    monkeypatch.setenv("EMPATHY_LAKE_MIN_ANSWERS", "100000")
    at = open_app_page(monkeypatch, db, OVERVIEW_PAGE)
    assert [c for c in at.caption if "Few answers" in c.value], "a month resting on few answers is labelled"
    table = dataframe_with(at, "nps_responses_sample")
    assert all(v.startswith("Few answers") or v == "No data" for v in table["nps_responses_sample"])


def test_overview_says_which_survey_the_data_lacks(tmp_path, monkeypatch, serving_db):
    tables = {k: v for k, v in read_serving_tables(serving_db).items() if k != "marts.customer_csat_monthly"}
    db = write_serving_db(tmp_path / "no_csat_rows.duckdb", tables)  # the mart is published, without rows
    at = open_app_page(monkeypatch, db, OVERVIEW_PAGE)
    assert metric(at, "CSAT answers").value == "—" and metric(at, "CSAT %").value == "—"
    assert "This business's data has no CSAT survey answers" in " ".join(i.value for i in at.info)
    assert metric(at, "NPS answers").value != "—"


# --- data quality ----------------------------------------------------------------------------------------
def open_data_quality(monkeypatch, db: Path) -> AppTest:
    at = run_app(monkeypatch, db)
    at.switch_page(DATA_QUALITY_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_data_quality_shows_the_latest_load_and_its_conservation(monkeypatch, serving_db):
    at = open_data_quality(monkeypatch, serving_db)
    load_id = latest_load(serving_db)
    read, loaded, quarantined, excluded, superseded = sql(
        serving_db,
        "SELECT sum(rows_read), sum(rows_loaded), sum(rows_quarantined), sum(rows_excluded), sum(rows_superseded) "
        "FROM meta.load_report WHERE load_id = ?",
        [load_id],
    )[0]
    assert read == loaded + quarantined + excluded, "the fixture's latest load must conserve rows"
    assert excluded and superseded, "the fixture's latest load must exclude and supersede rows to show them"

    assert at.selectbox(key="load_id").value == load_id
    assert shown_number(metric(at, "Rows read").value) == read
    assert shown_number(metric(at, "Rows loaded").value) == loaded
    assert shown_number(metric(at, "Rows quarantined").value) == quarantined
    assert shown_number(metric(at, "Rows excluded").value) == excluded
    assert shown_number(metric(at, "Earlier rows replaced").value) == superseded
    assert metric(at, "Read = loaded + quarantined + excluded").value == "yes"
    reasons = dataframe_with(at, "reason")  # the first table with reasons: exclusions, in the mapping's words
    assert reasons[["entity", "reason", "rows"]].values.tolist() == [["customer responses", "test answers", excluded]]
    assert not at.error
    files = dataframe_with(at, "source_file")
    assert len(files) == sql(serving_db, "SELECT count(*) FROM meta.load_report WHERE load_id = ?", [load_id])[0][0]


def test_data_quality_flags_a_file_that_lost_rows(tmp_path, monkeypatch, serving_db):
    tables = read_serving_tables(serving_db)
    report = tables["meta.load_report"]
    load_id = latest_load(serving_db)
    victim = report.index[(report["load_id"] == load_id) & (report["rows_loaded"] > 0)][0]
    report.loc[victim, "rows_loaded"] -= 1  # one row neither loaded nor quarantined
    broken = write_serving_db(tmp_path / "broken.duckdb", tables)

    at = open_data_quality(monkeypatch, broken)
    assert metric(at, "Read = loaded + quarantined + excluded").value == "NO"
    assert plain_text(report.loc[victim, "source_file"]) in " ".join(e.value for e in at.error)


def test_data_quality_lists_quarantine_and_failed_checks_first(monkeypatch, serving_db):
    at = open_data_quality(monkeypatch, serving_db)

    summary = dataframe_with(at, "column_name")
    # Rows as the load report counts them: a record grouping several lines counts each line.
    assert summary["rows"].sum() == sql(serving_db, "SELECT sum(source_lines) FROM meta.quarantine")[0][0]
    assert dataframe_with(at, "source_lines")["source_lines"].max() == 3

    run_id, passed, failed, errored = sql(
        serving_db,
        "SELECT run_id, count(*) FILTER (WHERE success AND NOT errored), "
        "count(*) FILTER (WHERE NOT success AND NOT errored), count(*) FILTER (WHERE errored) "
        "FROM meta.check_results WHERE run_id = (SELECT run_id FROM meta.check_results GROUP BY run_id "
        "ORDER BY max(checked_at) DESC LIMIT 1) GROUP BY run_id",
    )[0]
    assert (failed + errored) > 0, "the data must hold a failing check to show it comes first"
    (counted,) = [c.value for c in at.caption if "expectations checked" in c.value]
    assert f"{passed:,} passed, {failed:,} failed, {errored:,} could not be checked" in counted
    checks = dataframe_with(at, "check")
    statuses = checks["status"].tolist()
    assert len(statuses) == passed + failed + errored
    assert statuses == sorted(statuses, key=["could not check", "failed", "passed"].index), "failures first"
    # In words: no expectation type, no column name (the fixture's: response_id, score, nps).
    assert "no empty values in response ID" in checks["check"].tolist()
    assert not [c for c in checks["check"] if "expect_" in c or "_" in c], checks["check"].tolist()


def test_fixture_has_the_columns_the_pipeline_publishes():
    """The fixture stands in for a publish: its meta tables must carry the pipeline's columns."""
    from dagster_project.loading.ledger import ensure_meta_tables
    from dagster_project.publishing import WITHHELD_COLUMNS
    from dagster_project.quality.gx_validation import CHECK_RESULTS_DDL

    def columns(ddl: list[str], meta: bool = False) -> dict[str, list[str]]:
        with duckdb.connect() as con:
            if meta:
                ensure_meta_tables(con)  # the loader's tables as the loader makes them (added columns included)
            for statement in ddl:
                con.execute(statement)
            rows = con.execute(
                "SELECT table_schema || '.' || table_name, column_name FROM information_schema.columns "
                "WHERE table_schema IN ('meta', 'marts') ORDER BY table_schema, table_name, ordinal_position"
            ).fetchall()
        out: dict[str, list[str]] = {}
        for table, column in rows:
            out.setdefault(table, []).append(column)
        return out

    fixture = columns(
        [f"CREATE SCHEMA IF NOT EXISTS {t.split('.')[0]}; CREATE TABLE {t} ({c})" for t, c in SERVING_TABLES.items()]
    )
    pipeline = columns(CHECK_RESULTS_DDL, meta=True)
    for (schema, table), withheld in WITHHELD_COLUMNS.items():
        pipeline[f"{schema}.{table}"] = [c for c in pipeline[f"{schema}.{table}"] if c not in withheld]
    for table in ("meta.load_report", "meta.quarantine", "meta.check_results", "meta.load_exclusions"):
        assert fixture[table] == pipeline[table], table


MARTS = ["marts.customer_nps_monthly", "marts.customer_csat_monthly"]
META = ["meta.load_report", "meta.quarantine", "meta.check_results"]


def _latest_month_only(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    nps = tables["marts.customer_nps_monthly"]
    return {**tables, "marts.customer_nps_monthly": nps[nps["month"] == nps["month"].max()]}


@pytest.mark.parametrize(
    ("variant", "omit"),
    [
        pytest.param(lambda t: {k: v for k, v in t.items() if k in META}, [], id="marts-without-rows"),
        pytest.param(lambda t: t, ["marts.customer_csat_monthly"], id="no-csat-mart"),
        pytest.param(_latest_month_only, ["marts.customer_csat_monthly"], id="one-month-no-csat"),
        pytest.param(lambda t: t, META, id="no-meta-tables"),
        pytest.param(lambda t: {k: v for k, v in t.items() if k in MARTS}, [], id="meta-without-rows"),
    ],
)
def test_sparse_publications_render_without_errors(tmp_path, monkeypatch, serving_db, variant, omit):
    tables = {k: v for k, v in variant(read_serving_tables(serving_db)).items() if k not in omit}
    db = write_serving_db(tmp_path / "sparse.duckdb", tables, omit=omit)
    at = open_app_page(monkeypatch, db, OVERVIEW_PAGE)
    csat_missing = "marts.customer_csat_monthly" in omit
    if csat_missing:
        assert "no CSAT survey figures" in " ".join(w.value for w in at.warning)
    if len(tables.get("marts.customer_nps_monthly", [])):
        latest = nps_months(db)[0] if csat_missing else months(db)[0]
        assert_shows(metric(at, "NPS").value, sql_nps(db, latest))
    else:
        assert "no survey responses" in " ".join(i.value for i in at.info)
    at.switch_page(DATA_QUALITY_PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    if omit == META:
        # one 'not in this publication' note per missing meta table, and one for the redaction counts
        assert len(at.info) == 4, [i.value for i in at.info]


def nps_months(db: Path) -> list:
    return [r[0] for r in sql(db, "SELECT DISTINCT month FROM marts.customer_nps_monthly ORDER BY 1 DESC")]


def test_data_quality_counts_the_personal_details_removed_from_published_text(monkeypatch, built_lake):
    """The counts of marts.published_text_redactions, per published text, in plain words (no mart names)."""
    db = built_lake.settings.serving_db
    at = open_data_quality(monkeypatch, db)
    shown = dataframe_with(at, "texts_redacted").set_index("mart")
    expected = sql(db, "SELECT mart, texts, texts_redacted, redactions FROM marts.published_text_redactions")
    assert len(expected) == 2 and len(shown) == len(expected)
    labels = {"customer_nps_detractor_comments": "Detractor comments (Customer empathy)",
              "brand_review_examples": "Example reviews (Brand & voice)"}  # fmt: skip
    for mart, texts, texts_redacted, redactions in expected:
        row = shown.loc[labels[mart]]
        assert (row["texts"], row["texts_redacted"], row["redactions"]) == (texts, texts_redacted, redactions)


def test_data_quality_counts_the_run_checks_as_the_cli_printed_them_in_words(monkeypatch, built_lake):
    """The session lake's publication: the page's sentence and cards come from meta.run_checks, counted by the
    definition the CLI prints with (streamlit_app/check_counts.py; tests/test_cli.py compares the CLI's line);
    every expectation is described in words, without GX type names or column names."""
    from streamlit_app.check_counts import CheckRecord, describe_kinds, tally

    db = built_lake.settings.serving_db
    published = tally(
        CheckRecord(k, p, w, e)
        for k, p, w, e in sql(db, "SELECT kind, passed, warning_only, expectations FROM meta.run_checks")
    )
    at = open_data_quality(monkeypatch, db)
    assert f"The run that published this data evaluated {describe_kinds(published)}." in [m.value for m in at.markdown]
    assert shown_number(metric(at, "Checks passed").value) == published.passed
    assert shown_number(metric(at, "Checks failed").value) == published.failed == 0
    checks = dataframe_with(at, "check")
    assert len(checks) == published.expectations
    named = sql(db, "SELECT DISTINCT column_name FROM meta.check_results WHERE column_name IS NOT NULL")
    columns = {c for (names,) in named for c in names.split(", ") if "_" in c}  # unmistakably raw names
    shown = " ".join([*checks["check"], *checks["table"]])
    assert "expect_" not in shown and "marts." not in shown
    assert not [c for c in columns if c in shown], "raw column names on the page"


def test_data_quality_says_plainly_when_no_redaction_count_is_published(monkeypatch, serving_db):
    at = open_data_quality(monkeypatch, serving_db)
    assert "This publication holds no count of removed personal details." in [i.value for i in at.info]


def test_data_quality_warns_of_an_import_mapping_that_found_no_file(tmp_path, monkeypatch, serving_db):
    """Also: ignored stray files are a note, and stored names and messages are shown as plain text, never as
    Markdown (review s13 findings 4 and 6)."""
    import markdown_it

    tables = read_serving_tables(serving_db)
    report = tables["meta.load_report"]
    load_id = latest_load(serving_db)
    message = (
        "warning: import mapping 'call_log' found no file: its files: 'calls/*.xlsx' match nothing in the landing "
        "folder (check the folder and the file names)"
    )
    link = "shop/[sign in](https://evil.example/login).csv: cannot read **now** <b>x</b> `y` :red[z] $x$"
    note = "note: 1 file(s) ignored as system, lock or temporary files (not exports): Thumbs.db"
    rows = []
    for status, entity, source_file, text in [
        ("unmatched", "tickets", "calls/*.xlsx", message),
        ("failed", "customers", "shop/[a](https://evil.example).csv", link),
        ("ignored", "customers", "customers", note),
    ]:
        row = {**report.iloc[0].to_dict(), "load_id": load_id, "entity": entity, "status": status}
        row.update(source_file=source_file, mapping="call_log", rows_read=0, rows_loaded=0, message=text)
        rows.append({**row, "rows_quarantined": 0, "rows_excluded": 0, "rows_superseded": 0, "records_loaded": 0})
    tables["meta.load_report"] = pd.concat([report, pd.DataFrame(rows)], ignore_index=True)
    at = open_data_quality(monkeypatch, write_serving_db(tmp_path / "unmatched.duckdb", tables))
    assert plain_text(f"tickets: {message.removeprefix('warning: ')}") in [w.value for w in at.warning]
    assert plain_text(f"customers: {note.removeprefix('note: ')}") in [i.value for i in at.info]
    assert metric(at, "Read = loaded + quarantined + excluded").value == "yes"
    (shown,) = [w.value for w in at.warning if "sign in" in w.value]
    html = markdown_it.MarkdownIt().render(shown)
    assert "<a " not in html and "<strong>" not in html and "<code>" not in html and "&lt;b&gt;" in html
    assert "sign in" in html and "evil.example" in html  # the text is shown, only not as a link


# --- charts drawn without per-render schema validation (docs/performance.md "Dashboard speed (s13)") ---------------
def chart_specs(at: AppTest) -> list[dict]:
    """The Vega-Lite spec of every chart the page drew."""
    import json

    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def vega_lite_errors(spec: dict) -> list[str]:
    """What the Vega-Lite JSON schema (Altair's copy) finds wrong with a drawn chart's spec. The chart builders
    skip Altair's validation when drawing (charts.unvalidated); the page tests check their charts with this."""
    import altair as alt
    import jsonschema

    schema = alt.vegalite.v6.schema.core.load_schema()
    return [error.message for error in jsonschema.validators.validator_for(schema)(schema).iter_errors(spec)]


def test_every_chart_a_page_draws_is_valid_vega_lite(monkeypatch, serving_db):
    """Overview, Customer empathy and Brand & voice here (the Employee, Impact and Alerts page tests check theirs);
    a broken spec is seen to fail the check."""
    at = run_app(monkeypatch, serving_db, "owner")
    specs = {}
    for page in ("overview", "customer_empathy", "brand_voice"):
        drawn = chart_specs(rerun(at.switch_page(f"app_pages/{page}.py")))
        assert drawn, page
        specs |= {f"{page} {number}": spec for number, spec in enumerate(drawn)}
    assert {key: errors for key, spec in specs.items() if (errors := vega_lite_errors(spec))} == {}
    assert vega_lite_errors({**specs["overview 0"], "mark": "lien"})
