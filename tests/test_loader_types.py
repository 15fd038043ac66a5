"""One rule per type case (the contract's `types:` and score rules): each seen refusing bad values and keeping good
ones, through the real loader into real DuckDB files. Cheap: a few small files per test, no pipeline run."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dagster_project.assets.raw import raw_assets
from dagster_project.contract import load_contract
from dagster_project.settings import plausible_date_range
from tests import test_mapping

CONTRACT = load_contract()
# The mapping tests' fixture (a landing folder and a build warehouse) and their one-entity load.
lake = test_mapping.lake
_load = test_mapping._load


def _drop(landing: Path, entity: str, header: str, rows: list[str], name: str = "drop.csv") -> None:
    folder = landing / entity
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(header + "\n" + "".join(r + "\n" for r in rows))


def _outcome(con, entity: str, key: str, value: str) -> tuple[dict, dict]:
    """(loaded key -> value, quarantined key -> reason), keys taken from the file's first column."""
    raw = CONTRACT.entity(entity).raw_table
    loaded = dict(con.execute(f"SELECT {key}, {value} FROM {raw}").fetchall())
    quarantined = dict(
        con.execute("SELECT json_extract_string(record, '$.' || ?), reason FROM meta.quarantine", [key]).fetchall()
    )
    return loaded, quarantined


TICKETS = "ticket_id,channel,opened_at,reopen_count,handle_time_minutes"


def test_integers_refuse_fractions_hex_and_separators(lake):
    landing, con = lake
    values = {"T1": "1.5", "T2": "0x10", "T3": "1_000", "T4": "1e3", "T5": "1,000", "T6": "3", "T7": "2.0", "T8": "-0"}
    _drop(landing, "tickets", TICKETS, [f'{k},email,2024-01-01 10:00:00,"{v}",' for k, v in values.items()])
    summary = _load(con, landing, "tickets")
    loaded, quarantined = _outcome(con, "tickets", "ticket_id", "reopen_count")
    assert loaded == {"T6": 3, "T7": 2, "T8": 0}
    assert quarantined == {k: "reopen_count: not a valid integer" for k in ("T1", "T2", "T3", "T4", "T5")}
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (8, 3, 5)


def test_doubles_accept_decimal_notation_only(lake):
    landing, con = lake
    good = {"T1": ("12.5", 12.5), "T2": ("+0.25", 0.25), "T3": (".5", 0.5), "T4": ("1.2e3", 1200.0), "T5": ("7", 7.0)}
    bad = {"T6": "0x10", "T7": "1_000", "T8": "12,5", "T9": "inf", "T10": "nan", "T11": "infinity"}
    rows = [f'{k},email,2024-01-01,,"{v}"' for k, (v, _) in good.items()] + [
        f'{k},email,2024-01-01,,"{v}"' for k, v in bad.items()
    ]
    _drop(landing, "tickets", TICKETS, rows)
    _load(con, landing, "tickets")
    loaded, quarantined = _outcome(con, "tickets", "ticket_id", "handle_time_minutes")
    assert loaded == {k: number for k, (_, number) in good.items()}
    assert quarantined == {k: "handle_time_minutes: not a valid double" for k in bad}


def test_dates_outside_the_plausible_range_are_quarantined(lake, monkeypatch):
    monkeypatch.delenv("EMPATHY_LAKE_DATE_RANGE", raising=False)
    landing, con = lake
    today = date.today()
    first, last = plausible_date_range()
    assert (first, last) == (date(1900, 1, 1), today + timedelta(days=1))
    bad = ["infinity", "-infinity", "-2024-01-01", "2024-01-01 (BC)", "1899-12-31", str(today + timedelta(days=2))]
    good = ["1900-01-01", str(today + timedelta(days=1)), "2024-02-29"]
    rows = [f"C{i},SMB,{v}" for i, v in enumerate(bad + good)]
    _drop(landing, "customers", "customer_id,segment,signup_date", rows)
    _load(con, landing, "customers")
    loaded, quarantined = _outcome(con, "customers", "customer_id", "signup_date")
    assert sorted(str(d) for d in loaded.values()) == sorted(good)
    reason = f"signup_date: outside the plausible dates {first} to {last}"
    assert quarantined == {f"C{i}": reason for i in range(len(bad))}


def test_the_date_range_setting_moves_the_range_and_refuses_nonsense(lake, monkeypatch):
    landing, con = lake
    monkeypatch.setenv("EMPATHY_LAKE_DATE_RANGE", "2000-01-01..2024-12-31")
    rows = ["T1,email,1999-12-31 23:59:59,,", "T2,email,2000-01-01,,", "T3,email,2025-01-01,,"]
    _drop(landing, "tickets", TICKETS, rows)
    _load(con, landing, "tickets")
    loaded, quarantined = _outcome(con, "tickets", "ticket_id", "opened_at")
    assert set(loaded) == {"T2"}
    assert set(quarantined) == {"T1", "T3"}
    assert plausible_date_range(date(2026, 1, 10)) == (date(2000, 1, 1), date(2024, 12, 31))
    monkeypatch.setenv("EMPATHY_LAKE_DATE_RANGE", "1990-01-01..today-10")
    assert plausible_date_range(date(2026, 1, 10)) == (date(1990, 1, 1), date(2025, 12, 31))
    for nonsense in ("1990", "yesterday..today", "2030-01-01..2020-01-01"):
        monkeypatch.setenv("EMPATHY_LAKE_DATE_RANGE", nonsense)
        with pytest.raises(ValueError, match="EMPATHY_LAKE_DATE_RANGE"):
            plausible_date_range()


def test_offsets_become_utc_the_same_from_csv_and_parquet(lake):
    landing, con = lake
    _drop(
        landing,
        "tickets",
        TICKETS,
        [
            "C1,email,2024-03-01 10:00:00+05:00,,",
            "C2,email,2024-03-01T10:00:00-0330,,",
            "C3,email,2024-03-01 10:00:00Z,,",
            "C4,email,2024-03-01 10:00:00,,",  # naive: stored as given
            "C5,email,2024-03-01,,",
        ],
    )
    karachi = pa.array([datetime(2024, 3, 1, 5, 0)], pa.timestamp("us", tz="UTC")).cast(
        pa.timestamp("us", tz="Asia/Karachi")
    )
    naive = pa.array([datetime(2024, 3, 1, 10, 0)], pa.timestamp("us"))
    for name, column in (("zoned.parquet", karachi), ("naive.parquet", naive)):
        table = pa.table({"ticket_id": [f"P-{name}"], "channel": ["email"], "opened_at": column})
        pq.write_table(table, landing / "tickets" / name)
    _load(con, landing, "tickets")
    loaded, quarantined = _outcome(con, "tickets", "ticket_id", "opened_at")
    assert quarantined == {}
    assert loaded == {
        "C1": datetime(2024, 3, 1, 5, 0),
        "C2": datetime(2024, 3, 1, 13, 30),
        "C3": datetime(2024, 3, 1, 10, 0),
        "C4": datetime(2024, 3, 1, 10, 0),
        "C5": datetime(2024, 3, 1, 0, 0),
        "P-zoned.parquet": datetime(2024, 3, 1, 5, 0),  # the same instant as C1, stored the same
        "P-naive.parquet": datetime(2024, 3, 1, 10, 0),  # the same wall clock as C4, stored the same
    }


def test_customer_scores_sit_on_their_scale_and_nps_is_a_whole_number(lake):
    landing, con = lake
    answers = {
        "R1": ("NPS", "7.5"),
        "R2": ("NPS", "11"),
        "R3": ("NPS", "-1"),
        "R4": ("CSAT", "5.5"),
        "R5": ("CES", "8"),
        "R6": ("NPS", "7"),
        "R7": ("NPS", "0"),
        "R8": ("CSAT", "5"),
        "R9": ("CES", "1.0"),
        "R10": ("CSAT", "2.3333"),  # a 1-4 answer rescaled onto 1-5 by a mapping
    }
    rows = [f"{k},{kind},{score},2024-01-01" for k, (kind, score) in answers.items()]
    _drop(landing, "customer_responses", "response_id,survey_type,score,responded_at", rows)
    _load(con, landing, "customer_responses")
    loaded, quarantined = _outcome(con, "customer_responses", "response_id", "score")
    assert loaded == {"R6": 7.0, "R7": 0.0, "R8": 5.0, "R9": 1.0, "R10": 2.3333}
    assert quarantined == {
        "R1": "score: an NPS score must be a whole number 0..10",
        "R2": "score: an NPS score must be a whole number 0..10",
        "R3": "score: an NPS score must be a whole number 0..10",
        "R4": "score: a CSAT score must be 1..5",
        "R5": "score: a CES score must be 1..7 (CES 2.0, 7 = easiest)",
    }


QUESTIONS = "question_id,audience,question_text,dimension,scale_min,scale_max"
EMPLOYEE = "response_id,respondent_id,team,question_id,score,responded_at"


def test_employee_answers_sit_on_their_question_bank_scale(lake):
    landing, con = lake
    _drop(landing, "survey_questions", QUESTIONS, ["q1,employee,Proud,engagement,1,5", "q2,employee,Rec,enps,0,10"])
    answers = {"A1": ("q1", "99"), "A2": ("q1", "-5"), "A3": ("q1", "0.5"), "A4": ("q2", "11")}
    answers |= {"A5": ("q1", "4"), "A6": ("q2", "0"), "A7": ("q2", "10"), "A8": ("q9", "42")}
    rows = [f"{k},P{k},Sales,{q},{score},2024-01-01" for k, (q, score) in answers.items()]
    _drop(landing, "employee_responses", EMPLOYEE, rows)
    _load(con, landing, "survey_questions", "run1")
    _load(con, landing, "employee_responses", "run1")
    loaded, quarantined = _outcome(con, "employee_responses", "response_id", "score")
    # A8's question is not in the bank: no scale to check it against (the marts leave it out).
    assert loaded == {"A5": 4.0, "A6": 0.0, "A7": 10.0, "A8": 42.0}
    reason = "score: the answer is outside its question's scale in the question bank"
    assert quarantined == dict.fromkeys(("A1", "A2", "A3", "A4"), reason)

    # A changed question bank checks the answers again, though their file did not change.
    _drop(landing, "survey_questions", QUESTIONS, ["q1,employee,Proud,engagement,1,3", "q2,employee,Rec,enps,0,10"])
    _load(con, landing, "survey_questions", "run2")
    summary = _load(con, landing, "employee_responses", "run2")
    assert [f.status for f in summary.files] == ["loaded"]
    loaded, quarantined = _outcome(con, "employee_responses", "response_id", "score")
    assert set(loaded) == {"A6", "A7", "A8"} and "A5" in quarantined


def test_answers_load_after_the_question_bank():
    assets = {key.path[-1]: asset for asset in raw_assets for key in asset.keys}
    deps = {key.path[-1] for key in assets["employee_responses"].asset_deps[assets["employee_responses"].key]}
    assert deps == {"survey_questions"}
