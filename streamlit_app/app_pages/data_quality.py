"""Data quality: what the last load read, kept and quarantined, and how the data checks came out."""

from __future__ import annotations

import streamlit as st

from streamlit_app import check_counts, quality, warehouse
from streamlit_app.ui import data_table, open_page, plain_text, report_sources

CONSERVED = "Read = loaded + quarantined + excluded"
REPORT_COLUMNS = {
    "entity": "Entity",
    "files": "Files",
    "source_file": "File",
    "status": "Status",
    "rows_read": st.column_config.NumberColumn("Rows read", format="localized"),
    "rows_loaded": st.column_config.NumberColumn("Rows loaded", format="localized"),
    "rows_quarantined": st.column_config.NumberColumn("Rows quarantined", format="localized"),
    "rows_excluded": st.column_config.NumberColumn("Rows excluded", format="localized"),
    "rows_superseded": st.column_config.NumberColumn("Earlier rows replaced", format="localized"),
    "conserved": st.column_config.CheckboxColumn(CONSERVED),
    "message": "Message",
    "loaded_at": st.column_config.DatetimeColumn("Loaded at", format="YYYY-MM-DD HH:mm:ss"),
}
QUARANTINE_COLUMNS = {
    "entity": "Entity",
    "column_name": "Column",
    "reason": "Reason",
    "rows": st.column_config.NumberColumn("Rows", format="localized"),
    "files": "Files",
    "source_file": "File",
    "source_row": st.column_config.NumberColumn("Row", format="%d"),
    "source_lines": st.column_config.NumberColumn("Lines in the record", format="%d"),
    "load_id": "Load",
    "quarantined_at": st.column_config.DatetimeColumn("Quarantined at", format="YYYY-MM-DD HH:mm:ss"),
}
EXCLUSION_COLUMNS = {
    "entity": "Entity",
    "reason": "Reason",
    "rows": st.column_config.NumberColumn("Rows", format="localized"),
    "files": st.column_config.NumberColumn("Files", format="localized"),
}
CHECK_COLUMNS = {
    "status": "Status",
    "table": "Table",
    "check": "What is checked",
    "found": "What was found",
}
FAILED_CHECK_COLUMNS = {"what": "Kind of check", "table": "Table", "check": "Check", "outcome": "Outcome"}

REDACTED_TEXTS = {
    "customer_nps_detractor_comments": "Detractor comments (Customer empathy)",
    "brand_review_examples": "Example reviews (Brand & voice)",
}
REDACTION_COLUMNS = {
    "mart": "Published text",
    "texts": st.column_config.NumberColumn("Texts", format="localized"),
    "texts_redacted": st.column_config.NumberColumn("Texts with details removed", format="localized"),
    "redactions": st.column_config.NumberColumn("Details removed", format="localized"),
}

open_page("data_quality")
st.title("Data quality")
report_sources("data_quality", stop_when_none=False)  # every source of the business not loaded yet

# --- load report -----------------------------------------------------------------------------------------
st.header("Load report")
if not warehouse.table_exists("meta", "load_report"):
    st.info("This publication holds no load report.")
else:
    loads = quality.loads()
    if loads.empty:
        st.info("No file has been loaded yet.")
    else:
        load_id = st.selectbox(
            "Load",
            loads["load_id"].tolist(),
            format_func=lambda value: quality.describe_load(loads, value),
            key="load_id",
            help="Each run records the files it loaded; files unchanged since an earlier run are skipped and "
            "do not appear again. The latest load comes first.",
        )
        report = quality.load_report(load_id)
        totals = quality.totals(report)
        read_card, loaded_card, quarantined_card = st.columns(3)
        read_card.metric("Rows read", f"{totals.rows_read:,}", border=True)
        loaded_card.metric("Rows loaded", f"{totals.rows_loaded:,}", border=True)
        quarantined_card.metric("Rows quarantined", f"{totals.rows_quarantined:,}", border=True)
        excluded_card, superseded_card, conservation_card = st.columns(3)
        excluded_card.metric(
            "Rows excluded",
            f"{totals.rows_excluded:,}",
            border=True,
            help="Rows an import mapping leaves out on purpose, such as cancelled orders; the reasons are below.",
        )
        superseded_card.metric(
            "Earlier rows replaced",
            f"{totals.rows_superseded:,}",
            border=True,
            help="Rows loaded from an earlier file that a file of this load brought again (same key): the newer "
            "row replaced the older one, so nothing is counted twice.",
        )
        conservation_card.metric(
            CONSERVED,
            "yes" if totals.conserved else "NO",
            border=True,
            help="Every row read must end up loaded, quarantined or excluded for a stated reason; a gap means "
            "rows were lost.",
        )
        broken = report[~report["conserved"]]
        if not broken.empty:
            st.error(
                f"{len(broken)} file(s) where rows read ≠ rows loaded + rows quarantined + rows excluded: "
                + ", ".join(
                    f"{plain_text(quality.plain_name(e))} {plain_text(f)}"
                    for e, f in zip(broken["entity"], broken["source_file"], strict=True)
                )
            )
        failed = report[report["status"] == "failed"]
        for entity, source_file, message in zip(
            failed["entity"], failed["source_file"], failed["message"], strict=True
        ):
            # Stored names and messages are shown as typed, never as Markdown (a file named like a link).
            st.warning(
                f"{plain_text(quality.plain_name(entity))} {plain_text(source_file)} failed to load: "
                f"{plain_text(message)}"
            )
        # An import mapping whose files: globs matched no file (status "unmatched"): a warning, not a failure.
        unmatched = report[report["status"] == "unmatched"]
        for entity, message in zip(unmatched["entity"], unmatched["message"], strict=True):
            st.warning(plain_text(f"{quality.plain_name(entity)}: {message.removeprefix('warning: ')}"))
        # System, lock and temporary files beside the exports (status "ignored"): counted, not read.
        ignored = report[report["status"] == "ignored"]
        for entity, message in zip(ignored["entity"], ignored["message"], strict=True):
            st.info(plain_text(f"{quality.plain_name(entity)}: {message.removeprefix('note: ')}"))

        excluded = quality.exclusions(load_id)
        if not excluded.empty:
            st.markdown("**Rows excluded on purpose, by reason**")
            data_table(
                quality.in_words(excluded), download="load_exclusions", hide_index=True, column_config=EXCLUSION_COLUMNS
            )

        st.markdown("**By entity**")
        data_table(
            quality.in_words(quality.by_entity(report)),
            download="load_report_by_entity",
            hide_index=True,
            column_config=REPORT_COLUMNS,
        )
        st.markdown("**By file**")
        data_table(
            quality.in_words(
                report[
                    ["entity", "source_file", "status", "rows_read", "rows_loaded", "rows_quarantined"]
                    + ["rows_excluded", "rows_superseded", "conserved", "message", "loaded_at"]
                ]
            ),
            download="load_report_by_file",
            hide_index=True,
            column_config=REPORT_COLUMNS,
        )

# --- quarantine ------------------------------------------------------------------------------------------
st.header("Quarantine")
st.caption(
    "Records the loader rejected, for every file currently in the warehouse (a file's new version replaces "
    "its old rejects). The record text itself stays in the build warehouse and is not published."
)
if not warehouse.table_exists("meta", "quarantine"):
    st.info("This publication holds no record of quarantined rows.")
else:
    summary = quality.quarantine_summary()
    if summary.empty:
        st.success("No quarantined records.")
    else:
        data_table(
            quality.in_words(summary), download="quarantine_summary", hide_index=True, column_config=QUARANTINE_COLUMNS
        )
        entity = st.selectbox(
            "Sample of rows for",
            ["All entities", *summary["entity"].unique()],
            format_func=lambda value: value if value == "All entities" else quality.plain_name(value),
            key="q_entity",
        )
        data_table(
            quality.in_words(quality.quarantine_sample(None if entity == "All entities" else entity)).drop(
                columns="load_id"
            ),
            download="quarantine_sample",
            hide_index=True,
            column_config=QUARANTINE_COLUMNS,
        )

# --- personal details removed from published text ------------------------------------------------------
st.header("Personal details removed from published text")
st.caption(
    "Comments and reviews shown on the dashboard have e-mail addresses, phone numbers, personal links, card "
    "numbers and the names of the business's customers and staff replaced by markers such as "
    '"[e-mail removed]" before they are published.'
)
if not warehouse.table_exists("marts", "published_text_redactions"):
    st.info("This publication holds no count of removed personal details.")
else:
    redactions = warehouse.query("SELECT mart, texts, texts_redacted, redactions FROM marts.published_text_redactions")
    redactions["mart"] = redactions["mart"].map(REDACTED_TEXTS).fillna("Other published text")
    data_table(redactions, download="text_redactions", hide_index=True, column_config=REDACTION_COLUMNS)

# --- check results ---------------------------------------------------------------------------------------
st.header("Check results")
run_checks = quality.run_check_tally()
has_expectations = warehouse.table_exists("meta", "check_results")
if run_checks is not None and run_checks.total:
    # The same count and words as `empathy-lake run` prints (streamlit_app/check_counts.py).
    st.markdown(f"The run that published this data evaluated {check_counts.describe_kinds(run_checks)}.")
    passed_card, failed_card, warning_card = st.columns(3)
    passed_card.metric("Checks passed", f"{run_checks.passed:,}", border=True)
    failed_card.metric(
        "Checks failed",
        f"{run_checks.failed:,}",
        border=True,
        help="A failed check stops the run from publishing, so a published copy normally shows none.",
    )
    warning_card.metric(
        "Warnings",
        f"{run_checks.warnings:,}",
        border=True,
        help="Checks that only warn, such as a source whose newest file is older than expected.",
    )
    if run_checks.failed or run_checks.warnings:
        data_table(
            quality.failed_run_checks(), download="failed_checks", hide_index=True, column_config=FAILED_CHECK_COLUMNS
        )
elif not has_expectations:
    st.info("This publication holds no check results.")
else:
    st.caption("This publication does not count the run's checks (it was published before they were counted).")

if has_expectations:
    checks = quality.latest_check_results()
    if checks.empty:
        st.info("No data-quality suite has been checked yet.")
    else:
        counts = checks["status"].value_counts()
        st.subheader("Data-quality suites, expectation by expectation")
        st.caption(
            f"{len(checks):,} expectations checked on {checks['checked_at'].max():%Y-%m-%d %H:%M}: "
            f"{int(counts.get('passed', 0)):,} passed, {int(counts.get('failed', 0)):,} failed, "
            f"{int(counts.get('errored', 0)):,} could not be checked (counted as failed). Failures first."
        )
        data_table(
            quality.plain_check_results(checks), download="check_results", hide_index=True, column_config=CHECK_COLUMNS
        )
