"""`empathy-lake digest [--owner NAME] [--send]`: its parser and its handler (cli.py only registers them)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

DESCRIPTION = (
    "Render each owner's weekly digest from the published serving copy: the headline numbers of their locations "
    "and teams (or of the whole business, or its brand) and their open alerts, as HTML and plain text. Owners come "
    "from the dbt seed alert_owners.csv and from the alert log. Without --send it is a dry run: the digests are "
    "written under the lake (<home>/digests/<date>/) and nothing is sent. With --send each owner's digest goes only "
    "to that owner's own apprise URLs in the recipients file (EMPATHY_LAKE_DIGEST_RECIPIENTS, owner,url rows); the "
    "shared alert channel (EMPATHY_LAKE_ALERT_URLS) gets only the digests of whole-business owners. An owner with "
    "no address is printed as not sent; a failed send is printed and the command exits with 1."
)


def add_parser(parser: argparse.ArgumentParser) -> None:
    """The digest's arguments on its subcommand parser (cli.py creates it with the command's help)."""
    parser.add_argument("--owner", metavar="NAME", help="only this owner (as written in alert_owners.csv)")
    parser.add_argument(
        "--send", action="store_true", help="send each digest to its owner's own addresses (default: dry run)"
    )


def run(settings, args: argparse.Namespace) -> int:
    from dagster_project.digest.deliver import NotPublishedError, RecipientsError, prepare, run_digests

    try:
        notify, recipients, folder = prepare(settings)
    except NotPublishedError:
        print("nothing published yet: run `empathy-lake run` first, then send the digest", file=sys.stderr)
        return 2
    except RecipientsError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.send and not notify.urls and not recipients:
        print(
            "--send needs somewhere to send: list each owner's addresses in the digest recipients file "
            "(EMPATHY_LAKE_DIGEST_RECIPIENTS), or set EMPATHY_LAKE_ALERT_URLS for whole-business owners",
            file=sys.stderr,
        )
        return 2
    try:
        result = run_digests(
            settings.serving_db,
            folder,
            send=args.send,
            settings=notify,
            recipients=recipients,
            owner=args.owner,
            today=dt.date.today(),
        )
    except KeyError as exc:
        owner, known = exc.args
        print(f"no owner called {owner!r}; the owners are: {', '.join(known) or 'none'}", file=sys.stderr)
        return 2
    return 1 if result.failed else 0
