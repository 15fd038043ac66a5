"""Who may see what on the dashboard: its pages, the roles, each viewer's row scope, and the login settings
file that holds users (hashed passwords) and roles.

Pure Python, no Streamlit: the dashboard reads the file through `load_config` (streamlit_app/login.py), the
CLI writes it (`empathy-lake users add`, `empathy-lake demo`; dagster_project/users.py) through
`add_user`/`write_config`, so both sides validate it with the same code. The dashboard never writes it.

The file (YAML; streamlit-authenticator's `credentials` layout, plus `roles`):

    cookie: {name: empathy_lake_login, key: <random, generated per install>, expiry_days: 1}
    roles:                       # which pages a role sees; `scoped: true` = only the user's location or team
      owner: {label: Owner, pages: [overview, customer_empathy, ...]}
      manager: {label: Location or team manager, pages: [...], scoped: true}
    credentials:
      usernames:
        cambridge: {name: Cambridge manager, password: <bcrypt hash>, roles: [manager], location: Cambridge}

Rows are limited where they are read (streamlit_app/warehouse.scoped_table), never by hiding widgets.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

COOKIE_NAME = "empathy_lake_login"
COOKIE_EXPIRY_DAYS = 1
SCOPE_KINDS = ("location", "team")  # what a scoped user's rows are limited to; a user has exactly one


@dataclass(frozen=True)
class Page:
    title: str
    icon: str
    # The row scopes this page's data can be limited to. A scoped viewer only gets pages whose marts have
    # their dimension (a team manager gets no customer page: the customer marts have no team).
    scopes: tuple[str, ...]

    def path(self, key: str) -> str:
        return f"app_pages/{key}.py"


PAGES: dict[str, Page] = {
    # First, so it is the default page: the headline KPIs of the areas the viewer's role sees (D146-D159).
    "summary": Page("This week", ":material/today:", ("location", "team")),
    "overview": Page("Overview", ":material/monitoring:", ("location",)),
    "customer_empathy": Page("Customer empathy", ":material/favorite:", ("location",)),
    "employee_empathy": Page("Employee empathy", ":material/groups:", ("location", "team")),
    "brand_voice": Page("Brand & voice", ":material/campaign:", ("location",)),
    "alerts": Page("Alerts", ":material/notification_important:", ("location", "team")),
    # Per support agent (pseudonymous) × the tickets' location: a location manager reads their location's tickets
    # only; the support team's manager (the mart's `team`, dbt var support_team) reads every agent.
    "support_team": Page("Support team", ":material/support_agent:", ("location", "team")),
    "data_quality": Page("Data quality", ":material/fact_check:", ()),
    # Organisation-wide: every effect compares units with and without an initiative, so it is built from other
    # locations' and teams' data; no row scope can narrow it (docs/decisions.md D97).
    "impact_roi": Page("Impact & ROI", ":material/trending_up:", ()),
}

# Written into a new login settings file; the dashboard reads the roles from the file, not from here.
DEFAULT_ROLES: dict[str, dict[str, Any]] = {
    "owner": {"label": "Owner", "pages": list(PAGES)},
    "hr": {"label": "HR", "pages": ["summary", "employee_empathy"]},
    "manager": {
        "label": "Location or team manager",
        "pages": [
            "summary",
            "overview",
            "customer_empathy",
            "employee_empathy",
            "brand_voice",
            "alerts",
            "support_team",
        ],
        "scoped": True,
    },
    "analyst": {
        "label": "Analyst",
        "pages": ["summary", "overview", "customer_empathy", "brand_voice", "impact_roi"],
    },
    "steward": {"label": "Data steward", "pages": ["data_quality"]},
}


# The detail pages whose numbers the summary page shows, one area each (the Alerts page: its open alerts). A role
# sees the summary of the areas among its pages only, so the summary never shows a number the role's other
# pages do not. A login file written before the summary existed lists no `summary`: a role that lists any of
# these pages gets it first, as its default page (D150).
SUMMARY_AREA_PAGES = ("customer_empathy", "employee_empathy", "brand_voice", "alerts")


def with_summary(pages: list[str]) -> tuple[str, ...]:
    """A role's pages with the summary first when the role sees any of its areas (an older file lists none)."""
    if "summary" in pages:
        return ("summary", *(p for p in pages if p != "summary"))
    if any(p in SUMMARY_AREA_PAGES for p in pages):
        return ("summary", *pages)
    return tuple(pages)


class ConfigMissingError(FileNotFoundError):
    """No login settings file: the dashboard shows nobody anything (fails closed)."""


class ConfigError(ValueError):
    """The login settings file is unusable; the message names the file, the user or role, and the field."""


@dataclass(frozen=True)
class Scope:
    """The rows a viewer may read: everything, one location's, one team's, or (fail closed) none."""

    everything: bool = False
    location: str | None = None
    team: str | None = None

    @classmethod
    def all_rows(cls) -> Scope:
        return cls(everything=True)

    @property
    def kind(self) -> str:
        if self.everything:
            return "all"
        if self.location is not None:
            return "location"
        return "team" if self.team is not None else "none"

    @property
    def value(self) -> str | None:
        return self.location if self.location is not None else self.team

    def describe(self) -> str:
        return {
            "all": "all rows",
            "location": f"location {self.location} only",
            "team": f"team {self.team} only",
            "none": "no rows",
        }[self.kind]


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    pages: tuple[str, ...]
    scoped: bool


@dataclass(frozen=True)
class User:
    username: str
    name: str
    role: Role
    location: str | None = None
    team: str | None = None

    @property
    def scope(self) -> Scope:
        if not self.role.scoped:
            return Scope.all_rows()
        return Scope(location=self.location, team=self.team)

    @property
    def pages(self) -> tuple[str, ...]:
        """The role's pages this user can be shown: all of them for an unscoped role; for a scoped one, those
        whose data has the user's scope dimension."""
        scope = self.scope
        if scope.everything:
            return self.role.pages
        return tuple(p for p in self.role.pages if scope.kind in PAGES[p].scopes)


@dataclass(frozen=True)
class AccessConfig:
    cookie_name: str
    cookie_key: str
    cookie_expiry_days: float
    roles: dict[str, Role]
    users: dict[str, User]
    credentials: dict[str, Any]  # streamlit-authenticator's `credentials` (usernames -> name, password, roles)

    def roles_by_place(self) -> dict[tuple[str, str], str]:
        """(scope kind, location or team) -> the label of the role of the user(s) scoped to it, in words
        ("Location or team manager"; two roles at one place: both labels, joined with "and")."""
        found: dict[tuple[str, str], list[str]] = {}
        for user in self.users.values():
            scope = user.scope
            if scope.kind in ("location", "team") and scope.value is not None:
                labels = found.setdefault((scope.kind, scope.value), [])
                if user.role.label not in labels:
                    labels.append(user.role.label)
        return {place: " and ".join(labels) for place, labels in found.items()}


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a mapping")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} must be a non-empty text")
    return value


def _roles(raw: Any, source: str) -> dict[str, Role]:
    roles = {}
    for name, spec in _mapping(raw, f"{source}: `roles`").items():
        where = f"{source}: role {name!r}"
        spec = _mapping(spec, where)
        pages = spec.get("pages")
        if not isinstance(pages, list) or not all(isinstance(p, str) for p in pages):
            raise ConfigError(f"{where}: `pages` must be a list of page names")
        unknown = [p for p in pages if p not in PAGES]
        if unknown:
            raise ConfigError(f"{where}: `pages` holds {len(unknown)} unknown page name(s); known: {', '.join(PAGES)}")
        scoped = spec.get("scoped", False)
        if not isinstance(scoped, bool):
            raise ConfigError(f"{where}: `scoped` must be true or false")
        label = _text(spec.get("label", name), f"{where}: `label`")
        roles[str(name)] = Role(str(name), label, with_summary(pages), scoped)
    return roles


def _user(username: str, raw: Any, roles: dict[str, Role], source: str) -> User:
    where = f"{source}: user {username!r}"
    raw = _mapping(raw, where)
    _text(raw.get("password"), f"{where}: `password`")
    user_roles = raw.get("roles")
    if not isinstance(user_roles, list) or len(user_roles) != 1 or user_roles[0] not in roles:
        raise ConfigError(f"{where}: `roles` must list exactly one of {', '.join(roles)}")
    role = roles[user_roles[0]]
    where_set = {kind: raw.get(kind) for kind in SCOPE_KINDS if raw.get(kind) is not None}
    for kind, value in where_set.items():
        _text(value, f"{where}: `{kind}`")
    if role.scoped and len(where_set) != 1:
        raise ConfigError(f"{where}: role {role.name!r} needs exactly one of `location` or `team`")
    if not role.scoped and where_set:
        raise ConfigError(f"{where}: role {role.name!r} sees all rows; remove `{'`, `'.join(where_set)}`")
    return User(username, str(raw.get("name") or username), role, where_set.get("location"), where_set.get("team"))


def parse_config(raw: Any, source: str) -> AccessConfig:
    """Validate the file's content; `source` names it in every error."""
    raw = _mapping(raw, f"{source}: the file")
    cookie = _mapping(raw.get("cookie"), f"{source}: `cookie`")
    key = _text(cookie.get("key"), f"{source}: `cookie.key`")
    if len(key) < 32:
        raise ConfigError(f"{source}: `cookie.key` is too short (at least 32 characters)")
    expiry = cookie.get("expiry_days", COOKIE_EXPIRY_DAYS)
    if not isinstance(expiry, int | float) or expiry < 0:
        raise ConfigError(f"{source}: `cookie.expiry_days` must be a number of days, 0 or more")
    roles = _roles(raw.get("roles"), source)
    credentials = _mapping(raw.get("credentials"), f"{source}: `credentials`")
    usernames = _mapping(credentials.get("usernames"), f"{source}: `credentials.usernames`")
    users = {str(name): _user(str(name), spec, roles, source) for name, spec in usernames.items()}
    return AccessConfig(
        cookie_name=_text(cookie.get("name", COOKIE_NAME), f"{source}: `cookie.name`"),
        cookie_key=key,
        cookie_expiry_days=float(expiry),
        roles=roles,
        users=users,
        credentials={"usernames": {name: dict(spec) for name, spec in usernames.items()}},
    )


def read_raw(path: Path, source: str | None = None) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigMissingError(str(path)) from exc
    try:
        # libyaml's safe loader where installed (the same safe YAML, ~8× faster: every page run reads the file)
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ConfigError(
            f"{source or path}: not valid YAML" + (f" (line {line + 1})" if line is not None else "")
        ) from None


def load_config(path: Path, source: str | None = None) -> AccessConfig:
    """The file at `path`, validated; errors name it as `source` (the dashboard shows no file paths)."""
    return parse_config(read_raw(path, source), source or str(path))


# --- writing (the CLI only) ----------------------------------------------------------------------------------
def new_config(cookie_key: str) -> dict[str, Any]:
    return {
        "cookie": {"name": COOKIE_NAME, "key": cookie_key, "expiry_days": COOKIE_EXPIRY_DAYS},
        "roles": {name: dict(spec) for name, spec in DEFAULT_ROLES.items()},
        "credentials": {"usernames": {}},
    }


def add_user(
    raw: dict[str, Any],
    username: str,
    password_hash: str,
    role: str,
    name: str | None = None,
    location: str | None = None,
    team: str | None = None,
) -> None:
    """Add or replace one user in a file's content (validated by the caller with parse_config)."""
    entry: dict[str, Any] = {"name": name or username, "password": password_hash, "roles": [role]}
    entry.update({k: v for k, v in (("location", location), ("team", team)) if v is not None})
    raw.setdefault("credentials", {}).setdefault("usernames", {})[username] = entry


def write_config(path: Path, raw: dict[str, Any]) -> None:
    """Validate, then replace the file atomically, readable by its owner only (it holds the cookie key)."""
    parse_config(raw, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".users-", suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            yaml.safe_dump(raw, out, sort_keys=False, allow_unicode=True)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
