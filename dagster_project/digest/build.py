"""What goes into each owner's digest, read from the serving copy and written in plain words."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from streamlit_app import summary as summary_words  # how a summary number reads: one definition
from streamlit_app.formatting import small_sample_note  # the dashboard's small-sample label: one definition
from streamlit_app.labels import alert_reason_words  # an alert's sentence as the dashboard writes it
from streamlit_app.settings import currency_symbol, min_answers  # the dashboard's settings: one definition

SUMMARY_TABLE = "marts.kpi_summary"
OWNERS_TABLE = "marts.alert_owners"
ALERTS_TABLE = "meta.alerts"
MAX_ALERTS = 20  # per digest; the rest are counted, with a pointer to the Alerts page
AREA_ORDER = ("Customers", "Employees", "Brand", "Support")
SCOPE_WORDS = {"location": "Location", "team": "Team"}
# Scopes that cover the whole business: the summary's business-level rows ("business", "All") hold their numbers.
# The brand owner (seed row `brand, All`) gets the business-level Brand KPIs; a `business, All` owner gets them all.
BUSINESS = ("business", "All")
WHOLE_BUSINESS_SCOPES = {"business": ("The whole business", None), "brand": ("The brand, across the business", "Brand")}
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
STATUS_COLOURS = {"on target": "#1b7f3b", "close to target": "#b26a00", "off target": "#b3261e"}

# Each KPI at its latest period (a place without data then shows "no data"), for every scope value.
KPI_SQL = f"""
WITH latest AS (
    SELECT kpi, max(period_start) AS period_start FROM {SUMMARY_TABLE} GROUP BY kpi
)
SELECT s.area, s.kpi, s.kpi_label, s.unit, s.higher_is_better, s.scope, s.scope_value, s.period_start,
    s.period_end, s.value, s.n, s.previous_value, s.previous_n, s.last_year_value, s.last_year_n, s.target,
    s.status, s.decimals, s.n_noun, s.measure
FROM {SUMMARY_TABLE} AS s
JOIN latest USING (kpi, period_start)
"""
ALERTS_SQL = f"""
SELECT owner, severity, scope, scope_value, period, reason
FROM {ALERTS_TABLE}
WHERE status = 'open'
"""


@dataclass(frozen=True)
class KpiLine:
    area: str
    label: str
    period: str
    value: str
    n: str
    change: str
    last_year: str
    business: str  # the whole business's value, for comparison; "" when the owner may not see it
    small_sample: str  # "Few answers (7 of the 30 needed to read it with confidence)", or ""
    target: str
    status: str  # on target / close to target / off target / "" (no target or no data)
    status_colour: str


@dataclass(frozen=True)
class ScopeBlock:
    heading: str  # "Location Leeds"
    kpis: list[KpiLine]


@dataclass(frozen=True)
class AlertLine:
    severity: str  # High / Medium / Low
    period: str
    reason: str


@dataclass(frozen=True)
class OwnerDigest:
    owner: str
    scopes: list[ScopeBlock]
    alerts: list[AlertLine]
    more_alerts: int  # open alerts beyond MAX_ALERTS, not listed
    whole_business: bool  # every scope of the owner covers the whole business: no location's or team's numbers

    @property
    def shows_business(self) -> bool:
        """Whether any of the owner's lines carries the whole business's value (the column is drawn only then)."""
        return any(line.business for block in self.scopes for line in block.kpis)


@dataclass
class Digest:
    """Every owner's digest from one serving copy, and what the copy lacked (said in each message)."""

    published_at: dt.datetime | None
    owners: list[OwnerDigest]
    notes: list[str] = field(default_factory=list)


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?", [schema, name]
        ).fetchone()[0]
    )


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_kpi(value: float | None, unit: str, decimals: int) -> str:
    """A KPI with its unit, written as the summary page writes it (streamlit_app.summary: one definition);
    "no data" when there is none."""
    text = summary_words.format_kpi(value, unit, decimals, currency_symbol())
    return "no data" if text == summary_words.NO_DATA_WORDS else text


def format_change(row: dict, before: float | None, unit: str, decimals: int) -> str:
    """'up 2.0 pts (better)', 'down £3.10 (worse)', 'no change' (rounds to zero as shown); '' when either side has
    no data."""
    delta = summary_words.change(row["value"], before)
    if delta is None:
        return ""
    if round(delta, decimals) == 0:
        return "no change"
    size = summary_words.format_change(abs(delta), 0, unit, decimals, currency_symbol()).lstrip("+")
    direction = "up" if delta > 0 else "down"
    if _missing(row["higher_is_better"]):
        return f"{direction} {size}"
    return f"{direction} {size} ({'better' if (delta > 0) == bool(row['higher_is_better']) else 'worse'})"


def _count(n, noun: str | None) -> str:
    return "" if _missing(n) else f"{int(n):,} {noun or ''}".strip()


def _period(start: dt.date, end: dt.date) -> str:
    """ "Nov 2025" for a calendar month, "03 Nov 2025" for one day (a survey wave), else "from to"."""
    if start == end:
        return f"{start:%d %b %Y}"
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1 and (start.year, start.month) == (end.year, end.month):
        return f"{start:%b %Y}"
    return f"{start:%d %b %Y} to {end:%d %b %Y}"


def _small_sample(row: dict) -> str:
    """The dashboard's label for a ratio resting on fewer than its minimum of answers (summary page's rule)."""
    if row.get("measure") != "ratio" or _missing(row["value"]) or _missing(row["n"]):
        return ""
    return small_sample_note(float(row["n"]), min_answers(), row.get("n_noun") or "answers") or ""


def _kpi_line(row: dict, business: dict | None, show_business: bool) -> KpiLine:
    """One KPI of one place. `show_business`: the owner may see the whole business's value of this KPI (their
    own scope covers it); a location's or team's manager never does, as on the dashboard (its difference with
    their own value would reveal the other places')."""
    unit, decimals = row["unit"] or "", int(row["decimals"])
    change = format_change(row, row["previous_value"], unit, decimals)
    last_year = format_change(row, row["last_year_value"], unit, decimals)
    status = row["status"] or ""
    return KpiLine(
        area=row["area"],
        label=row["kpi_label"],
        period=_period(row["period_start"], row["period_end"]),
        value=format_kpi(row["value"], unit, decimals),
        n=_count(row["n"], row.get("n_noun")),
        change=change or "no earlier data",
        last_year=last_year or "no data a year ago",
        business="" if not show_business else format_kpi(business["value"], unit, decimals) if business else "no data",
        small_sample=_small_sample(row),
        target="" if _missing(row["target"]) else format_kpi(row["target"], unit, decimals),
        status=status,
        status_colour=STATUS_COLOURS.get(status, "#5f6368"),
    )


def _area_key(line: KpiLine) -> tuple:
    return (AREA_ORDER.index(line.area) if line.area in AREA_ORDER else len(AREA_ORDER), line.area, line.label)


def _alert_line(row: dict) -> AlertLine:
    return AlertLine(
        severity=(row["severity"] or "").capitalize() or "Unrated",
        period="" if row["period"] is None else f"{row['period']:%b %Y}",
        # A customer as "A customer", never their pseudonym (the dashboard's words, D794).
        reason=alert_reason_words(row["reason"], row["scope"], row["scope_value"]) if row["reason"] else "",
    )


def _block(scope: str, value: str, by_scope: dict, business: dict, business_areas: set[str | None]) -> ScopeBlock:
    """One of an owner's places with its KPIs, in plain words. A whole-business scope (brand, business) reads the
    business-level rows (for the brand: its Brand KPIs alone); a location or team reads its own rows, with the
    whole business's value beside only the KPIs whose business value the owner sees anyway."""
    if scope in WHOLE_BUSINESS_SCOPES:
        heading, area = WHOLE_BUSINESS_SCOPES[scope]
        rows = [r for r in by_scope.get(BUSINESS, []) if area is None or r["area"] == area]
        lines = [_kpi_line(r, None, False) for r in rows]
    else:
        heading = f"{SCOPE_WORDS.get(scope, scope.capitalize())} {value}"
        lines = [
            _kpi_line(r, business.get(r["kpi"]), None in business_areas or r["area"] in business_areas)
            for r in by_scope.get((scope, value), [])
        ]
    return ScopeBlock(heading=heading, kpis=sorted(lines, key=_area_key))


def collect_digests(serving_db: Path, owner: str | None = None) -> Digest:
    """Every owner's digest (or `owner`'s alone; KeyError naming the known owners when there is none)."""
    with duckdb.connect(str(serving_db), read_only=True) as con:
        notes: list[str] = []
        published_at = None
        if _table_exists(con, "meta.publication"):
            published_at = con.execute("SELECT max(published_at) FROM meta.publication").fetchone()[0]
        owned = (
            _rows(con, f"SELECT scope, scope_value, owner FROM {OWNERS_TABLE}")
            if _table_exists(con, OWNERS_TABLE)
            else []
        )
        if not _table_exists(con, OWNERS_TABLE):
            notes.append("The list of owners (alert_owners.csv) is not in this publication.")
        alerts = _rows(con, ALERTS_SQL) if _table_exists(con, ALERTS_TABLE) else []
        if not _table_exists(con, ALERTS_TABLE):
            notes.append("The alert log is not in this publication, so no alerts are listed.")
        kpis = _rows(con, KPI_SQL) if _table_exists(con, SUMMARY_TABLE) else []
        if not _table_exists(con, SUMMARY_TABLE):
            notes.append("The headline numbers (the summary table) are not in this publication.")

    scopes: dict[str, list[tuple[str, str]]] = {}
    for row in owned:
        scopes.setdefault(row["owner"], []).append((row["scope"], row["scope_value"]))
    # An alert's owner missing from the seed gets a digest too, for the location / team the alert is about.
    for row in alerts:
        if row["owner"] not in {r["owner"] for r in owned}:
            places = scopes.setdefault(row["owner"], [])
            if row["scope"] in SCOPE_WORDS and (row["scope"], row["scope_value"]) not in places:
                places.append((row["scope"], row["scope_value"]))
    if owner is not None:
        if owner not in scopes:
            raise KeyError(owner, sorted(scopes))
        scopes = {owner: scopes[owner]}

    by_scope: dict[tuple[str, str], list[dict]] = {}
    for row in kpis:
        by_scope.setdefault((row["scope"], row["scope_value"]), []).append(row)
    business = {row["kpi"]: row for row in by_scope.get(BUSINESS, [])}

    digests = []
    for name in sorted(scopes):
        places = sorted(set(scopes[name]))
        # The business-level areas this owner may see: every area for a whole-business owner, Brand for the brand.
        business_areas = {WHOLE_BUSINESS_SCOPES[s][1] for s, _ in places if s in WHOLE_BUSINESS_SCOPES}
        blocks = [_block(scope, value, by_scope, business, business_areas) for scope, value in places]
        theirs = sorted(
            (r for r in alerts if r["owner"] == name),
            key=lambda r: (SEVERITY_ORDER.get(r["severity"], 9), -(r["period"] or dt.date.min).toordinal()),
        )
        digests.append(
            OwnerDigest(
                owner=name,
                scopes=blocks,
                alerts=[_alert_line(r) for r in theirs[:MAX_ALERTS]],
                more_alerts=max(0, len(theirs) - MAX_ALERTS),
                whole_business=bool(places) and all(s in WHOLE_BUSINESS_SCOPES for s, _ in places),
            )
        )
    return Digest(published_at=published_at, owners=digests, notes=notes)
