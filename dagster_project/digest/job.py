"""The weekly digest as a Dagster job (run by the weekly schedule in schedules.py, or by hand in the UI).

It sends when the alert channel does (EMPATHY_LAKE_ALERT_SEND=1) and is a dry run otherwise, like the alert
notifications; each owner's digest goes to their own addresses (the recipients file, deliver.routes_for). A failed
send fails the run, so it shows red in the run history; an owner without an address is logged as a warning.
"""

import datetime as dt

import dagster as dg

DIGEST_JOB_NAME = "empathy_lake_weekly_digest"


@dg.op(description="Render each owner's weekly digest from the serving copy; send it when sending is on.")
def weekly_digest(context: dg.OpExecutionContext) -> None:
    from dagster_project.digest.deliver import NotPublishedError, RecipientsError, prepare, run_digests
    from dagster_project.settings import get_settings

    settings = get_settings()
    try:
        notify, recipients, folder = prepare(settings)
    except NotPublishedError as exc:
        raise dg.Failure("Nothing is published yet, so there is no digest to send.") from exc
    except RecipientsError as exc:
        raise dg.Failure(str(exc)) from exc
    result = run_digests(
        settings.serving_db,
        folder,
        send=notify.send,
        settings=notify,
        recipients=recipients,
        today=dt.date.today(),
        log=context.log.info,
    )
    for name in result.no_address:
        context.log.warning(f"The digest of {name} was not sent: they have no address in the recipients file.")
    if result.failed:
        raise dg.Failure(f"{len(result.failed)} digest(s) not sent: " + "; ".join(result.failed))


@dg.job(name=DIGEST_JOB_NAME, description="Each owner's weekly digest of headline numbers and open alerts.")
def weekly_digest_job() -> None:
    weekly_digest()
