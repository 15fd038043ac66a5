"""Dashboard users for the CLI: `empathy-lake users add` and the demo users of `empathy-lake demo`.

Writes the login settings file (Settings.auth_config) that the dashboard only reads. Its layout, the roles
and their validation are streamlit_app/access.py's (one definition for both sides; that module is plain Python
and imports no Streamlit). Passwords are random, printed once and stored as bcrypt hashes (what
streamlit-authenticator checks); the cookie key that signs re-login cookies is generated per install.
streamlit_authenticator itself is not imported here: it needs a Streamlit runtime and warns without one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import duckdb

from streamlit_app import access

PASSWORD_BYTES = 12  # token_urlsafe: 16 characters


@dataclass(frozen=True)
class NewUser:
    username: str
    role: str
    sees: str
    password: str


def _hash(password: str) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def _read_or_new(path: Path) -> dict:
    try:
        return access.read_raw(path)
    except access.ConfigMissingError:
        return access.new_config(secrets.token_urlsafe(48))


def add_users(path: Path, specs: list[dict]) -> list[NewUser]:
    """Add (or reset) users, each spec: username, role, and for a scoped role location or team (optional name).
    Creates the file, with a fresh cookie key and the default roles, when there is none. Validates the whole
    file before replacing it, so a bad request changes nothing."""
    raw = _read_or_new(path)
    passwords = {}
    for spec in specs:
        passwords[spec["username"]] = secrets.token_urlsafe(PASSWORD_BYTES)
        access.add_user(raw, password_hash=_hash(passwords[spec["username"]]), **spec)
    access.write_config(path, raw)
    users = access.parse_config(raw, str(path)).users
    return [
        NewUser(name, users[name].role.label, users[name].scope.describe(), password)
        for name, password in passwords.items()
    ]


def _first_value(serving_db: Path, table: str, column: str) -> str | None:
    """The most common non-empty value of a column in the serving copy (the demo manager's location / team)."""
    try:
        with duckdb.connect(str(serving_db), read_only=True) as con:
            row = con.execute(
                f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
            ).fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


def demo_specs(serving_db: Path) -> list[dict]:
    """One user per role; the manager role twice when the data has them: a location and a team manager."""
    specs = [
        {"username": "owner", "role": "owner", "name": "Owner"},
        {"username": "hr", "role": "hr", "name": "HR"},
        {"username": "analyst", "role": "analyst", "name": "Analyst"},
        {"username": "steward", "role": "steward", "name": "Data steward"},
    ]
    location = _first_value(serving_db, "marts.customer_nps_monthly", "location")
    if location:
        specs.append({"username": "location-manager", "role": "manager", "name": f"{location} manager"})
        specs[-1]["location"] = location
    team = _first_value(serving_db, "marts.employee_headcount_monthly", "team")
    if team:
        specs.append({"username": "team-manager", "role": "manager", "name": f"{team} manager", "team": team})
    return specs


def format_new_users(users: list[NewUser], path: Path) -> str:
    """The one time the passwords are shown: a short table."""
    rows = [("user", "role", "sees", "password"), *((u.username, u.role, u.sees, u.password) for u in users)]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(
        [f"Dashboard users (passwords are shown only now; stored hashed in {path}):", *lines]
        + ["Reset a password or add a user: uv run empathy-lake users add NAME --role ROLE [--location L | --team T]"]
    )
