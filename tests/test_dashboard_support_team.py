"""The Support team page (streamlit_app/app_pages/support_team.py) on a synthetic serving copy: per-agent
numbers equal SQL over the published mart, small samples are greyed and counted, a location manager sees only
their location's agents, and a publication without the mart says so."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.dashboard_login import LOCATION, TEAM
from tests.serving_fixture import sample_serving_db, sample_tables, write_serving_db
from tests.test_dashboard_apptest import metric, rerun, run_app

PAGE = "app_pages/support_team.py"
# (month, agent, location, tickets, resolved, first-contact resolved, handled, minutes, CSAT answers, satisfied)
AGENT_ROWS = [
    ("2025-03-01", "agt_busy", LOCATION, 90, 80, 60, 90, 900.0, 40, 30),  # before the default period
    ("2025-04-01", "agt_busy", LOCATION, 100, 90, 70, 100, 1000.0, 50, 40),
    ("2025-05-01", "agt_busy", LOCATION, 100, 90, 60, 100, 1200.0, 50, 35),
    ("2025-06-01", "agt_busy", LOCATION, 100, 90, 80, 100, 1100.0, 50, 45),
    ("2025-06-01", "agt_quiet", LOCATION, 12, 10, 9, 12, 96.0, 4, 1),  # few of everything
    ("2025-06-01", "agt_york", "York", 80, 70, 50, 80, 640.0, 60, 30),
]


def serving_with_agents(directory: Path, rows=AGENT_ROWS) -> Path:
    db = sample_serving_db(directory)  # the mart is there, empty (tests/serving_fixture.py)
    with duckdb.connect(str(db)) as con:
        for r in rows:
            con.execute(
                "INSERT INTO marts.customer_support_agent_monthly (month, agent, location, team, tickets, "
                "resolved_tickets, "
                "first_contact_resolved_tickets, handled_tickets, handle_minutes_sum, csat_responses, "
                "satisfied_responses) VALUES (?, ?, ?, 'Customer Support', ?, ?, ?, ?, ?, ?, ?)",
                list(r),
            )
    return db


def open_support(monkeypatch, db: Path, user: str = "owner"):
    return rerun(run_app(monkeypatch, db, user).switch_page(PAGE))


def agents_table(at) -> pd.DataFrame:
    [table] = [d.value for d in at.dataframe if "agent" in d.value.columns]
    return table.set_index("agent")


@pytest.fixture
def db(tmp_path) -> Path:
    return serving_with_agents(tmp_path)


def test_per_agent_numbers_equal_sql_over_the_last_three_months(monkeypatch, db):
    at = open_support(monkeypatch, db)
    table = agents_table(at)
    with duckdb.connect(str(db), read_only=True) as con:
        expected = con.execute(
            "SELECT agent, sum(tickets), 100.0 * sum(satisfied_responses) / sum(csat_responses), "
            "100.0 * sum(first_contact_resolved_tickets) / sum(resolved_tickets), "
            "sum(handle_minutes_sum) / sum(handled_tickets), sum(csat_responses) "
            "FROM marts.customer_support_agent_monthly WHERE month >= DATE '2025-04-01' GROUP BY agent"
        ).fetchall()
    assert set(table.index) == {r[0] for r in expected}
    for agent, tickets, csat, fcr, handle, answers in expected:
        row = table.loc[agent]
        assert (row["tickets"], row["csat_responses"]) == (tickets, answers)
        assert row["csat_pct"] == pytest.approx(csat) and row["fcr_pct"] == pytest.approx(fcr)
        assert row["handle_minutes_per_ticket"] == pytest.approx(handle)
    # The team cards add the counts first: 151 satisfied of 214 answers.
    assert metric(at, "Customer satisfaction").value == "70.6 %"
    # Best CSAT first; no code or column name in the headers.
    assert list(table.index) == ["agt_busy", "agt_york", "agt_quiet"]


def test_small_samples_are_greyed_and_counted(monkeypatch, db):
    at = open_support(monkeypatch, db)
    [caption] = [c.value for c in at.caption if c.value.startswith("Greyed numbers")]
    # agt_quiet: 4 CSAT answers, 10 solved and 12 timed tickets, all under the default 30.
    assert "fewer than 30 answers or tickets" in caption and "(1 of 3 agents have at least one)" in caption
    # The greyed cells are the small agent's, in the rendered table's styles.
    [styled] = [d for d in at.dataframe if "agent" in d.value.columns]
    styles = styled.proto.arrow_data.styler.styles
    greyed = sorted(re.findall(r"row(\d+)_col(\d+)", styles.split("#9e9e9e")[0]))
    columns = list(styled.value.columns)
    row = list(styled.value["agent"]).index("agt_quiet")
    assert greyed == sorted(
        (str(row), str(columns.index(c))) for c in ("csat_pct", "fcr_pct", "handle_minutes_per_ticket")
    )


def test_a_location_manager_sees_only_their_locations_agents(monkeypatch, db):
    at = open_support(monkeypatch, db, "location-manager")
    assert set(agents_table(at).index) == {"agt_busy", "agt_quiet"}


def test_the_support_teams_manager_sees_every_agent_and_a_location_manager_only_their_locations_tickets(
    monkeypatch, tmp_path
):
    """The mart's grain is month × agent × location: agt_busy also served York in June, so the location
    manager's row for agt_busy holds only their location's tickets; the support team's manager (the fixture's
    team manager) opens the page and sees every agent with all their tickets."""
    assert TEAM == "Customer Support"
    db = serving_with_agents(tmp_path, [*AGENT_ROWS, ("2025-06-01", "agt_busy", "York", 50, 40, 30, 50, 400.0, 20, 5)])
    local = agents_table(open_support(monkeypatch, db, "location-manager"))
    assert local.loc["agt_busy", "tickets"] == 300  # Apr-Jun at their location only
    team = agents_table(open_support(monkeypatch, db, "team-manager"))
    assert set(team.index) == {"agt_busy", "agt_quiet", "agt_york"}
    assert team.loc["agt_busy", "tickets"] == 350


def test_a_publication_without_the_mart_says_so(monkeypatch, tmp_path):
    db = write_serving_db(
        tmp_path / "older.duckdb", sample_tables(), omit=("marts.customer_support_agent_monthly",)
    )  # published before the mart existed
    at = open_support(monkeypatch, db)
    assert any("no figures per support agent" in i.value for i in at.info)


def test_handle_time_per_ticket_is_not_read_as_the_aht_per_contact(monkeypatch, db):
    """Walk s19: 12.7 min here against an AHT of 7.5 min on Customer empathy. Two measures: minutes per ticket (all its
    contacts together) here, per customer contact there. The card names its base, and says it is not the AHT."""
    at = open_support(monkeypatch, db)
    card = metric(at, "Handle time per ticket")
    with duckdb.connect(str(db), read_only=True) as con:
        [(per_ticket,)] = con.execute(
            "SELECT sum(handle_minutes_sum) / sum(handled_tickets) FROM marts.customer_support_agent_monthly "
            "WHERE month >= DATE '2025-04-01'"
        ).fetchall()
    assert card.value == f"{per_ticket:,.1f} min"
    assert "per customer contact" in card.proto.help and "AHT" in card.proto.help
