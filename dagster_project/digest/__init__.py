"""The weekly digest: one message per owner with the headline numbers of their locations and teams and their
open alerts, sent through the alert channel (dagster_project/alerts/notify.py) — dry-run unless asked to send.

`empathy-lake digest [--owner NAME] [--send]` (digest/command.py) and the weekly Dagster schedule
(schedules.py, off unless switched on) both call `run_digests`. Everything comes from the published serving
copy, read-only, so a digest never waits for or blocks a pipeline run:

- owners: marts.alert_owners (the seed alert_owners.csv: owner -> location / team), plus the owner of any
  open alert not named there (the alert log's default "<scope> manager: <value>"), for the location or team
  of those alerts: nobody with an open alert is left without a digest;
- headline numbers: marts.kpi_summary, each KPI at its latest period, for every location / team of the owner,
  beside the whole business;
- open alerts: meta.alerts with status open and this owner.

Each digest is rendered twice from Jinja2 templates (digest/templates): HTML with inline styles (mail clients
drop <style> blocks) and autoescaping, and plain text. Both are always written under the lake
(<home>/digests/<date>/); with sending on, the HTML goes to every channel that takes HTML (e-mail, JSON and
form webhooks...) and the text to the others, and a failed send is printed and makes the command fail.
"""
