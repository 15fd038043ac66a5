"""Dashboard users for the tests, and logging in through the real login form (AppTest).

The users are written by the CLI's own code (dagster_project/users.add_users: bcrypt hashes, a fresh cookie
key) into a temporary login settings file; the tests point EMPATHY_LAKE_AUTH_CONFIG at it, the setting a real
deployment uses. Nothing in the dashboard knows about tests.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from streamlit.testing.v1 import AppTest

LOCATION = "Cambridge"  # the fixture's and the generated business's locations include it
TEAM = "Customer Support"


@dataclass(frozen=True)
class Login:
    username: str
    password: str


@dataclass(frozen=True)
class DashboardUsers:
    config: Path
    logins: dict[str, Login]  # username -> login

    def __getitem__(self, username: str) -> Login:
        return self.logins[username]


def user_specs(location: str = LOCATION, team: str = TEAM) -> list[dict]:
    return [
        {"username": "owner", "role": "owner", "name": "Olive Owner"},
        {"username": "hr", "role": "hr", "name": "Harriet HR"},
        {"username": "analyst", "role": "analyst", "name": "Ann Analyst"},
        {"username": "steward", "role": "steward", "name": "Stu Steward"},
        {"username": "location-manager", "role": "manager", "name": "Lou Manager", "location": location},
        {"username": "team-manager", "role": "manager", "name": "Tim Manager", "team": team},
    ]


# bcrypt's work factor (log2 of its rounds) for the tests' users. The CLI's hashes cost 12, on purpose about a quarter
# of a second of CPU per login check; a test run logs in some three hundred times. The test users' hashes are
# written by the same code, as real bcrypt hashes of cost 4, and the login form checks them as it checks any
# (D633). That the CLI itself still writes cost 12: tests/test_dashboard_roles.py, users add and demo users.
TEST_BCRYPT_COST = 4


def write_users(directory: Path, specs: list[dict] | None = None) -> DashboardUsers:
    import bcrypt

    from dagster_project.users import add_users

    config = directory / "auth" / "users.yaml"
    with mock.patch.object(bcrypt, "gensalt", functools.partial(bcrypt.gensalt, rounds=TEST_BCRYPT_COST)):
        created = add_users(config, specs or user_specs())
    return DashboardUsers(config, {u.username: Login(u.username, u.password) for u in created})


@functools.cache
def session_users() -> DashboardUsers:
    """One settings file per test process: every role, random passwords."""
    directory = Path(tempfile.mkdtemp(prefix="empathy_lake_users_"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return write_users(directory)


def submit_login(at: AppTest, login: Login | None, timeout: float | None = None) -> AppTest:
    """Fill the login form of a freshly run app and submit it (no login: return the app as it is)."""
    if login is None:
        return at
    [username] = [t for t in at.text_input if t.label == "Username"]
    [password] = [t for t in at.text_input if t.label == "Password"]
    username.input(login.username)
    password.input(login.password)
    [button] = [b for b in at.button if b.label == "Log in"]
    button.click()
    return at.run(timeout=timeout)
