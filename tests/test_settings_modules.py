"""The environment is read in the two settings modules only (dagster_project/settings.py and, for the dashboard
that deploys alone, streamlit_app/settings.py): a setting has one place that reads it and documents it. Passing
the environment on to a child process (`{**os.environ, ...}`) or writing to it is not reading a setting."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_MODULES = {ROOT / "dagster_project" / "settings.py", ROOT / "streamlit_app" / "settings.py"}
# os.environ.get(...), os.getenv(...), os.environ["X"] read as a value (an assignment target is a write).
READ = re.compile(r"os\.environ\.get\(|os\.getenv\(|os\.environ\[[^\]]+\](?!\s*=[^=])")


def reads(text: str) -> list[str]:
    """The lines of a module's `text` that read the environment."""
    return [line.strip() for line in text.splitlines() if READ.search(line)]


def test_only_the_settings_modules_read_the_environment():
    files = [*(ROOT / "dagster_project").rglob("*.py"), *(ROOT / "streamlit_app").rglob("*.py")]
    found = {
        str(path.relative_to(ROOT)): lines
        for path in files
        if path not in SETTINGS_MODULES and (lines := reads(path.read_text(encoding="utf-8")))
    }
    assert not found


def test_a_read_of_the_environment_is_found():
    """The check finds the reads this session moved into dagster_project/settings.py, as they were written in
    alerts/notify.py and run_history.py; a write or a pass-through is not a read."""
    moved = [
        'urls = tuple(u.strip() for u in os.environ.get("EMPATHY_LAKE_ALERT_URLS", "").split(","))',
        'explicit = os.environ.get("DAGSTER_HOME", "").strip()',
        'home = os.environ["DAGSTER_HOME"]',
        'key = os.getenv("EMPATHY_LAKE_PII_KEY")',
    ]
    harmless = ['os.environ["X"] = "written"', "env = {**os.environ, **extra}", 'os.environ.setdefault("A", "b")']
    assert reads("\n".join(moved + harmless)) == moved
