"""Arithmetic and wording of the Employee empathy page, without Streamlit (tested directly).

Ratios are recomputed from the marts' counts (sum the counts, divide last). A suppressed survey cell is
never turned into a number: it reads "suppressed" with a short reason code ("n < 5", "protects a hidden
group") and keeps the mart's full reason beside it, distinct from "—" (no data: the mart has no row).

Survey cells are only ever read one wave and one published one-way breakdown at a time; nothing here adds
groups up or crosses two breakdowns (that would undo complementary suppression, docs/decisions.md D25).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from streamlit_app.formatting import NO_DATA, format_month, small_sample_note
from streamlit_app.kpis import period_start
from streamlit_app.labels import plain

SUPPRESSED = "suppressed"
SHOWN = "shown"
NO_ROW = "no data"

HEATMAP_DIMENSIONS = ["engagement", "wellbeing", "manager_empathy", "presenteeism"]
# Every label below is the glossary's (streamlit_app/labels.py): one set of words for every page.
DIMENSION_LABELS = {d: plain(d) for d in HEATMAP_DIMENSIONS}
# The one-way breakdowns the survey marts publish besides `org`, as the page offers them.
BREAKDOWNS = {b: plain(b) for b in ("team", "location", "manager", "tenure_band")}
ORG = "org"
ORG_LABEL = "Whole organisation"
TENURE_LABELS = {t: plain(t) for t in ("<1y", "1-3y", "3-5y", "5y+")}
# Manager empathy items of the question bank, shortened for column headers (the full question goes in the
# header's tooltip). An item not listed keeps its question text.
INDICATOR_ORDER = ["mgr_listening", "mgr_open", "mgr_needs", "mgr_recognition", "mgr_feedback"]
INDICATOR_LABELS = {q: plain(q) for q in INDICATOR_ORDER}
# The labels the workforce marts give groups combined to protect small ones (dbt macro rollup_small_groups):
# they name no team or manager.
COMBINED_GROUPS = ("Other (small groups)", "All")

_FEWER_THAN = re.compile(r"fewer than (\d+) respondents")
COMPLEMENTARY_CODE = "protects a hidden group"


# --- suppression -------------------------------------------------------------------------------------------
def reason_code(reason: str | None) -> str:
    """The short code a cell shows: 'n < 5' (too few respondents) or 'protects a hidden group'."""
    text = reason or ""
    if found := _FEWER_THAN.search(text):
        return f"n < {found.group(1)}"
    if text.startswith("complementary"):
        return COMPLEMENTARY_CODE
    return text or "hidden"


def reason_text(reason: str | None) -> str:
    """The reason in full, for the tooltip and the legend."""
    text = reason or ""
    if found := _FEWER_THAN.search(text):
        return (
            f"Fewer than {found.group(1)} people answered in this group, so its results are hidden to keep "
            "the answers anonymous."
        )
    if text.startswith("complementary"):
        return (
            "Enough people answered, but the results are hidden because, together with the groups that are "
            "shown, they would let someone work out a smaller hidden group's results by subtraction "
            "(complementary suppression)."
        )
    return text or "Hidden by the warehouse."


def cell_text(suppressed: bool, reason: str | None, value: float | None, decimals: int = 1) -> str:
    """How one survey cell reads: the value, 'suppressed (n < 5)' and the like, or '—' when there is no value."""
    if suppressed:
        return f"{SUPPRESSED} ({reason_code(reason)})"
    if value is None or pd.isna(value):
        return NO_DATA
    return f"{value:.{decimals}f}"


# --- survey grids ------------------------------------------------------------------------------------------
def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _ratio_of(numerator, denominator, scale: float = 1.0) -> float | None:
    n, d = _number(numerator), _number(denominator)
    return None if n is None or d is None or d <= 0 else scale * n / d


def waves(*frames: pd.DataFrame) -> list[str]:
    """Every wave of the survey marts, oldest first (by the wave's month, then its name)."""
    rows = [f[["wave", "wave_month"]] for f in frames if not f.empty]
    if not rows:
        return []
    both = pd.concat(rows).dropna(subset=["wave"]).drop_duplicates("wave")
    return both.sort_values(["wave_month", "wave"])["wave"].tolist()


def wave_months(*frames: pd.DataFrame) -> dict[str, pd.Timestamp]:
    rows = [f[["wave", "wave_month"]] for f in frames if not f.empty]
    if not rows:
        return {}
    both = pd.concat(rows).dropna().drop_duplicates("wave")
    return {w: pd.Timestamp(m) for w, m in zip(both["wave"], both["wave_month"], strict=True)}


def wave_names(months: Mapping[str, pd.Timestamp]) -> dict[str, str]:
    """Wave id -> the name a person reads, from the month the wave was answered: "Survey of Dec 2017" for
    `ibm-hr-2017-12-31`. Waves answered in the same month are numbered in id order ("Survey of Mar 2024 (2)"),
    so no two waves read alike. The id itself (a source system's code) is never shown."""
    ordered = sorted(months.items(), key=lambda item: (item[1], item[0]))
    names: dict[str, str] = {}
    for month in dict.fromkeys(m for _, m in ordered):
        same = [w for w, m in ordered if m == month]
        for number, wave in enumerate(same, start=1):
            base = f"Survey of {format_month(month)}"
            names[wave] = base if len(same) == 1 else f"{base} ({number})"
    return names


def wave_name(names: Mapping[str, str], wave: str | None) -> str:
    """A wave's plain name; a wave without a month reads as its id in words (never a bare code or None)."""
    if wave is None:
        return "no earlier survey"
    return names.get(wave) or f"Survey {plain(wave)}"


def breakdowns_of(frame: pd.DataFrame, wave: str) -> list[str]:
    """The page's breakdowns the mart publishes for the wave, in the page's order."""
    present = set(frame.loc[frame["wave"] == wave, "breakdown"])
    return [b for b in BREAKDOWNS if b in present]


def _group_order(breakdown: str, groups: Sequence[str]) -> list[str]:
    if breakdown == "tenure_band":
        known = [t for t in TENURE_LABELS if t in groups]
        return known + sorted(set(groups) - set(known))
    return sorted(groups)


def group_label(breakdown: str, group: str, manager_teams: Mapping[str, Sequence[str]] | None = None) -> str:
    if breakdown == ORG:
        return ORG_LABEL
    if breakdown == "tenure_band":
        return TENURE_LABELS.get(group, group)
    if breakdown == "manager" and manager_teams and manager_teams.get(group):
        teams = manager_teams[group]
        # "Manager, IT" leading IT alone reads as it is; the teams follow when they say more than the label.
        if teams != [group.partition(", ")[2]]:
            return f"{group} · {', '.join(teams)}"
    return group


def survey_cells(
    rows: pd.DataFrame,
    wave: str,
    breakdown: str,
    *,
    key: str,
    keys: Sequence[str],
    labels: Mapping[str, str],
    decimals: int,
    value: str,
    manager_teams: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """One wave's cells of one breakdown (the whole organisation first) × `keys` of column `key`, every
    combination present: a row the mart lacks is "no data", a suppressed row keeps its reason and no number.
    `value` is the number the cell shows: 'favourable_pct' (100 × favourable / answers) or 'mean_score'
    (score_sum / answers)."""
    picked = rows[(rows["wave"] == wave) & rows["breakdown"].isin([ORG, breakdown]) & rows[key].isin(keys)]
    org_groups = sorted(picked.loc[picked["breakdown"] == ORG, "group_value"].unique())
    groups = [(ORG, g) for g in org_groups] + [
        (breakdown, g)
        for g in _group_order(breakdown, picked.loc[picked["breakdown"] == breakdown, "group_value"].unique())
    ]
    present = [k for k in keys if k in set(picked[key])]
    by_cell = {(r["breakdown"], r["group_value"], r[key]): r for r in picked.to_dict("records")}
    cells = []
    for order, (group_breakdown, group) in enumerate(groups):
        for column in present:
            row = by_cell.get((group_breakdown, group, column))
            suppressed = bool(row is not None and row["suppressed"])
            reason = row["suppression_reason"] if suppressed else None
            answers = None if row is None else row["answers"]
            favourable_pct = None if row is None else _ratio_of(row["favourable_answers"], answers, 100.0)
            mean_score = None if row is None else _ratio_of(row["score_sum"], answers)
            shown = favourable_pct if value == "favourable_pct" else mean_score
            status = SUPPRESSED if suppressed else (NO_ROW if row is None else SHOWN)
            cells.append(
                {
                    "breakdown": group_breakdown,
                    "group_value": group,
                    "group": group_label(group_breakdown, group, manager_teams),
                    "group_order": order,
                    "key": column,
                    "column": labels.get(column, column),
                    "status": status,
                    "suppression_reason": reason,
                    "reason_code": reason_code(reason) if suppressed else None,
                    "reason_text": reason_text(reason) if suppressed else None,
                    "respondents": None if row is None else _number(row["respondents"]),
                    "answers": _number(answers),
                    "favourable_answers": None if row is None else _number(row["favourable_answers"]),
                    "favourable_pct": favourable_pct,
                    "mean_score": mean_score,
                    "value": shown,
                    "text": cell_text(suppressed, reason, shown, decimals),
                    # The heatmap's two-line label: the word, then the short reason.
                    "label": f"{SUPPRESSED}\n{reason_code(reason)}"
                    if suppressed
                    else cell_text(False, None, shown, decimals),
                }
            )
    return pd.DataFrame(cells)


def dimension_cells(
    dimensions: pd.DataFrame, wave: str, breakdown: str, manager_teams: Mapping[str, Sequence[str]] | None = None
) -> pd.DataFrame:
    """% favourable per group × survey dimension (engagement, well-being, manager empathy, presenteeism)."""
    return survey_cells(
        dimensions,
        wave,
        breakdown,
        key="dimension",
        keys=HEATMAP_DIMENSIONS,
        labels=DIMENSION_LABELS,
        decimals=1,
        value="favourable_pct",
        manager_teams=manager_teams,
    )


def indicator_labels(indicators: pd.DataFrame) -> dict[str, str]:
    """question_id -> column header; items the page does not know keep their question text."""
    texts = indicators.drop_duplicates("question_id").set_index("question_id")["indicator"].to_dict()
    return {q: INDICATOR_LABELS.get(q, texts[q]) for q in indicator_order(indicators)}


def indicator_order(indicators: pd.DataFrame) -> list[str]:
    present = set(indicators["question_id"].dropna())
    return [q for q in INDICATOR_ORDER if q in present] + sorted(present - set(INDICATOR_ORDER))


def indicator_cells(
    indicators: pd.DataFrame, wave: str, manager_teams: Mapping[str, Sequence[str]] | None = None
) -> pd.DataFrame:
    """Mean score (1-5) per manager × manager empathy item, the whole organisation first."""
    return survey_cells(
        indicators,
        wave,
        "manager",
        key="question_id",
        keys=indicator_order(indicators),
        labels=indicator_labels(indicators),
        decimals=2,
        value="mean_score",
        manager_teams=manager_teams,
    )


def _count_text(value: float | None, suppressed: bool) -> str:
    if suppressed:
        return SUPPRESSED
    return NO_DATA if value is None or pd.isna(value) else f"{int(value):,}"


def _number_text(value: float | None, suppressed: bool, decimals: int) -> str:
    if suppressed:
        return SUPPRESSED
    return NO_DATA if value is None or pd.isna(value) else f"{value:.{decimals}f}"


def status_text(status: str, reason: str | None, few: str | None = None) -> str:
    """The table's status column: 'shown' (with the few-answers note when the cell rests on few people),
    'no data', or 'suppressed: <the mart's reason, verbatim>'."""
    if status == SUPPRESSED:
        return f"{SUPPRESSED} — {reason}"
    return f"{status} — {few}" if few else status


def mark_few(cells: pd.DataFrame, minimum: int) -> pd.DataFrame:
    """`cells` with `few`: the few-answers note of each shown cell whose respondents are fewer than `minimum`
    (above the anonymity threshold, or it would be suppressed), else None."""
    if cells.empty:
        return cells.assign(few=pd.Series(dtype="object"))
    notes = [
        small_sample_note(r, minimum, "people") if s == SHOWN and r is not None and not pd.isna(r) else None
        for s, r in zip(cells["status"], cells["respondents"], strict=True)
    ]
    return cells.assign(few=notes)


def cells_table(cells: pd.DataFrame) -> pd.DataFrame:
    """The exact numbers behind a heatmap, one row per cell, as text (a suppressed number reads
    'suppressed', never blank; no row in the mart reads '—')."""
    columns = ["group", "column", "respondents", "answers", "favourable_answers", "favourable_pct"]
    columns += ["mean_score", "status"]
    if cells.empty:
        return pd.DataFrame(columns=columns)
    hidden = cells["status"] == SUPPRESSED
    return pd.DataFrame(
        {
            "group": cells["group"],
            "column": cells["column"],
            "respondents": [_count_text(v, h) for v, h in zip(cells["respondents"], hidden, strict=True)],
            "answers": [_count_text(v, h) for v, h in zip(cells["answers"], hidden, strict=True)],
            "favourable_answers": [_count_text(v, h) for v, h in zip(cells["favourable_answers"], hidden, strict=True)],
            "favourable_pct": [
                cell_text(h, r, v, 1)
                for v, h, r in zip(cells["favourable_pct"], hidden, cells["suppression_reason"], strict=True)
            ],
            "mean_score": [_number_text(v, h, 2) for v, h in zip(cells["mean_score"], hidden, strict=True)],
            "status": [
                status_text(s, r, f)
                for s, r, f in zip(
                    cells["status"],
                    cells["suppression_reason"],
                    cells["few"] if "few" in cells.columns else [None] * len(cells),
                    strict=True,
                )
            ],
        }
    )


# --- whole-organisation survey figures for the cards ---------------------------------------------------------
@dataclass(frozen=True)
class OrgFigure:
    """A whole-organisation survey figure of one wave: the value, the count behind it, or its suppression."""

    value: float | None
    count: float | None
    suppression_reason: str | None = None

    @property
    def suppressed(self) -> bool:
        return self.suppression_reason is not None


def _org_row(rows: pd.DataFrame, wave: str | None, **equal: str) -> dict | None:
    """The wave's `org` row of `rows` (and `equal`'s column values), in one mask: one small take, not a copy of
    the whole frame per condition (the page asks for every wave's engagement)."""
    if wave is None:
        return None
    keep = (rows["wave"] == wave) & (rows["breakdown"] == ORG)
    for column, value in equal.items():
        keep &= rows[column] == value
    found = rows[keep]
    return found.iloc[0].to_dict() if len(found) else None


def _org_figure(row: dict | None, value: float | None, count) -> OrgFigure:
    if row is None:
        return OrgFigure(None, None)
    if row["suppressed"]:
        return OrgFigure(None, None, row["suppression_reason"] or "suppressed")
    return OrgFigure(value, _number(count))


def org_enps(enps: pd.DataFrame, wave: str | None) -> OrgFigure:
    """eNPS = 100 × (promoters − detractors) / responses, the `org` row of the wave."""
    row = _org_row(enps, wave)
    if row is None:
        return OrgFigure(None, None)
    value = (
        _ratio_of(_number(row["promoters"]) - _number(row["detractors"]), row["responses"], 100.0)
        if (_number(row["promoters"]) is not None and _number(row["detractors"]) is not None)
        else None
    )
    return _org_figure(row, value, row["responses"])


def org_favourable(dimensions: pd.DataFrame, wave: str | None, dimension: str) -> OrgFigure:
    """% favourable = 100 × favourable answers / answers of one dimension, the `org` row of the wave."""
    row = _org_row(dimensions, wave, dimension=dimension)
    if row is None:
        return OrgFigure(None, None)
    return _org_figure(row, _ratio_of(row["favourable_answers"], row["answers"], 100.0), row["respondents"])


def previous(items: Sequence[str], item: str) -> str | None:
    at = list(items).index(item)
    return items[at - 1] if at > 0 else None


# --- monthly workforce figures -------------------------------------------------------------------------------
def _ratio(numerator: pd.Series, denominator: pd.Series, scale: float = 100.0) -> pd.Series:
    """numerator / denominator × scale, NULL (NaN) where the denominator is 0: no denominator, no number."""
    return (scale * numerator.astype(float) / denominator.astype(float).where(denominator > 0)).astype(float)


def _by_month(frame: pd.DataFrame, counts: list[str]) -> pd.DataFrame:
    sums = frame.assign(month=pd.to_datetime(frame["month"]))[["month", *counts]]
    sums[counts] = sums[counts].astype(float)
    # min_count: a month whose counts are all withheld (NULL, e.g. too few EAP users) stays empty, never 0.
    summed = sums.groupby("month", as_index=False)[counts].sum(min_count=1)
    return summed.sort_values("month").reset_index(drop=True)


TURNOVER_COUNTS = ["separations", "voluntary_separations", "involuntary_separations", "avg_headcount"]
ABSENCE_COUNTS = ["employees", "employees_absent", "absence_hours", "usual_hours"]
EAP_COUNTS = ["employees", "eap_users", "eap_uses"]


def turnover_trend(headcount: pd.DataFrame) -> pd.DataFrame:
    """Monthly turnover % = Σ separations / Σ average headcount, voluntary and involuntary apart."""
    columns = ["month", *TURNOVER_COUNTS, "turnover_pct", "voluntary_turnover_pct", "involuntary_turnover_pct"]
    if headcount.empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[us]" if c == "month" else float) for c in columns})
    by_month = _by_month(headcount, TURNOVER_COUNTS)
    by_month["turnover_pct"] = _ratio(by_month["separations"], by_month["avg_headcount"])
    by_month["voluntary_turnover_pct"] = _ratio(by_month["voluntary_separations"], by_month["avg_headcount"])
    by_month["involuntary_turnover_pct"] = _ratio(by_month["involuntary_separations"], by_month["avg_headcount"])
    return by_month


def absence_trend(absence: pd.DataFrame) -> pd.DataFrame:
    """Monthly absence rate % (Σ absent / Σ employees) and lost-worktime % (Σ hours absent / Σ usual hours)."""
    columns = ["month", *ABSENCE_COUNTS, "absence_rate_pct", "lost_worktime_pct"]
    if absence.empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[us]" if c == "month" else float) for c in columns})
    by_month = _by_month(absence, ABSENCE_COUNTS)
    by_month["absence_rate_pct"] = _ratio(by_month["employees_absent"], by_month["employees"])
    by_month["lost_worktime_pct"] = _ratio(by_month["absence_hours"], by_month["usual_hours"])
    return by_month


def eap_trend(eap: pd.DataFrame) -> pd.DataFrame:
    """Monthly EAP utilisation % = Σ distinct users / Σ employees (the mart has one org row per month)."""
    columns = ["month", *EAP_COUNTS, "eap_utilisation_pct"]
    if eap.empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[us]" if c == "month" else float) for c in columns})
    by_month = _by_month(eap, EAP_COUNTS)
    by_month["eap_utilisation_pct"] = _ratio(by_month["eap_users"], by_month["employees"])
    return by_month


def workforce_trend(headcount: pd.DataFrame, absence: pd.DataFrame, eap: pd.DataFrame) -> pd.DataFrame:
    """Turnover, absence and EAP side by side per month (every month any of the three holds)."""
    absences = absence_trend(absence).rename(columns={"employees": "absence_employees"})
    eaps = eap_trend(eap).rename(columns={"employees": "eap_employees"})
    merged = turnover_trend(headcount).merge(absences, on="month", how="outer").merge(eaps, on="month", how="outer")
    return merged.sort_values("month").reset_index(drop=True)


def value_in(trend: pd.DataFrame, month: pd.Timestamp | None, column: str) -> float | None:
    """The trend's value for one month; None when the month or its denominator is missing."""
    if month is None:
        return None
    found = trend.loc[trend["month"] == month, column]
    return None if found.empty or pd.isna(found.iloc[0]) else float(found.iloc[0])


def months_of(*frames: pd.DataFrame) -> list[pd.Timestamp]:
    found: set[pd.Timestamp] = set()
    for frame in frames:
        found.update(pd.Timestamp(m) for m in frame["month"].dropna().unique())
    return sorted(found)


def default_period(*frames: pd.DataFrame, months: int = 12) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The latest month every non-empty monthly mart has reached, and the months before it (12 in all)."""
    every = months_of(*frames)
    latest = [pd.Timestamp(f["month"].max()) for f in frames if not f.empty]
    end = min(latest) if latest else every[-1]
    start = period_start(every, end, months)
    return pd.Timestamp(start), pd.Timestamp(end)


# --- managers with their teams -------------------------------------------------------------------------------
def manager_teams(headcount: pd.DataFrame) -> dict[str, list[str]]:
    """Manager (display label) -> the teams whose workers most often report to that manager (ties: the smaller id).

    As the survey marts assign a team's manager (the most frequent manager of its workers), counted from the
    headcount mart: the workers of a team and manager are those employed at its first month plus every hire.
    The survey's extra tie-break (a manager inside the team wins) is not visible in the mart."""
    if headcount.empty:
        return {}
    rows = headcount.dropna(subset=["team", "manager_id"])
    rows = rows[rows["manager_id"] != "Unknown"].assign(month=lambda f: pd.to_datetime(f["month"]))
    rows = rows[~rows["team"].isin(COMBINED_GROUPS) & ~rows["manager_id"].isin(COMBINED_GROUPS)]
    if rows.empty:
        return {}
    first = rows["month"].min()
    workers = (
        rows.assign(
            workers=rows["hires"].astype(float)
            + rows["headcount_start"].astype(float).where(rows["month"] == first, 0.0)
        )
        .groupby(["team", "manager_id"], as_index=False)["workers"]
        .sum()
        .sort_values(["team", "workers", "manager_id"], ascending=[True, False, True])
    )
    chosen = workers.drop_duplicates("team")
    teams: dict[str, list[str]] = {}
    for team, manager in zip(chosen["team"], chosen["manager_id"], strict=True):
        teams.setdefault(manager, []).append(team)
    return {m: sorted(t) for m, t in teams.items()}


# --- period, coverage and sample size ------------------------------------------------------------------------
def period_ending(months: Sequence[pd.Timestamp], month: pd.Timestamp, length: int = 12) -> tuple:
    """The `length` months of `months` ending at `month` (moved to the nearest month of `months` at or before
    it, else the first): the period a survey wave's month selects, so the workforce cards show that month."""
    at_or_before = [m for m in months if m <= month]
    end = at_or_before[-1] if at_or_before else months[0]
    return pd.Timestamp(period_start(months, end, length)), pd.Timestamp(end)


def blank_before(trend: pd.DataFrame, since: pd.Timestamp | None, columns: Sequence[str]) -> pd.DataFrame:
    """`trend` with `columns` emptied (no data, never 0) in the months before `since`, the first month the
    source recorded anything; all of them when it never did (`since` None: no such source was loaded)."""
    out = trend.copy()
    before = out["month"] < since if since is not None else pd.Series(True, index=out.index)
    out.loc[before, list(columns)] = float("nan")
    return out


def no_source_text(what: str, since: pd.Timestamp | None, month: pd.Timestamp | None) -> str | None:
    """Why a workforce card has no number although people were employed: no `what` was ever loaded, or
    none before `since`; None when the month is covered (its 0 is a real 0)."""
    if since is None:
        return f"No data: no {what} were loaded, so this is not a 0."
    if month is not None and month < since:
        return f"No data: the first {what} loaded are of {format_month(since)}."
    return None


# --- turnover cost, recognition, internal responsiveness (summed counts, divided last) -----------------------
def sum_by(frame: pd.DataFrame, by: Sequence[str], counts: Sequence[str]) -> pd.DataFrame:
    """Σ `counts` per `by` (per month when `by` is ["month"]); all-missing groups stay missing, never 0."""
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in [*by, *counts]})
    data = frame[[*by, *counts]].copy()
    data[list(counts)] = data[list(counts)].astype(float)
    return data.groupby(list(by), as_index=False, dropna=False)[list(counts)].sum(min_count=1)


def ratio_column(frame: pd.DataFrame, numerator: str, denominator: str, scale: float = 1.0) -> pd.Series:
    """numerator / denominator × scale per row; missing where the denominator is 0 or missing."""
    return _ratio(frame[numerator], frame[denominator], scale)


COST_COUNTS = ["separations", "turnover_cost"]
RECOGNITION_COUNTS = [
    "employees",
    "recognised_employees",
    "recognitions",
    "peer_recognitions",
    "manager_recognitions",
    "award_recognitions",
    "untyped_recognitions",
]
RESPONSIVENESS_COUNTS = ["requests", "answered_requests", "hours_to_answer_sum"]


def recognition_ratios(summed: pd.DataFrame) -> pd.DataFrame:
    """recognised % = 100 × Σ recognised employees / Σ employees; per employee = Σ recognitions / Σ employees."""
    return summed.assign(
        recognised_pct=ratio_column(summed, "recognised_employees", "employees", 100.0),
        recognitions_per_employee=ratio_column(summed, "recognitions", "employees"),
    )


def responsiveness_ratios(summed: pd.DataFrame) -> pd.DataFrame:
    """answered % = 100 × Σ answered / Σ requests; mean hours = Σ hours to answer / Σ answered requests (a
    median cannot be added up across months or teams, the mean of the stored sum and count can)."""
    return summed.assign(
        answered_pct=ratio_column(summed, "answered_requests", "requests", 100.0),
        mean_hours_to_answer=ratio_column(summed, "hours_to_answer_sum", "answered_requests"),
    )


def cost_ratios(summed: pd.DataFrame) -> pd.DataFrame:
    """cost per separation = Σ turnover cost / Σ separations."""
    return summed.assign(cost_per_separation=ratio_column(summed, "turnover_cost", "separations"))


def in_months(frame: pd.DataFrame, start, end) -> pd.DataFrame:
    if frame.empty or start is None:
        return frame.iloc[0:0]
    return frame[pd.to_datetime(frame["month"]).between(start, end)]


def job_level_text(level: object) -> str:
    """A job level as people read it: "Job level 2" for an HRIS's number, the glossary's words otherwise
    ("IC1", "Other (small groups)" stay as they are)."""
    text = plain(level)
    return f"Job level {text}" if text.isdigit() else text


RECENT_MONTHS = 36  # the months the period slider offers unless every month is asked for


def latest_months(months: Sequence[pd.Timestamp], length: int) -> list[pd.Timestamp]:
    """The months of `months` (sorted) inside the `length` months ending at the last one."""
    if not months:
        return []
    earliest = months[-1] - pd.DateOffset(months=length - 1)
    return [m for m in months if m >= earliest]


def as_text(values: Sequence, decimals: int = 0) -> list[str]:
    """Numbers as a table shows them ("1,234", "7.54"); a missing one as the no-data dash, never "None"."""
    return [NO_DATA if v is None or pd.isna(v) else f"{float(v):,.{decimals}f}" for v in values]
