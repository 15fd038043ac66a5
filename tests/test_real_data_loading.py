"""The four real public datasets through the shipped mappings and the real loader.

Every count is checked against the source file counted independently (Python's csv module), and every
figure is computed by SQL over the raw tables and compared with the value published independently of this
project (tests/fixtures/real/*/PROVENANCE.md)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from dagster_project.contract import load_contract
from dagster_project.loading.loader import EntityLoadSummary, load_entity
from dagster_project.real_samples import FIXTURES_DIR, REAL_DATASETS, install_real_samples

CONTRACT = load_contract()
PII_KEY = "real-data-test-key"

TELCO = FIXTURES_DIR / "crm_telco_churn" / "Telco-Customer-Churn.csv"
IBM = FIXTURES_DIR / "hris_ibm_attrition" / "WA_Fn-UseC_-HR-Employee-Attrition.csv"
NPS = FIXTURES_DIR / "survey_nps_garden_centre" / "nps.csv"
REVIEWS = FIXTURES_DIR / "brand_womens_clothing_reviews" / "womens_clothing_reviews.csv.gz"
LIKERT_ITEMS = [
    "JobSatisfaction",
    "EnvironmentSatisfaction",
    "RelationshipSatisfaction",
    "WorkLifeBalance",
    "JobInvolvement",
]


def read_records(path: Path, encoding: str) -> list[dict[str, str]]:
    """The file's records as Python's csv module sees them: an independent count of what the loader reads."""
    raw = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    return list(csv.DictReader(io.StringIO(raw.decode(encoding), newline="")))


def load_dataset(con, landing: Path, folder: str, load_id: str) -> dict[str, EntityLoadSummary]:
    return {
        entity: load_entity(con, CONTRACT.entity(entity), landing, load_id, PII_KEY, log=lambda _: None)
        for entity in REAL_DATASETS[folder].entities
    }


def counts(summary: EntityLoadSummary) -> tuple[int, int, int]:
    assert not summary.failures, [f.message for f in summary.failures]
    return summary.rows_read, summary.rows_loaded, summary.rows_quarantined


@dataclass
class RealLake:
    con: duckdb.DuckDBPyConnection
    landing: Path
    summaries: dict[str, dict[str, EntityLoadSummary]]  # folder -> entity -> summary

    def scalar(self, sql: str):
        return self.con.execute(sql).fetchone()[0]

    def pairs(self, sql: str) -> dict:
        return dict(self.con.execute(sql).fetchall())


@pytest.fixture(scope="module")
def real_lake(tmp_path_factory) -> RealLake:
    """All four datasets installed into one landing folder and loaded once (about 2 s)."""
    root = tmp_path_factory.mktemp("real_lake")
    landing = root / "landing"
    install_real_samples(landing)
    con = duckdb.connect(str(root / "build.duckdb"))
    summaries = {folder: load_dataset(con, landing, folder, "run1") for folder in REAL_DATASETS}
    yield RealLake(con, landing, summaries)
    con.close()


# ------------------------------------------------------------------------------------ figures (SQL)


def churn_pct(con) -> float:
    return con.execute(
        "SELECT round(100 * count(*) FILTER (WHERE status = 'churned') / count(*), 2) FROM raw_crm.customers"
    ).fetchone()[0]


def churn_pct_by_segment(con) -> dict[str, float]:
    return dict(
        con.execute(
            "SELECT segment, round(100 * count(*) FILTER (WHERE status = 'churned') / count(*), 2) "
            "FROM raw_crm.customers GROUP BY segment"
        ).fetchall()
    )


def attrition_pct_by_team(con) -> dict[str, float]:
    return dict(
        con.execute(
            "SELECT coalesce(team, 'ALL'), round(100 * count(termination_date) / count(*), 2) "
            "FROM raw_hris.employees GROUP BY ROLLUP (team)"
        ).fetchall()
    )


def nps(con) -> float:
    return con.execute(
        "SELECT round(100 * (count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6)) / count(*), 1) "
        "FROM raw_survey.customer_responses WHERE survey_type = 'NPS'"
    ).fetchone()[0]


# ----------------------------------------------------------------------------------------- fixtures


KNOWN_SHA256 = {
    TELCO: "16320c9c1ec72448db59aa0a26a0b95401046bef5d02fd3aeb906448e3055e91",
    IBM: "a5c31e38bd7fafc9bc333884eb181b06b41b8e5e488e8f7ccb27199fb3be7659",
    NPS: "bca23856ef7ba20731df385d62f8d76e945a724275e90bed70776076b9276d39",
    REVIEWS: "471110b1fd241cb109a6cb1ec95760e84b071c5ce2df0f6f30876c0b941a1767",
}


@pytest.mark.parametrize("path", list(KNOWN_SHA256), ids=lambda p: p.parent.name)
def test_fixture_files_are_the_published_bytes(path: Path):
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == KNOWN_SHA256[path]
    assert digest in (path.parent / "PROVENANCE.md").read_text(encoding="utf-8")


def test_the_gzipped_reviews_decompress_to_the_published_csv():
    csv_digest = hashlib.sha256(gzip.decompress(REVIEWS.read_bytes())).hexdigest()
    assert csv_digest == "bd93cc515747ad1f87b8bc863c9e40da758509e6db6506a96d06976e61e36ee0"


def test_install_copies_data_question_bank_and_mappings(tmp_path: Path):
    written = install_real_samples(tmp_path / "landing", ["hris_ibm_attrition", "garden_centre_nps"])
    relative = sorted(p.relative_to(tmp_path / "landing").as_posix() for p in written)
    assert relative == [
        "_mappings/garden_centre_nps.yml",
        "_mappings/ibm_hr_attrition.yml",
        "hris_ibm_attrition/WA_Fn-UseC_-HR-Employee-Attrition.csv",
        "survey_nps_garden_centre/nps.csv",
        "survey_questions/ibm_hr_survey_questions.csv",
    ]
    with pytest.raises(ValueError, match="unknown real dataset"):
        install_real_samples(tmp_path / "landing", ["titanic"])


# -------------------------------------------------------------------------------------------- Telco


def test_telco_counts_and_churn_by_contract(real_lake: RealLake):
    records = read_records(TELCO, "utf-8")
    assert len(records) == 7043
    assert counts(real_lake.summaries["crm_telco_churn"]["customers"]) == (len(records), 7043, 0)
    assert churn_pct(real_lake.con) == 26.54
    assert churn_pct_by_segment(real_lake.con) == {"Month-to-month": 42.71, "One year": 11.27, "Two year": 2.83}


def test_telco_dates_follow_tenure_back_from_the_snapshot(real_lake: RealLake):
    tenure = {r["customerID"]: int(r["tenure"]) for r in read_records(TELCO, "utf-8")}
    rows = real_lake.con.execute(
        "SELECT customer_id, date_diff('month', signup_date, DATE '2020-01-31'), status, churn_date "
        "FROM raw_crm.customers"
    ).fetchall()
    assert {cid: months for cid, months, _, _ in rows} == tenure
    churned_dates = {str(d) for _, _, status, d in rows if status == "churned"}
    assert churned_dates == {"2020-01-31"}
    assert all(d is None for _, _, status, d in rows if status == "active")


def test_a_wrong_mapping_breaks_the_published_figures(tmp_path: Path):
    """The figure checks above can fail: the same file with the Yes/No codes read the wrong way round."""
    landing = tmp_path / "landing"
    install_real_samples(landing, ["crm_telco_churn"])
    mapping = landing / "_mappings" / "telco_customer_churn.yml"
    mapping.write_text(mapping.read_text().replace('{"Yes": churned, "No": active}', '{"Yes": active, "No": churned}'))
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    summary = load_dataset(con, landing, "crm_telco_churn", "run")["customers"]
    # Churned customers now get a churn date but an active status; nothing is quarantined, the figure moves.
    assert counts(summary) == (7043, 7043, 0)
    assert churn_pct(con) == 73.46
    con.close()


# ------------------------------------------------------------------------------------------- IBM HR


def test_ibm_counts_attrition_by_department_and_documented_assumptions(real_lake: RealLake):
    records = read_records(IBM, "utf-8-sig")  # byte-order mark and CRLF: the csv module copes as well
    assert len(records) == 1470
    assert counts(real_lake.summaries["hris_ibm_attrition"]["employees"]) == (len(records), 1470, 0)
    assert attrition_pct_by_team(real_lake.con) == {
        "ALL": 16.12,
        "Human Resources": 19.05,
        "Research & Development": 13.84,
        "Sales": 20.63,
    }
    assumptions = real_lake.con.execute(
        "SELECT count(*) FILTER (WHERE termination_type = 'voluntary'), count(*) FILTER (WHERE weekly_hours = 40), "
        "count(*) FILTER (WHERE team = department), count(DISTINCT job_level) FROM raw_hris.employees"
    ).fetchone()
    assert assumptions == (237, 1470, 1470, 5)
    hire = {r["EmployeeNumber"]: int(r["YearsAtCompany"]) for r in records}
    years = real_lake.pairs(
        "SELECT employee_id, date_diff('year', hire_date, DATE '2017-12-31') FROM raw_hris.employees"
    )
    assert years == hire


def test_ibm_survey_items_unpivot_into_responses(real_lake: RealLake):
    records = read_records(IBM, "utf-8-sig")
    items = sum(1 for r in records for item in LIKERT_ITEMS if r[item].strip())
    assert items == 7350
    assert counts(real_lake.summaries["hris_ibm_attrition"]["employee_responses"]) == (items, items, 0)
    assert (
        real_lake.scalar(
            "SELECT round(avg(score), 4) FROM raw_survey.employee_responses WHERE question_id = 'JobSatisfaction'"
        )
        == 2.7286
    )
    # Every unpivoted item has its question in the shipped question bank.
    assert counts(real_lake.summaries["hris_ibm_attrition"]["survey_questions"]) == (5, 5, 0)
    orphans = real_lake.scalar(
        "SELECT count(*) FROM raw_survey.employee_responses r "
        "ANTI JOIN raw_survey.survey_questions q USING (question_id)"
    )
    assert orphans == 0
    scales = real_lake.con.execute(
        "SELECT DISTINCT scale_min, scale_max, favourable_min FROM raw_survey.survey_questions"
    ).fetchall()
    assert scales == [(1, 4, 3)]


def test_ibm_respondents_are_pseudonymised(real_lake: RealLake):
    plain = {r["EmployeeNumber"] for r in read_records(IBM, "utf-8-sig")}
    respondents, response_ids = zip(
        *real_lake.con.execute("SELECT respondent_id, response_id FROM raw_survey.employee_responses").fetchall(),
        strict=True,
    )
    assert not plain & set(respondents)
    assert all(re.fullmatch(r"pid_[0-9a-f]{32}", r) for r in respondents)
    assert all(re.fullmatch(r"r_[0-9a-f]{32}", r) for r in response_ids)
    assert len(set(respondents)) == len(plain)  # one stable pseudonym per employee
    assert len(set(response_ids)) == len(response_ids)
    # The comparison does see plain numbers where they are stored on purpose (employee_id is not PII).
    assert set(real_lake.pairs("SELECT employee_id, 1 FROM raw_hris.employees")) == plain


# ---------------------------------------------------------------------------------------------- NPS


def test_nps_counts_quarantine_exactly_the_unanswered_and_match_the_published_score(real_lake: RealLake):
    records = read_records(NPS, "latin-1")  # any byte decodes: this is a count, not a reading
    unanswered = {index + 2 for index, r in enumerate(records) if r["nps"] == "NA"}  # header is row 1
    assert (len(records), len(unanswered)) == (13954, 342)
    summary = real_lake.summaries["survey_nps_garden_centre"]["customer_responses"]
    assert counts(summary) == (len(records), 13612, 342)
    quarantined = real_lake.con.execute(
        "SELECT source_row, column_name, reason FROM meta.quarantine WHERE entity = 'customer_responses'"
    ).fetchall()
    assert {row for row, _, _ in quarantined} == unanswered
    assert {(column, reason) for _, column, reason in quarantined} == {("score", "score: missing required value")}
    assert nps(real_lake.con) == 53.4


def test_nps_comments_are_decoded_french(real_lake: RealLake):
    comment = real_lake.pairs("SELECT response_id, comment FROM raw_survey.customer_responses")["3466"]
    assert comment.startswith("j'ai acheté une vigne vierge")
    assert "pour échange" in comment  # written with DOS byte 0x82 in the file
    leftovers = real_lake.scalar(
        "SELECT count(*) FROM raw_survey.customer_responses WHERE regexp_matches(comment, '[‚ƒ‰‹Œ\u0090–—]')"
    )
    assert leftovers == 0


# ------------------------------------------------------------------------------------------ Reviews


def test_reviews_from_gzip_counts_and_rating_figures(real_lake: RealLake):
    records = read_records(REVIEWS, "utf-8")
    assert len(records) == 23486
    assert counts(real_lake.summaries["brand_womens_clothing_reviews"]["reviews"]) == (len(records), 23486, 0)
    figures = real_lake.con.execute(
        "SELECT round(avg(rating), 3), round(100 * avg((rating >= 4)::INT), 2), round(100 * avg(recommended::INT), 2) "
        "FROM raw_brand.reviews"
    ).fetchone()
    assert figures == (4.196, 77.53, 82.24)


def test_reviews_keep_multiline_texts_and_empty_titles(real_lake: RealLake):
    records = read_records(REVIEWS, "utf-8")
    stored = real_lake.con.execute(
        "SELECT count(*) FILTER (WHERE text LIKE '%' || chr(10) || '%'), count(*) FILTER (WHERE title IS NULL), "
        "count(*) FILTER (WHERE text IS NULL), count(DISTINCT review_id), min(review_id::INT), max(review_id::INT) "
        "FROM raw_brand.reviews"
    ).fetchone()
    expected = (
        sum("\n" in r["Review Text"] for r in records),
        sum(not r["Title"] for r in records),
        sum(not r["Review Text"] for r in records),
        len(records),
        0,
        len(records) - 1,
    )
    assert stored == expected
    assert expected[0] > 0  # the trap is really in the file


# ------------------------------------------------------------------------------------------ re-runs


def _table_counts(con) -> dict[str, int]:
    tables = [CONTRACT.entity(e).raw_table for d in REAL_DATASETS.values() for e in d.entities]
    tables += ["meta.quarantine", "meta.ingestion_ledger", "meta.load_report"]
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def test_a_second_load_adds_nothing_and_a_changed_mapping_replaces_its_rows(tmp_path: Path):
    landing = tmp_path / "landing"
    install_real_samples(landing)
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    for folder in REAL_DATASETS:
        load_dataset(con, landing, folder, "run1")
    first = _table_counts(con)

    install_real_samples(landing)  # the same bytes copied again
    second = {folder: load_dataset(con, landing, folder, "run2") for folder in REAL_DATASETS}
    statuses = {f.status for by_entity in second.values() for s in by_entity.values() for f in s.files}
    assert statuses == {"skipped_unchanged"}
    assert _table_counts(con) == first

    # A changed mapping is a new fingerprint: the file's rows are replaced, never added twice.
    mapping = landing / "_mappings" / "telco_customer_churn.yml"
    mapping.write_text(mapping.read_text().replace("segment: Contract", "segment: {from: Contract}"))
    third = load_dataset(con, landing, "crm_telco_churn", "run3")["customers"]
    assert [(f.status, f.message) for f in third.files] == [("loaded", "replaced an earlier version")]
    after = _table_counts(con)
    assert after["raw_crm.customers"] == first["raw_crm.customers"] == 7043
    assert after["meta.load_report"] == first["meta.load_report"] + 1
    assert con.execute("SELECT DISTINCT _load_id FROM raw_crm.customers").fetchall() == [("run3",)]
    con.close()
