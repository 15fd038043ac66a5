"""The "This week" summary page's arithmetic and words: pure functions over the rows of marts.kpi_summary and
marts.kpi_summary_monthly (no Streamlit, no I/O), so the page and its tests agree on them.

The KPI values, their n, targets and statuses come computed from the warehouse (dbt_project/models/marts/summary):
this module never recomputes a KPI. It decides what a reader is shown: which areas a role sees, how a value
and its change are written, which changes are "movers", how locations and teams rank, and which numbers rest
on too few answers to be read (settings.min_answers(), formatting.is_small_sample).
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd

from streamlit_app.formatting import (
    delta_color,
    format_delta,
    format_money,
    format_month,
    format_value,
    is_small_sample,
    listed,
)
from streamlit_app.labels import alert_reason_words, plain

# Area -> the detail page its numbers come from (a streamlit_app.access.PAGES key). A role sees an area on the
# summary only when it may see that page (access.SUMMARY_AREA_PAGES).
AREA_PAGES = {
    "Customers": "customer_empathy",
    "Support": "customer_empathy",
    "Employees": "employee_empathy",
    "Brand": "brand_voice",
}
AREAS = tuple(AREA_PAGES)
# The detail page a location or team opens on, filtered to it by a query parameter named as the scope
# (ui.preset_from_link reads it there): a location's customers, a team's workforce and survey.
FILTER_PAGES = {"location": "customer_empathy", "team": "employee_empathy"}
ALERTS_PAGE = "alerts"
NO_DATA_WORDS = "No data"
STATUS_WORDS = {  # status -> (Streamlit colour, icon, words): never colour alone
    "on target": ("green", ":material/check_circle:", "On target"),
    "close to target": ("orange", ":material/error:", "Close to target"),
    "off target": ("red", ":material/cancel:", "Off target"),
}
MOVER_UNITS = ("%", "pts")  # movers compare changes in points: percentages, NPS, eNPS, sentiment
MOVERS_SHOWN = 3
TREND_MONTHS = 12
NO_RANK = "—"
SCOPE_WORDS = {"location": "location", "team": "team", "business": "whole business"}


def visible_areas(pages: tuple[str, ...] | list[str]) -> list[str]:
    """The areas whose detail page the viewer's role lists, in page order."""
    return [area for area in AREAS if AREA_PAGES[area] in pages]


def is_missing(value: object) -> bool:
    """None, NaN, NA or NaT (a missing date): a cell without a value."""
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def number(value: object) -> float | None:
    """A cell as a float, None for NULL/NaN/NA."""
    return None if is_missing(value) else float(value)


def format_kpi(value: object, unit: str, decimals: int, currency: str) -> str:
    """The KPI as a reader sees it, with its unit ("42.0%", "£31.20", "12 min", "−3.5"); "No data" without one."""
    value = number(value)
    if value is None:
        return NO_DATA_WORDS
    if unit == "money":
        return format_money(value, currency, decimals)
    suffix = {"%": "%", "min": " min"}.get(unit, "")
    return format_value(value, decimals, suffix)


def delta_unit(unit: str) -> str:
    """What a change is written in: points for percentages and scores, minutes, or nothing (money: see below)."""
    return {"%": " pts", "pts": " pts", "min": " min"}.get(unit, "")


def change(now: object, before: object) -> float | None:
    now, before = number(now), number(before)
    return None if now is None or before is None else now - before


def format_change(now: object, before: object, unit: str, decimals: int, currency: str) -> str | None:
    """The signed change ("+1.5 pts", "-£3.20"), or None (no value in one of the two periods: st.metric then
    shows no arrow)."""
    delta = change(now, before)
    if unit == "money" and delta is not None:
        return ("-" if delta < 0 else "+") + format_money(abs(delta), currency, decimals)
    return format_delta(delta, delta_unit(unit), decimals)


def coloured_change(now: object, before: object, row: pd.Series, currency: str) -> str | None:
    """The change from `before` to `now` as markdown: green when better, red when worse, grey when it rounds to
    zero as shown or the KPI has no better direction (formatting.delta_color's rule); None without both."""
    unit, decimals = row["unit"], int(row["decimals"])
    text = format_change(now, before, unit, decimals, currency)
    if text is None:
        return None
    higher = row["higher_is_better"]
    colour = "off" if is_missing(higher) else delta_color(change(now, before), decimals, not bool(higher))
    if colour == "off":
        return f":gray[{text}]"
    better = (change(now, before) > 0) == bool(higher)
    return f":{'green' if better else 'red'}[{text}]"


def status_words(status: object) -> str:
    """The target status as coloured words with an icon (markdown), or "" without a target."""
    if is_missing(status) or status not in STATUS_WORDS:
        return ""
    colour, icon, words = STATUS_WORDS[str(status)]
    return f":{colour}[{icon} {words}]"


def target_words(row: pd.Series, currency: str) -> str:
    """ "Target 30.0 (at least)" / "Target 2.0% (at most)"; "" when no target is set."""
    target = number(row.get("target"))
    if target is None:
        return ""
    side = {True: "at least", False: "at most"}.get(
        None if is_missing(row["higher_is_better"]) else bool(row["higher_is_better"])
    )
    text = f"Target {format_kpi(target, row['unit'], int(row['decimals']), currency)}"
    return f"{text} ({side})" if side else text


def period_words(row: pd.Series | dict) -> str:
    """The period a row's value covers: a month, "Oct 2021 (to 19 Oct)" for a month read to the data's as-of
    date (its period_end before the month's last day), or a survey wave's month for eNPS."""
    start = pd.Timestamp(row["period_start"])
    if row["kpi"] == "enps":
        return f"{format_month(start)} wave"
    end = row.get("period_end")
    if not is_missing(end) and pd.Timestamp(end) < start + pd.offsets.MonthEnd(0):
        return f"{format_month(start)} (to {pd.Timestamp(end):%-d %b})"
    return format_month(start)


def rank_before_words(rows: pd.DataFrame, kpi: str) -> str:
    """The league table's "rank before" heading from the rows' own previous period (each KPI's month before;
    eNPS's previous survey wave), never a month the page guesses."""
    before = rows.loc[rows["kpi"] == kpi, "previous_period_start"].dropna()
    if before.empty:
        return "Rank before"
    return f"Rank in {period_words({'kpi': kpi, 'period_start': before.iloc[0]})}"


TO_DATE = "to date"  # marts.kpi_summary.value_basis of a share to date (churn or turnover from a snapshot export)


def to_date_words(kpi: str) -> str:
    """Why a card reads a share to date (churn or staff turnover from a snapshot export:
    marts.kpi_summary.value_basis)."""
    who = "employees who left" if kpi == "turnover_pct" else "customers lost"
    return (
        f"the share of all {who} to date (the data is a snapshot: a status per person, no dates of leaving), "
        "not a monthly rate"
    )


def snapshot_words(kpi_label: str) -> str:
    """Why a snapshot export's churn or turnover card has no monthly figure (marts.kpi_snapshot_sources)."""
    return (
        f"No monthly {kpi_label.lower()}: the data is a snapshot that dates every loss to one month, so a "
        "month's rate would read 0 % or a spike. The detail page shows the share to date."
    )


def benchmark_words(benchmarks: pd.DataFrame, kpi: str) -> list[str]:
    """ "Published for General retail: 51 (npsBench 2024 benchmarks by industry, Nov 2024)" per benchmark row of
    `kpi`, with its note; context beside the KPI, never the KPI."""
    lines = []
    for _, b in benchmarks[benchmarks["kpi"] == kpi].iterrows():
        low, high = float(b["low"]), float(b["high"])
        level = f"{low:g}" if low == high else f"{low:g}–{high:g}"
        text = (
            f"Published {b['statistic']} for {b['industry']}: {level} ([{b['source']}, {b['published']}]({b['url']}))"
        )
        if not is_missing(b.get("note")) and str(b["note"]).strip():
            text += f". {b['note']}"
        lines.append(text)
    return lines


def movers(summary: pd.DataFrame, minimum: int, count: int = MOVERS_SHOWN) -> tuple[pd.DataFrame, int]:
    """The `count` biggest changes against the previous period among locations and teams, in points (KPIs in %
    or points only, so the changes compare), each resting on at least `minimum` answers in BOTH periods; and
    how many changes were left out because one of their periods had fewer."""
    rows = summary[summary["scope"].isin(["location", "team"]) & summary["unit"].isin(MOVER_UNITS)].copy()
    rows = rows[rows["value"].notna() & rows["previous_value"].notna()]
    large = (rows["n"] >= minimum) & (rows["previous_n"] >= minimum)
    left_out = int((~large).sum())
    rows = rows[large].copy()
    rows["change"] = rows["value"].astype(float) - rows["previous_value"].astype(float)
    rows["size"] = rows["change"].abs()
    rows = rows[rows["size"] > 0].sort_values(["size", "kpi", "scope_value"], ascending=[False, True, True])
    return rows.head(count).drop(columns=["size"]), left_out


def mover_words(row: pd.Series, currency: str) -> str:
    """ "NPS at Leeds fell from 35.0 to 12.5 (41 → 38 answers)", "worse"/"better" by the KPI's direction."""
    unit, decimals = row["unit"], int(row["decimals"])
    went = "rose" if row["change"] > 0 else "fell"
    verdict = ""
    if not is_missing(row["higher_is_better"]):
        better = (row["change"] > 0) == bool(row["higher_is_better"])
        verdict = " :green[(better)]" if better else " :red[(worse)]"
    before = format_kpi(row["previous_value"], unit, decimals, currency)
    now = format_kpi(row["value"], unit, decimals, currency)
    return (
        f"**{row['kpi_label']}** at {SCOPE_WORDS[row['scope']]} **{row['scope_value']}** {went} from {before} to "
        f"{now} ({int(row['previous_n']):,} → {int(row['n']):,} {row['n_noun']}){verdict}"
    )


def _ranks(values: pd.Series, eligible: pd.Series, higher_is_better: bool) -> pd.Series:
    """1 = best among the eligible rows (ties share the better rank); NA for the others."""
    ranked = values.where(eligible).astype("Float64").rank(method="min", ascending=not higher_is_better)
    return ranked.astype("Int64")


def league(summary: pd.DataFrame, monthly: pd.DataFrame, kpi: str, scope: str, minimum: int) -> pd.DataFrame:
    """The league table of `kpi` over the `scope` values (locations or teams): value, n, rank (1 = best by the
    KPI's direction; only values on at least `minimum` answers are ranked), the rank in the previous period
    (same rule), the places gained (+) or lost (−), the last TREND_MONTHS months' values for a sparkline, and
    a note for a small sample or no data. Ranked rows first, best first."""
    rows = summary[(summary["kpi"] == kpi) & (summary["scope"] == scope)].copy()
    columns = ["scope_value", "value", "n", "rank", "previous_rank", "rank_change", "trend", "note"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    higher = rows["higher_is_better"].iloc[0]
    higher = True if is_missing(higher) else bool(higher)
    now_ok = rows["value"].notna() & (rows["n"] >= minimum)
    before_ok = rows["previous_value"].notna() & (rows["previous_n"] >= minimum)
    rows["rank"] = _ranks(rows["value"], now_ok, higher)
    rows["previous_rank"] = _ranks(rows["previous_value"], before_ok, higher)
    rows["rank_change"] = (rows["previous_rank"] - rows["rank"]).astype("Int64")
    noun = rows["n_noun"].iloc[0]
    rows["note"] = [
        "No data this period"
        if is_missing(v)
        else (f"Few {noun} ({int(n):,} of the {minimum:,} needed): not ranked" if is_small_sample(n, minimum) else "")
        for v, n in zip(rows["value"], rows["n"], strict=True)
    ]
    end = pd.Timestamp(rows["period_start"].iloc[0])
    start = end - pd.DateOffset(months=TREND_MONTHS - 1)
    history = monthly[(monthly["kpi"] == kpi) & (monthly["scope"] == scope)].copy()
    history["month"] = pd.to_datetime(history["month"])
    history = history[history["month"].between(start, end) & history["value"].notna()].sort_values("month")
    trends = history.groupby("scope_value")["value"].apply(lambda v: [float(x) for x in v]).to_dict()
    rows["trend"] = [trends.get(v, []) for v in rows["scope_value"]]
    rows = rows.sort_values(["rank", "scope_value"], na_position="last")
    return rows[columns].reset_index(drop=True)


def filter_page(scope: str, pages: tuple[str, ...] | list[str]) -> str | None:
    """The detail page a `scope` value ("location", "team") links to, if the viewer may open it."""
    page = FILTER_PAGES.get(scope)
    return page if page in pages else None


def filter_url(page: str, scope: str, value: str) -> str:
    """The relative address of `page` filtered to one location or team (`employee_empathy?team=Sales`)."""
    return f"{page}?{urlencode({scope: value})}"


def league_for_display(table: pd.DataFrame) -> pd.DataFrame:
    """The league table with its ranks as text: an unranked value shows "—", a change "+2", "0" or "—"
    (no rank in one of the two months), never None."""
    shown = table.copy()
    shown["rank"] = [NO_RANK if is_missing(r) else f"{int(r)}" for r in table["rank"]]
    shown["previous_rank"] = [NO_RANK if is_missing(r) else f"{int(r)}" for r in table["previous_rank"]]
    shown["rank_change"] = [NO_RANK if is_missing(c) else (f"{int(c):+d}" if c else "0") for c in table["rank_change"]]
    return shown


def alert_counts(alerts: pd.DataFrame) -> dict[str, int]:
    """Open alerts per severity, high first (severities with none left out)."""
    order = ["high", "medium", "low"]
    counts = alerts["severity"].value_counts()
    known = {s: int(counts[s]) for s in order if s in counts}
    other = int(counts[[s for s in counts.index if s not in order]].sum())
    return {**known, **({"other": other} if other else {})}


RECENT_ALERT_MONTHS = 3  # an open alert about a month older than this many months before the page's month is old


def months_between(earlier: object, later: object) -> int:
    """Whole calendar months from `earlier` to `later` (Apr 2024 -> Dec 2025: 20)."""
    earlier, later = pd.Timestamp(earlier), pd.Timestamp(later)
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def is_old_alert(period: object, as_of: object) -> bool:
    """True when an alert's month lies more than RECENT_ALERT_MONTHS months before `as_of` (the page's month)."""
    if is_missing(period) or is_missing(as_of):
        return False
    return months_between(period, as_of) > RECENT_ALERT_MONTHS


def top_alerts(alerts: pd.DataFrame, count: int = 5, as_of: object = None) -> pd.DataFrame:
    """The `count` open alerts to read first: those about the last RECENT_ALERT_MONTHS months before `as_of`
    (the page's month) before older ones (an alert stays open while its month's breach is in the data, so the log
    keeps alerts of long-past months open); within each, highest severity, then the latest period, then the most
    recently seen."""
    rank = alerts["severity"].map({"high": 0, "medium": 1, "low": 2}).fillna(3)
    has_period = "period" in alerts
    old = [is_old_alert(p, as_of) for p in alerts["period"]] if has_period else [False] * len(alerts)
    order = ["_old", "_rank", "period", "last_seen_at"] if has_period else ["_old", "_rank", "last_seen_at"]
    ascending = [True, True] + [False] * (len(order) - 2)
    return (
        alerts.assign(_rank=rank, _old=old)
        .sort_values(order, ascending=ascending, kind="stable")
        .head(count)
        .drop(columns=["_rank", "_old"])
    )


def alert_age_words(period: object, as_of: object) -> str:
    """ "" for a recent alert; for an old one, how old it is ("an old alert: Apr 2024, 20 months before Dec 2025")."""
    if not is_old_alert(period, as_of):
        return ""
    months = months_between(period, as_of)
    return (
        f"an old alert: {format_month(pd.Timestamp(period))}, {months:,} months before "
        f"{format_month(pd.Timestamp(as_of))}"
    )


def alert_words(alert: pd.Series, as_of: object = None) -> str:
    """One open alert in words: the log's `reason` sentence when it has one (a customer named "A customer", never by
    their pseudonym), else one built from its numbers ("**High** · NPS at location Cambridge: -31.8 (was 13.3) on
    22 answers (Aug 2025)"); an alert about a month long before `as_of` says how old it is."""
    period = "" if is_missing(alert["period"]) else f" ({format_month(pd.Timestamp(alert['period']))})"
    age = alert_age_words(alert["period"], as_of) if "period" in alert else ""
    age = f" · :gray[{age}]" if age else ""
    reason = alert.get("reason")
    if not is_missing(reason) and str(reason).strip():  # the alert log's own sentence, with its numbers and n
        words = alert_reason_words(reason, alert["scope"], alert["scope_value"])
        return f"**{plain(alert['severity'])}** · {words}{age}"
    scope = alert["scope"]
    if scope in ("location", "team"):
        where = f" at {scope} {alert['scope_value']}"
    else:
        where = " for one customer" if scope == "customer" else ""
    text = f"**{plain(alert['severity'])}** · {plain(alert['kpi'])}{where}"
    value, before = number(alert["kpi_value"]), number(alert["previous_value"])
    if value is not None:
        text += f": {value:,.1f}" + (f" (was {before:,.1f})" if before is not None else "")
    if (base := number(alert["base_count"])) is not None:
        text += f" on {int(base):,} {plain(alert['base_unit']).lower()}"
    return text + period + age


# Workforce KPIs published for the whole business and teams only (marts.kpi_summary: their location sums would
# miss the people of small teams, whom the HR marts combine across locations to protect them).
NOT_PER_LOCATION = ("turnover_pct", "headcount", "absence_pct")


def not_per_location_words(labels: list[str]) -> str:
    """Why a location's view of the Employees area lacks `labels` (turnover, headcount, lost worktime)."""
    return (
        f"{listed(labels)} are not shown for a single location. To protect people in small teams, the HR figures "
        "combine small teams with others, so a location's own total would leave some of its staff out and could be "
        "wrong. They are reported for the whole business and for each team."
    )


# Turnover and lost worktime count everyone on staff on any day of the month (leavers included), headcount only
# those still on staff at its end: two populations, so their counts differ (305 against 300).
STAFF_WORDS = (
    "Turnover % is the month's leavers divided by the average of the staff at its start and at its end; the count "
    "under it (and under lost worktime) is everyone on staff on any day of the month, leavers included. "
    "Headcount counts only those still on staff at the month's end, so the two counts differ."
)


def to_date_noun(kpi: str) -> str:
    """The n of a share to date (churn or turnover from a snapshot export): every customer or employee in the data."""
    return "employees in the data" if kpi == "turnover_pct" else "customers in the data"


def scope_note(kind: str, value: str | None) -> str:
    """What a scoped viewer's summary covers."""
    if kind in ("location", "team"):
        return f"Your {kind}, {value}: the numbers below are its own."
    return "The whole business, with its locations and teams below."
