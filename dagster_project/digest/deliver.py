"""Render each owner's digest (HTML and plain text), write both under the lake, and send them when asked."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from dagster_project.alerts.notify import NotifySettings, redact
from dagster_project.alerts.notify import _send as send_message
from dagster_project.digest.build import Digest, OwnerDigest, collect_digests

_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("dagster_project.digest", "templates"),
    # HTML is escaped (an owner, a location or an alert's text is data, never markup); the text part is not.
    autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True)
class Rendered:
    owner: str
    title: str
    html: str
    text: str


@dataclass
class DigestRun:
    folder: Path
    written: list[Path] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)  # "owner -> channel"
    failed: list[str] = field(default_factory=list)  # "owner -> channel: why"


def render(owner: OwnerDigest, digest: Digest, today: dt.date) -> Rendered:
    week = f"week of {today - dt.timedelta(days=today.weekday()):%d %b %Y}"
    context = {
        "digest": owner,
        "week": week,
        "published": f"{digest.published_at:%d %b %Y %H:%M}" if digest.published_at else "",
        "notes": digest.notes,
    }
    title = f"Empathy Lake weekly digest for {owner.owner} ({week})"
    return Rendered(
        owner=owner.owner,
        title=title,
        html=_TEMPLATES.get_template("digest.html.j2").render(title=title, **context),
        text=_TEMPLATES.get_template("digest.txt.j2").render(**context),
    )


def file_stem(owner: str, taken: set[str]) -> str:
    """A file name for an owner's digest: lower-case words joined by '-', numbered if two owners collide."""
    stem = re.sub(r"[^a-z0-9]+", "-", owner.lower()).strip("-") or "owner"
    candidate, number = stem, 2
    while candidate in taken:
        candidate, number = f"{stem}-{number}", number + 1
    taken.add(candidate)
    return candidate


def run_digests(
    serving_db: Path,
    folder: Path,
    *,
    send: bool,
    settings: NotifySettings | None = None,
    owner: str | None = None,
    today: dt.date | None = None,
    log: Callable[[str], None] = print,
) -> DigestRun:
    """Render every owner's digest (or `owner`'s) into `folder`; with `send`, send each through every
    configured alert channel. Never raises for a failed send: it is logged and listed in `failed`."""
    settings = settings or NotifySettings.from_env()
    today = today or dt.date.today()
    digest = collect_digests(serving_db, owner)
    run = DigestRun(folder=folder)
    folder.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    for owner_digest in digest.owners:
        rendered = render(owner_digest, digest, today)
        stem = file_stem(rendered.owner, taken)
        for suffix, content in ((".html", rendered.html), (".txt", rendered.text)):
            path = folder / f"{stem}{suffix}"
            path.write_text(content, encoding="utf-8")
            run.written.append(path)
        if not send:
            continue
        if not settings.urls:
            run.failed.append(f"{rendered.owner}: no channel configured (EMPATHY_LAKE_ALERT_URLS is empty)")
            continue
        for url in settings.urls:
            ok, error = send_message(url, rendered.title, rendered.text, html=rendered.html)
            (run.sent if ok else run.failed).append(f"{rendered.owner} -> {redact(url)}" + ("" if ok else f": {error}"))
    for line in run.failed:
        log(f"digest NOT sent: {line}")
    where = f"{len(digest.owners)} digests (HTML and text) written to {folder}"
    if send:
        log(f"{where}; sent {len(run.sent)}, failed {len(run.failed)}")
    else:
        log(f"{where}; dry run, nothing sent (`empathy-lake digest --send` sends them)")
    return run
