"""The dashboard's login and per-page access check (Streamlit side of streamlit_app/access.py).

- The login settings file (streamlit_app/settings.auth_config_path) is read, never written: the
  authenticator gets its credentials as a dict, so it keeps its login bookkeeping in memory. No file, or an
  unusable one, means nobody sees anything (fails closed) and the page says how to create users.
- streamlit-authenticator checks the password (bcrypt) or its signed re-login cookie and then writes
  `authentication_status` and `username` into the session state. The session state is not proof of a login
  (anything in the process can write it), so at that moment this module adds its own mark: an HMAC of the
  username under a key made fresh in each server process. Every page checks the mark (`require_page`); a
  session state that claims a login without it is cleared and gets the login form.
- `require_page` refuses a page outside the user's role even when it is reached by its URL; `app.py` also
  leaves such pages out of the navigation.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

import streamlit as st

from streamlit_app import access
from streamlit_app.settings import auth_config_path

_PROCESS_KEY = secrets.token_bytes(32)
_MARK = "empathy_lake_login_mark"
_AUTH_KEYS = ("authentication_status", "username", "name", "email", "roles")
SETTINGS_SOURCE = "The login settings file"
NO_USERS_MESSAGE = (
    "This dashboard requires a login, and no users have been set up yet, so it shows nothing. Create the demo "
    "users (one per role) with `make demo`, or add a user with `uv run empathy-lake users add NAME --role owner` "
    "(it prints the password once), then reload this page."
)


def _sign(username: str) -> str:
    return hmac.new(_PROCESS_KEY, username.encode("utf-8"), hashlib.sha256).hexdigest()


def _marked_username() -> str | None:
    username, mark = st.session_state.get("username"), st.session_state.get(_MARK)
    if not st.session_state.get("authentication_status") or not isinstance(username, str):
        return None
    if not isinstance(mark, str) or not hmac.compare_digest(mark, _sign(username)):
        return None
    return username


def _load_config() -> access.AccessConfig | None:
    """The validated settings, or None after telling the viewer why nothing is shown."""
    try:
        return access.load_config(auth_config_path(), SETTINGS_SOURCE)
    except access.ConfigMissingError:
        st.error(NO_USERS_MESSAGE, icon=":material/lock:")
    except access.ConfigError as exc:
        st.error(
            f"This dashboard requires a login, and its login settings cannot be used, so it shows nothing. "
            f"{exc}. Fix the file, or add a user again with `uv run empathy-lake users add`.",
            icon=":material/lock:",
        )
    return None


def current_user() -> access.User | None:
    """The user this session logged in as (checked mark), from the current settings; None otherwise."""
    username = _marked_username()
    if username is None:
        return None
    try:
        config = access.load_config(auth_config_path(), SETTINGS_SOURCE)
    except (access.ConfigMissingError, access.ConfigError):
        return None
    return config.users.get(username)


def roles_by_place() -> dict[tuple[str, str], str]:
    """The role label of whoever the login file scopes to each location or team (access.AccessConfig); empty
    when the file cannot be read (the page that asks has already let its viewer in)."""
    try:
        return access.load_config(auth_config_path(), SETTINGS_SOURCE).roles_by_place()
    except (access.ConfigMissingError, access.ConfigError):
        return {}


def require_page(page: str) -> access.User:
    """The viewer, if their role may see `page`; otherwise a refusal and the end of this page's run."""
    user = current_user()
    if user is None or page not in user.pages:
        st.error("This page is not available to you. Pick a page from the menu on the left.", icon=":material/block:")
        st.stop()
    return user


def _remember(authenticator) -> None:
    """Set the signed re-login cookie outside the (now emptied) form. The authenticator sets it from inside
    login(), that is inside the form's container, and emptying the container (or a rerun) removes its cookie
    component before the browser runs it, so a reload would ask for the password again."""
    model = authenticator.cookie_controller.cookie_model
    if not model.cookie_expiry_days:
        return
    model.exp_date = model._set_exp_date()
    model.cookie_manager.set(
        model.cookie_name,
        model._token_encode(),
        key="empathy_lake_remember",
        expires_at=datetime.now() + timedelta(days=model.cookie_expiry_days),
    )


def log_in() -> tuple[access.User, Callable[[], None]]:
    """Show the login form until a user of the settings file has logged in; then their user, and the function
    that draws who is logged in and the log-out button (in the sidebar, where app.py wants it)."""
    config = _load_config()
    if config is None:
        st.stop()
    if _marked_username() is None:
        # Whatever the session state claims, no login happened here: start from nothing.
        for key in (*_AUTH_KEYS, _MARK):
            st.session_state.pop(key, None)
    import streamlit_authenticator as stauth  # only the dashboard imports it (it needs a Streamlit runtime)

    authenticator = stauth.Authenticate(
        copy.deepcopy(config.credentials),
        config.cookie_name,
        config.cookie_key,
        config.cookie_expiry_days,
        auto_hash=False,
        login_sleep_time=0,
    )
    fresh = _marked_username() is None
    form = st.empty()
    try:
        with form.container():
            authenticator.login(location="main", fields={"Form name": "Log in to Empathy Lake", "Login": "Log in"})
    except stauth.utilities.LoginError:
        st.session_state["authentication_status"] = None  # a re-login cookie for a user no longer in the file
    status = st.session_state.get("authentication_status")
    user = config.users.get(st.session_state.get("username") or "") if status else None
    if user is None:
        if status:  # logged in as a user since removed from the file: back to the form
            for key in (*_AUTH_KEYS, _MARK):
                st.session_state.pop(key, None)
            st.rerun()
        if status is False:
            st.error("Wrong username or password.")
        st.stop()
    st.session_state[_MARK] = _sign(user.username)
    if fresh:
        form.empty()  # the pages replace the form in this run
        _remember(authenticator)

    def account() -> None:
        with st.sidebar:
            st.markdown(f"**{user.name}** · {user.role.label}")
            if not user.scope.everything:
                st.caption(f"You see {user.scope.describe()}.")
            # Not key="logout": the library keeps its own st.session_state["logout"], which a button would lock.
            authenticator.logout("Log out", location="sidebar", key="empathy_lake_logout")
        if not st.session_state.get("authentication_status"):
            st.session_state.pop(_MARK, None)
            st.rerun()

    return user, account
