"""Render each owner's digest (HTML and plain text), write both under the lake, and send them when asked."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from dagster_project.alerts.notify import NotifySettings, redact
from dagster_project.alerts.notify import _send as send_message
from dagster_project.digest.build import Digest, OwnerDigest, collect_digests
from streamlit_app.labels import owner_words  # the Alerts page's owner in words: one definition

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
    no_address: list[str] = field(default_factory=list)  # owners whose digest had nowhere to go (not sent)


class RecipientsError(ValueError):
    """The recipients file cannot be read as owner,url rows (the message says why, in plain words)."""


def load_recipients(path: Path) -> dict[str, tuple[str, ...]]:
    """Each owner's own apprise URLs from the recipients file (settings.digest_recipients_path): a CSV with the
    header owner,url and one URL a row (an owner with two addresses has two rows). No file: nobody has a route.
    The file holds addresses and secrets: it lives outside the repository, and its URLs are never printed whole."""
    if not path.exists():
        return {}
    routes: dict[str, list[str]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not {"owner", "url"} <= set(reader.fieldnames or ()):
            raise RecipientsError(
                f"The digest recipients file {path.name} needs a first line 'owner,url' (it has "
                f"{', '.join(reader.fieldnames or ()) or 'nothing'})."
            )
        for number, row in enumerate(reader, start=2):
            owner, url = (row.get("owner") or "").strip(), (row.get("url") or "").strip()
            if not owner or not url:
                raise RecipientsError(
                    f"Line {number} of the digest recipients file {path.name} lacks an owner or a URL."
                )
            routes.setdefault(owner, []).append(url)
    return {owner: tuple(dict.fromkeys(urls)) for owner, urls in routes.items()}


def routes_for(owner: OwnerDigest, recipients: dict[str, tuple[str, ...]], settings: NotifySettings) -> tuple[str, ...]:
    """Where one owner's digest goes: their own URLs from the recipients file and, only when every scope of the
    owner covers the whole business (so the digest names no location's or team's numbers), the shared alert
    channel (EMPATHY_LAKE_ALERT_URLS) too. Nobody else's digest ever reaches the shared channel (D257)."""
    shared = settings.urls if owner.whole_business else ()
    return tuple(dict.fromkeys(recipients.get(owner.owner, ()) + tuple(shared)))


def render(owner: OwnerDigest, digest: Digest, today: dt.date) -> Rendered:
    week = f"week of {today - dt.timedelta(days=today.weekday()):%d %b %Y}"
    context = {
        "digest": owner,
        "owner": owner_words(owner.owner),  # "The owner of team Sales", never the raw "team manager: Sales"
        "week": week,
        "published": f"{digest.published_at:%d %b %Y %H:%M}" if digest.published_at else "",
        "notes": digest.notes,
    }
    title = f"Empathy Lake weekly digest for {context['owner']} ({week})"
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


class NotPublishedError(RuntimeError):
    """No serving copy yet: there is nothing to digest."""


def prepare(settings) -> tuple[NotifySettings, dict[str, tuple[str, ...]], Path]:
    """What both the `digest` command and the weekly job read before running: the alert channel settings, each
    owner's addresses (the recipients file) and today's output folder. Raises NotPublishedError or
    RecipientsError; each caller says it its own way."""
    from dagster_project.settings import digest_recipients_path

    if not settings.serving_db.exists():
        raise NotPublishedError
    recipients = load_recipients(digest_recipients_path(settings))
    return NotifySettings.from_env(), recipients, settings.digests_dir / f"{dt.date.today():%Y-%m-%d}"


def run_digests(
    serving_db: Path,
    folder: Path,
    *,
    send: bool,
    settings: NotifySettings | None = None,
    recipients: dict[str, tuple[str, ...]] | None = None,
    owner: str | None = None,
    today: dt.date | None = None,
    log: Callable[[str], None] = print,
) -> DigestRun:
    """Render every owner's digest (or `owner`'s) into `folder`; with `send`, send each to that owner's own
    routes alone (routes_for). Never raises for a failed send: it is logged and listed in `failed`; an owner with
    no route is logged and listed in `no_address`."""
    recipients = recipients or {}
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
        routes = routes_for(owner_digest, recipients, settings)
        if not routes:
            run.no_address.append(rendered.owner)
            continue
        for url in routes:
            ok, error = send_message(url, rendered.title, rendered.text, html=rendered.html)
            (run.sent if ok else run.failed).append(f"{rendered.owner} -> {redact(url)}" + ("" if ok else f": {error}"))
    for line in run.failed:
        log(f"digest NOT sent: {line}")
    for name in run.no_address:
        log(f"digest not sent: {name}: no address (add a row for them to the digest recipients file)")
    if owner is None:
        for name in sorted(set(recipients) - {d.owner for d in digest.owners}):
            log(f"note: the digest recipients file names {name!r}, who is not an owner, so nothing goes to them")
    where = f"{len(digest.owners)} digests (HTML and text) written to {folder}"
    if send:
        log(f"{where}; sent {len(run.sent)}, failed {len(run.failed)}, not sent (no address) {len(run.no_address)}")
    else:
        log(f"{where}; dry run, nothing sent (`empathy-lake digest --send` sends them)")
    return run
