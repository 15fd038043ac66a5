"""Login, roles and row scopes of the dashboard (docs/dashboard.md "Login and roles", decisions D68–D72).

Every user logs in through the real login form (streamlit-authenticator, bcrypt hashes written by the CLI's
own code, tests/dashboard_login.py). What a role sees is checked on the rendered app; which rows a manager
gets is checked against SQL on the serving copy.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import bcrypt
import pandas as pd
import pytest
import yaml
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from streamlit_app import downloads, warehouse
from streamlit_app.access import Scope
from tests.dashboard_expectations import sql
from tests.dashboard_login import Login, session_users, submit_login, user_specs, write_users
from tests.lake_helpers import BuiltLake
from tests.serving_fixture import sample_serving_db
from tests.test_dashboard_apptest import APP, TIMEOUT, metric, rerun, run_app

ALL_PAGES = {"summary", "overview", "customer_empathy", "employee_empathy", "brand_voice", "alerts", "data_quality"}
ALL_PAGES |= {"impact_roi", "support_team"}
# Restated from the brief, not read from the code: what each role's navigation lists.
EXPECTED_PAGES = {
    "owner": ALL_PAGES,
    "hr": {"summary", "employee_empathy"},
    "analyst": {"summary", "overview", "customer_empathy", "brand_voice", "impact_roi"},
    "steward": {"data_quality"},
    "location-manager": {"summary", "overview", "customer_empathy", "employee_empathy", "brand_voice", "alerts"}
    | {"support_team"},
    # The customer and brand marts have no team; the support agents belong to the support team (the fixture's).
    "team-manager": {"summary", "employee_empathy", "alerts", "support_team"},
}
OVERVIEW_PAGE = "app_pages/overview.py"  # no longer the landing page: This week is (D150)
PAGE_CONTENT = {  # one element only that page draws, and its kind
    "overview": ("metric", "NPS"),
    "data_quality": ("metric", "Rows read"),
}


@pytest.fixture
def serving_db(tmp_path) -> Path:
    return sample_serving_db(tmp_path)


def navigation(at: AppTest) -> set[str]:
    """The pages st.navigation registered in the last run (what the menu lists)."""
    return {Path(info["script_path"]).stem for info in at._registered_pages.values() if "url_pathname" in info}


def shows_nothing(at: AppTest) -> None:
    assert not at.metric, [m.label for m in at.metric]
    assert not at.dataframe
    assert navigation(at) == set()


def scoped_users(tmp_path: Path, location: str, team: str):
    return write_users(tmp_path, user_specs(location=location, team=team))


def run_as(monkeypatch, db: Path, users, username: str) -> AppTest:
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(db))
    monkeypatch.setenv("EMPATHY_LAKE_AUTH_CONFIG", str(users.config))
    at = submit_login(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), users[username])
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- navigation per role ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("username", list(EXPECTED_PAGES))
def test_each_role_lists_its_pages_only(monkeypatch, serving_db, username):
    at = run_app(monkeypatch, serving_db, username)
    assert navigation(at) == EXPECTED_PAGES[username]
    name = {spec["username"]: spec["name"] for spec in user_specs()}[username]
    assert any(name in m.value for m in at.sidebar.markdown)


def test_a_page_outside_the_role_refuses(monkeypatch, serving_db):
    """The analyst's menu has no Data quality; asked for by its URL, it is not drawn; run on its own without
    a login, the page refuses itself."""
    at = run_app(monkeypatch, serving_db, "analyst")
    with pytest.raises(ValueError, match="navigation page"):
        at.switch_page("app_pages/data_quality.py")
    at._page_hash = calc_hash("data_quality")  # what /data_quality in the address bar asks for
    at = rerun(at)
    assert "Rows read" not in [m.label for m in at.metric]

    alone = AppTest.from_file(str(Path(APP).parent / "app_pages" / "data_quality.py"), default_timeout=TIMEOUT)
    alone.run()
    assert [e.value for e in alone.error] and "not available" in alone.error[0].value
    assert not alone.metric and not alone.dataframe


def test_the_owner_reaches_every_page(monkeypatch, serving_db):
    at = run_app(monkeypatch, serving_db, "owner")
    at = rerun(at.switch_page("app_pages/data_quality.py"))
    assert metric(at, "Rows read")


# --- no valid login, nothing --------------------------------------------------------------------------------------
def test_a_forged_session_state_sees_nothing(monkeypatch, serving_db):
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(serving_db))
    monkeypatch.setenv("EMPATHY_LAKE_AUTH_CONFIG", str(session_users().config))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in {
        "authentication_status": True,
        "username": "owner",
        "name": "Olive Owner",
        "roles": ["owner"],
        "empathy_lake_login_mark": "0" * 64,
    }.items():
        at.session_state[key] = value
    at.run()
    shows_nothing(at)
    assert [t.label for t in at.text_input] == ["Username", "Password"]


def test_a_wrong_password_sees_nothing(monkeypatch, serving_db):
    users = session_users()
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(serving_db))
    monkeypatch.setenv("EMPATHY_LAKE_AUTH_CONFIG", str(users.config))
    at = submit_login(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), Login("owner", "not-the-password"))
    shows_nothing(at)
    assert "Wrong username or password" in at.error[0].value


def test_a_user_removed_from_the_file_is_logged_out(monkeypatch, serving_db, tmp_path):
    users = write_users(tmp_path, user_specs()[:2])
    at = rerun(run_as(monkeypatch, serving_db, users, "owner").switch_page(OVERVIEW_PAGE))
    assert metric(at, "NPS")
    raw = yaml.safe_load(users.config.read_text())
    del raw["credentials"]["usernames"]["owner"]
    users.config.write_text(yaml.safe_dump(raw))
    at.run()
    shows_nothing(at)
    assert [t.label for t in at.text_input] == ["Username", "Password"]


def test_no_login_settings_fail_closed(monkeypatch, serving_db, tmp_path):
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(serving_db))
    monkeypatch.setenv("EMPATHY_LAKE_AUTH_CONFIG", str(tmp_path / "nobody.yaml"))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    shows_nothing(at)
    assert not at.text_input  # no form either: there is nobody to log in as
    message = at.error[0].value
    assert "no users have been set up" in message and "empathy-lake users add" in message
    assert str(tmp_path) not in message


def test_unusable_login_settings_fail_closed(monkeypatch, serving_db, tmp_path):
    users = write_users(tmp_path, user_specs()[:1])
    raw = yaml.safe_load(users.config.read_text())
    raw["credentials"]["usernames"]["owner"]["roles"] = ["manager"]  # a manager without a location or team
    users.config.write_text(yaml.safe_dump(raw))
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(serving_db))
    monkeypatch.setenv("EMPATHY_LAKE_AUTH_CONFIG", str(users.config))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    shows_nothing(at)
    message = at.error[0].value
    assert "user 'owner'" in message and "`location` or `team`" in message and str(tmp_path) not in message


# --- rows: a location manager gets their location's rows only -----------------------------------------------------
def test_a_location_manager_sees_only_their_locations_rows(monkeypatch, serving_db, tmp_path):
    location = sql(serving_db, "SELECT min(location) FROM marts.customer_nps_monthly")[0][0]
    users = scoped_users(tmp_path, location, "no such team")
    at = rerun(run_as(monkeypatch, serving_db, users, "location-manager").switch_page(OVERVIEW_PAGE))

    latest = sql(serving_db, "SELECT max(month) FROM marts.customer_nps_monthly")[0][0]
    expected = sql(
        serving_db,
        "SELECT 100.0 * (sum(promoters) - sum(detractors)) / sum(responses) FROM marts.customer_nps_monthly "
        "WHERE month = ? AND location = ?",
        [latest, location],
    )[0][0]
    everyone = sql(
        serving_db,
        "SELECT 100.0 * (sum(promoters) - sum(detractors)) / sum(responses) FROM marts.customer_nps_monthly "
        "WHERE month = ?",
        [latest],
    )[0][0]
    assert round(expected, 1) != round(everyone, 1), "the fixture must tell one location from all of them"
    assert metric(at, "NPS").value == f"{expected:.1f}"
    assert at.multiselect(key="locations").options == [location]
    # The filter, left empty, names the one location the page shows, not "All locations".
    assert at.multiselect(key="locations").proto.placeholder == f"Your location, {location}"

    at = rerun(at.switch_page("app_pages/customer_empathy.py"))
    assert at.multiselect(key="customer_locations").options == [location]
    assert at.multiselect(key="customer_locations").proto.placeholder == f"Your location, {location}"
    [comments] = [d.value for d in at.dataframe if {"comment", "location"} <= set(d.value.columns)]
    expected_comments = sql(
        serving_db, "SELECT count(*) FROM marts.customer_nps_detractor_comments WHERE location = ?", [location]
    )[0][0]
    assert set(comments["location"]) == {location} and len(comments) == expected_comments


def _scope_rule_count(db: Path, table: str, kind: str, value: str) -> int:
    """Rows of `table` a viewer limited to `kind` = `value` may read, restated in SQL from D70."""
    columns = {r[0] for r in sql(db, f"SELECT column_name FROM (DESCRIBE {table})")}
    if kind in columns:
        where = f"{kind} = ?"
    elif {"breakdown", "group_value"} <= columns:
        where = f"breakdown = '{kind}' AND group_value = ?"
    elif {"scope", "scope_value"} <= columns:
        where = f"scope = '{kind}' AND scope_value = ?"
    else:
        return 0
    return sql(db, f"SELECT count(*) FROM {table} WHERE {where}", [value])[0][0]


def test_the_read_layer_limits_every_published_table(monkeypatch, built_lake: BuiltLake):
    """Every mart and meta table of a real run's serving copy, read with a location or a team scope, gives
    exactly the rows SQL says that viewer may read: never an organisation row, never another group's."""
    assert built_lake.success
    db = built_lake.settings.serving_db
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(db))
    location = sql(db, "SELECT location FROM marts.customer_nps_monthly GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    team = sql(db, "SELECT team FROM marts.employee_headcount_monthly GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    tables = [
        f"{s}.{t}"
        for s, t in sql(
            db, "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('marts', 'meta')"
        )
    ]
    limited = 0
    for kind, value in (("location", location[0][0]), ("team", team[0][0])):
        scope = Scope(**{kind: value})
        for table in tables:
            read = warehouse.query_table("*", table, scope)
            assert len(read) == _scope_rule_count(db, table, kind, value), (table, kind)
            if kind in read.columns:
                assert set(read[kind]) <= {value}, table
            if "breakdown" in read.columns:
                assert set(read["breakdown"]) <= {kind} and set(read["group_value"]) <= {value}, table
            total = sql(db, f"SELECT count(*) FROM {table}")[0][0]
            limited += len(read) < total
    assert limited > len(tables)  # most tables really were cut
    assert warehouse.query_table("*", "marts.employee_enps_wave", Scope()).empty  # no scope at all: nothing


def test_managers_on_the_employee_page_see_their_group_only(monkeypatch, built_lake: BuiltLake, tmp_path):
    assert built_lake.success
    db = built_lake.settings.serving_db
    team = sql(
        db,
        "SELECT group_value FROM marts.employee_survey_dimension_wave WHERE breakdown = 'team' AND NOT suppressed "
        "GROUP BY 1 ORDER BY 1 LIMIT 1",
    )[0][0]
    location = sql(db, "SELECT min(group_value) FROM marts.employee_survey_dimension_wave WHERE breakdown = 'location'")
    users = scoped_users(tmp_path, location[0][0], team)
    for username, breakdown, group in (
        ("team-manager", "team", team),
        ("location-manager", "location", location[0][0]),
    ):
        at = run_as(monkeypatch, db, users, username)
        at = rerun(at.switch_page("app_pages/employee_empathy.py"))
        assert at.selectbox(key="employee_breakdown").value == breakdown
        assert len(at.selectbox(key="employee_breakdown").options) == 1
        teams_filter = at.multiselect(key="employee_teams").proto.placeholder
        assert teams_filter == (f"Your team, {team}" if username == "team-manager" else "All teams"), teams_filter
        groups = set()
        for frame in (d.value for d in at.dataframe):
            if "group" in frame.columns:
                groups |= set(frame["group"])
        assert groups and all(group in g for g in groups), (username, groups)
        assert metric(at, "eNPS").value == "—"  # the organisation's row is not theirs
        assert metric(at, "EAP utilisation %").value == "—"  # an organisation-only mart
        # ... and the survey cards say why, in words, not "— eNPS responses" (walk s18).
        captions = " ".join(c.value for c in at.caption)
        assert "— eNPS responses" not in captions, captions
        assert f"not shown in a single {breakdown}'s view" in captions, captions


def test_a_manager_whose_recent_months_are_combined_is_told_so(monkeypatch, built_lake: BuiltLake, tmp_path):
    """Workforce cells under the minimum headcount are combined with other groups (D62); a manager whose rows
    end before the organisation's is told why, instead of silently seeing old months."""
    assert built_lake.success
    db = built_lake.settings.serving_db
    combined = ("All", "Other (small groups)")
    newest = sql(db, "SELECT max(month) FROM marts.employee_headcount_monthly")[0][0]
    ends = dict(sql(db, "SELECT location, max(month) FROM marts.employee_headcount_monthly GROUP BY 1"))
    early = min((loc for loc, end in ends.items() if end < newest and loc not in combined), key=ends.get)
    team_ends = dict(sql(db, "SELECT team, max(month) FROM marts.employee_headcount_monthly GROUP BY 1"))
    current = min(team for team, end in team_ends.items() if end == newest and team not in combined)
    users = scoped_users(tmp_path, early, current)
    for username, told in (("location-manager", True), ("team-manager", False), ("owner", False)):
        at = rerun(run_as(monkeypatch, db, users, username).switch_page("app_pages/employee_empathy.py"))
        notes = " ".join(i.value for i in at.info)
        assert ("too few employees to be shown on its own" in notes) is told, (username, notes)


# --- downloads -------------------------------------------------------------------------------------------------------
def test_downloads_escape_spreadsheet_formulas():
    frame = pd.DataFrame(
        {
            "comment": ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "fine", None],
            "nps": [-12.5, 1, 2, 3, 4, 5, 6, 7],
            "=header": ["a"] * 8,
        }
    )
    text = downloads.csv_bytes(frame, {"nps": "NPS"}).decode("utf-8")
    rows = pd.read_csv(pd.io.common.StringIO(text), keep_default_na=False)
    assert list(rows.columns) == ["comment", "NPS", "'=header"]
    assert list(rows["comment"])[:7] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "fine",
    ]
    assert rows["NPS"].iloc[0] == -12.5  # numbers are not text


def test_pages_offer_escaped_downloads_and_no_raw_export(monkeypatch, serving_db):
    at = rerun(run_app(monkeypatch, serving_db, "owner").switch_page(OVERVIEW_PAGE))
    buttons = [e for e in at.get("download_button")]
    assert buttons, "the Overview's numbers table has a download"
    from streamlit import config

    assert config.get_option("client.disableDataExport") is True


# --- users from the CLI -----------------------------------------------------------------------------------------------
def test_users_add_prints_the_password_once_and_it_logs_in(monkeypatch, serving_db, tmp_path, capsys):
    from dagster_project.cli import main

    config = tmp_path / "auth" / "users.yaml"
    monkeypatch.setenv("EMPATHY_LAKE_AUTH_CONFIG", str(config))
    location = sql(serving_db, "SELECT max(location) FROM marts.customer_nps_monthly")[0][0]
    assert main(["users", "add", "dana", "--role", "manager", "--location", location]) == 0
    first = capsys.readouterr().out
    password = first.splitlines()[2].split()[-1]
    stored = yaml.safe_load(config.read_text())["credentials"]["usernames"]["dana"]
    assert password not in config.read_text() and bcrypt.checkpw(password.encode(), stored["password"].encode())
    assert stored["password"].startswith("$2b$12$")  # the CLI's work factor (the test users' is lower, D633)
    assert oct(config.stat().st_mode & 0o777) == "0o600"

    assert main(["users", "add", "eve", "--role", "director"]) == 2  # unknown role: nothing written
    assert "eve" not in config.read_text()

    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(serving_db))
    at = submit_login(AppTest.from_file(APP, default_timeout=TIMEOUT).run(), Login("dana", password))
    at = rerun(at.switch_page(OVERVIEW_PAGE))
    assert at.multiselect(key="locations").options == [location]

    assert main(["users", "add", "dana", "--role", "manager", "--location", location]) == 0  # reset
    again = yaml.safe_load(config.read_text())["credentials"]["usernames"]["dana"]
    assert not bcrypt.checkpw(password.encode(), again["password"].encode())


def test_demo_users_are_created_once(monkeypatch, serving_db, tmp_path, capsys):
    from dagster_project.cli import demo_users
    from dagster_project.settings import get_settings

    monkeypatch.setenv("EMPATHY_LAKE_HOME", str(tmp_path))
    monkeypatch.setenv("EMPATHY_LAKE_SERVING_DB", str(serving_db))
    monkeypatch.delenv("EMPATHY_LAKE_AUTH_CONFIG", raising=False)
    settings = get_settings()
    demo_users(settings)
    table = capsys.readouterr().out
    assert settings.auth_config == (tmp_path / "auth" / "users.yaml").resolve()
    created = {line.split()[0]: line.split()[-1] for line in table.splitlines()[2:-1]}
    assert set(created) == {"owner", "hr", "analyst", "steward", "location-manager"}  # the fixture has no teams
    stored = yaml.safe_load(settings.auth_config.read_text())["credentials"]["usernames"]
    assert all(bcrypt.checkpw(p.encode(), stored[u]["password"].encode()) for u, p in created.items())
    assert {stored[u]["password"][:7] for u in created} == {"$2b$12$"}
    demo_users(settings)
    assert not any(p in capsys.readouterr().out for p in created.values())  # printed once only


def test_pipeline_processes_do_not_import_the_authenticator():
    code = "import sys, dagster_project.cli, dagster_project.users; print('streamlit_authenticator' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ)
    assert result.stdout.strip() == "False"


def test_auth_setting_matches_the_pipeline(monkeypatch, tmp_path):
    from dagster_project.settings import get_settings
    from streamlit_app.settings import auth_config_path

    monkeypatch.delenv("EMPATHY_LAKE_AUTH_CONFIG", raising=False)
    monkeypatch.setenv("EMPATHY_LAKE_HOME", str(tmp_path))
    assert auth_config_path() == get_settings().auth_config
    monkeypatch.setenv("EMPATHY_LAKE_AUTH_CONFIG", str(tmp_path / "elsewhere.yaml"))
    assert auth_config_path() == get_settings().auth_config == (tmp_path / "elsewhere.yaml").resolve()
