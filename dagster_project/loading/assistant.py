"""The mapping assistant: a first draft of an import mapping for an export the lake has never seen, and a dry
run of a mapping on a file (`empathy-lake mapping suggest|check`, docs/mappings.md).

`suggest` reads the file's header and profiles every column (types, code sets, numeric ranges, date formats)
with the same reader the loader uses. When the header matches a vendor profile (profiles.py) the draft is that
profile; otherwise it proposes one column spec per contract column by name similarity, checked against the
column's sniffed type, with `map:` for code sets, `rescale:` for scales, `format:` for dates, and a `DECIDE`
comment wherever a person must choose. It never writes a field's content of a personal-data column: the only
values a draft quotes are the codes of short code sets.

`check` loads the file through the real loader into a throw-away DuckDB and a temporary landing folder, so the
counts are exactly what a run would record, and nothing of the lake is read or written.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import secrets
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime
from difflib import SequenceMatcher
from pathlib import Path

import duckdb
import yaml

from dagster_project.contract import Column, Entity, load_contract
from dagster_project.loading.loader import load_entity
from dagster_project.loading.mapping import ReadOptions, load_mapping
from dagster_project.loading.profiles import Profile, get_profile, list_profiles
from dagster_project.loading.reader import REJECT_REASONS, LoadError, read_landing_file
from dagster_project.loading.sandbox import MappingError, quote_ident, sandbox

PROFILE_MATCH = 0.75  # share of a profile's source columns the header must have
NAME_MATCH = 0.62  # least name similarity for a proposed column
CODE_SET_MAX = 12  # at most this many distinct values make a code set
SAMPLE_VALUES = 500  # values per column tried against the date formats

# Other names exports use for a contract column (lower-case words; the column's own name counts too).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": ("customer id", "customer number", "customer no", "client id", "client number", "cust id"),
    "customer_name": ("customer name", "name", "full name", "client name"),
    "email": ("email", "e mail", "email address", "mail"),
    "segment": ("segment", "customer segment", "customer type", "tier", "plan"),
    "signup_date": ("signup date", "sign up date", "created", "created at", "customer since", "joined", "join date"),
    "status": ("status", "state", "churn", "churned", "order status", "lifecycle stage"),
    "churn_date": ("churn date", "cancelled at", "canceled at", "ended at", "cancellation date"),
    "order_id": ("order id", "order number", "order no", "order"),
    "ordered_at": ("order date", "ordered at", "created at", "date", "purchase date"),
    "order_total": ("total", "order total", "amount", "net sales", "gross sales", "revenue"),
    "refund_amount": ("refunded amount", "refund", "refunds", "refund amount"),
    "ticket_id": ("ticket id", "ticket number", "case id", "case number", "conversation id"),
    "opened_at": ("created", "created at", "created time", "opened", "opened at", "requested", "date created"),
    "first_reply_at": ("first reply at", "first response at", "first response time", "first responded at"),
    "resolved_at": ("resolved at", "resolved time", "solved at", "closed at", "closed time"),
    "first_resolved_at": ("first resolved at", "first resolution at", "first solved at"),
    "reopen_count": ("reopens", "reopen count", "reopened"),
    "agent_id": ("agent", "assignee", "agent id", "assigned to", "owner"),
    "agent_replies": ("replies", "agent replies", "agent interactions"),
    "contacts": ("contacts", "customer interactions", "messages"),
    "handle_time_minutes": ("handle time", "handling time", "time tracked", "handle time minutes"),
    "category": ("category", "topic", "type", "ticket type", "reason"),
    "channel": ("channel", "source", "via", "medium", "acquisition channel"),
    "employee_id": ("employee id", "employee number", "employee no", "emp id", "staff id", "personnel number"),
    "employee_name": ("employee name", "name", "full name"),
    "team": ("team", "department", "group", "unit"),
    "department": ("department", "division", "dept"),
    "manager_id": ("manager", "manager id", "supervisor", "reports to", "reporting to", "line manager"),
    "job_level": ("job level", "level", "grade", "band"),
    "weekly_hours": ("weekly hours", "hours per week", "weekly working hours", "standard hours", "working hours"),
    "hire_date": ("hire date", "start date", "hired", "date of hire", "joined", "employment start"),
    "termination_date": ("termination date", "end date", "leaving date", "exit date", "left"),
    "termination_type": ("termination type", "attrition", "leaving reason", "exit type", "reason for leaving"),
    "response_id": ("response id", "respondent id", "submission id", "answer id", "id"),
    "respondent_id": ("respondent id", "respondent", "employee number", "employee id"),
    "score": ("score", "rating", "nps", "csat", "ces", "answer", "note", "recommend score", "likelihood"),
    "comment": ("comment", "comments", "feedback", "explanation", "explication", "reason", "verbatim", "remarks"),
    "responded_at": ("responded at", "submitted at", "submit date", "timestamp", "end date", "recorded date", "date"),
    "survey_type": ("survey type", "survey"),
    "touchpoint": ("touchpoint", "touch point", "journey", "stage"),
    "location": ("location", "store", "branch", "office", "site", "city"),
    "region": ("region", "area", "country", "state"),
    "review_id": ("review id", "id"),
    "rating": ("rating", "stars", "star rating", "review stars", "score"),
    "title": ("title", "review title", "headline", "subject"),
    "text": ("text", "review text", "review", "content", "review content", "body", "message", "description"),
    "recommended": ("recommended", "recommend", "would recommend", "recommended ind"),
    "reviewed_at": ("reviewed at", "review date", "date", "created at", "review created", "posted", "published"),
    "platform": ("platform", "site", "source"),
    "lead_id": ("lead id", "record id", "deal id", "opportunity id", "contact id"),
    "created_at": ("created at", "create date", "created", "creation date", "date created"),
    "converted_at": ("converted at", "close date", "became a customer date", "won date"),
}
# Words too common to match a column on their own when the header says more ("Due date" is not ordered_at).
GENERIC_WORDS = {"id", "date", "name", "type", "text", "state", "source", "status", "group", "unit", "level", "at"}
STOP_WORDS = {"of", "out", "in", "the", "per", "a", "an", "with", "to", "for", "on", "by", "from", "and", "or"}
PERSONAL_WORDS = {"email", "mail", "name", "phone", "mobile", "address", "ip", "firstname", "lastname", "street"}
# Columns that name a member of staff or a requester: their values are people's names.
PERSON_WORDS = {"agent", "assignee", "teammate", "requester", "employee", "manager", "author", "owner"}
YES = {"yes", "y", "true", "1", "t", "oui", "ja", "si"}
NO = {"no", "n", "false", "0", "f", "non", "nein"}
# Formats tried on text columns a date or timestamp is proposed from (DuckDB strptime codes, which are
# Python's); ISO dates and timestamps need none.
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d/%m/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%d/%m/%Y %H:%M",
    "%m/%d/%Y %H:%M",
    "%d.%m.%Y",
    "%d.%m.%Y %H:%M",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%Y/%m/%d %H:%M:%S",
    "%b %d, %Y",
    "%d %b %Y",
)
ISO_FORMATS = {"%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"}


# ------------------------------------------------------------------------------------------ profiling


@dataclass
class SourceColumn:
    name: str
    non_empty: int = 0
    distinct: int = 0
    integer: bool = False
    numeric: bool = False
    low: float | None = None
    high: float | None = None
    codes: list[str] = field(default_factory=list)  # the distinct values when a short code set (non-personal)
    date_formats: list[str] = field(default_factory=list)
    personal: bool = False
    emails: bool = False  # most sampled values are e-mail addresses (or the name says so)

    @property
    def words(self) -> str:
        return " ".join(words(self.name))

    @property
    def is_date(self) -> bool:
        return bool(self.date_formats)

    def describe(self, rows: int) -> str:
        """A comment on what the column holds, without any of its values."""
        if self.non_empty == 0:
            return "always empty"
        kind = "whole numbers" if self.integer else "numbers" if self.numeric else "dates" if self.is_date else "text"
        text = f"{kind}, {self.distinct:,} distinct in {self.non_empty:,} filled of {rows:,} rows"
        if self.numeric and self.low is not None:
            text += f", {self.low:,.10g} to {self.high:,.10g}"
        return text + (", may be personal data (no values shown)" if self.personal else "")


@dataclass
class FileProfile:
    name: str  # the file's name, never its path
    rows: int
    read: ReadOptions
    columns: list[SourceColumn]


def words(name: str) -> list[str]:
    """`customerID` -> [customer, id]; `Lineitem price` -> [lineitem, price]; `Created (UTC)` -> [created, utc]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", name))
    return re.findall(r"[a-z]+|\d+", spaced.lower())


def _head_bytes(path: Path, size: int = 1 << 16) -> bytes:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as handle:
        return handle.read(size)


def sniff_read_options(path: Path) -> ReadOptions:
    """Encoding (UTF-8 or Windows-1252), delimiter and the texts that mean "no value", from the file's start."""
    if path.name.lower().endswith((".parquet", ".pq")):
        return ReadOptions()
    head = _head_bytes(path)
    try:
        text = head.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if exc.start >= len(head) - 3:
            text, encoding = head[: exc.start].decode("utf-8"), "utf-8"
        else:
            text, encoding = head.decode("cp1252", errors="replace"), "cp1252"
    lines = text.lstrip("\ufeff").splitlines()[:50]
    try:
        delimiter = csv.Sniffer().sniff("\n".join(lines), delimiters=",;|\t").delimiter
    except csv.Error:
        delimiter = None  # DuckDB sniffs it
    cells = Counter(cell.strip() for line in lines[1:] for cell in line.split(delimiter or ","))
    nulls = [""] + [t for t in ("NA", "N/A", "n/a", "NULL", "null", "-") if cells[t] >= 2]
    return ReadOptions(delimiter=delimiter, encoding=encoding, null_values=tuple(nulls))


def _date_formats(values: list[str]) -> list[str]:
    fits = []
    for fmt in DATE_FORMATS:
        try:
            for value in values:
                datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
        fits.append(fmt)
    return fits


def _looks_like_emails(column: SourceColumn, values: list[str]) -> bool:
    if {"email", "mail"} & set(words(column.name)):
        return True
    return bool(values) and sum("@" in v for v in values) > len(values) / 2


def _looks_personal(column: SourceColumn, values: list[str]) -> bool:
    if set(words(column.name)) & PERSONAL_WORDS:
        return True
    if set(words(column.name)) & PERSON_WORDS and not column.numeric:
        return True
    return _looks_like_emails(column, values)


def profile_file(path: Path, read: ReadOptions | None = None) -> FileProfile:
    """Header and per-column statistics of `path`, read exactly as the loader reads it."""
    read = read or sniff_read_options(path)
    with sandbox(secrets.token_hex(16)) as box:
        result = read_landing_file(box.con, path.resolve(), read)
        if read.encoding == "utf-8" and any(r.reason == REJECT_REASONS["INVALID UNICODE"] for r in result.rejected):
            # Not UTF-8 after the sampled start (the loader would reject those lines): Windows-1252 is what such
            # exports are.
            read = replace(read, encoding="cp1252")
            result = read_landing_file(box.con, path.resolve(), read)
        con = box.con
        rows = result.parsed_rows
        columns = []
        for name in result.header:
            col = SourceColumn(name)
            q = quote_ident(name)
            col.non_empty, col.distinct, as_int, as_num, low, high = con.execute(
                f"SELECT count(NULLIF(trim({q}), '')), count(DISTINCT NULLIF(trim({q}), '')), "
                f"count(*) FILTER (WHERE regexp_full_match(trim({q}), '[+-]?[0-9]+')), "
                f"count(TRY_CAST(trim({q}) AS DOUBLE)), "
                f"min(TRY_CAST(trim({q}) AS DOUBLE)), max(TRY_CAST(trim({q}) AS DOUBLE)) FROM {result.table}"
            ).fetchone()
            col.integer = col.non_empty > 0 and as_int == col.non_empty
            col.numeric = col.non_empty > 0 and as_num == col.non_empty
            col.low, col.high = (low, high) if col.numeric else (None, None)
            sample = [
                r[0]
                for r in con.execute(
                    f"SELECT trim({q}) FROM {result.table} WHERE NULLIF(trim({q}), '') IS NOT NULL "
                    f"ORDER BY _source_row LIMIT {SAMPLE_VALUES}"
                ).fetchall()
            ]
            col.personal = _looks_personal(col, sample)
            col.emails = _looks_like_emails(col, sample)
            if sample and not col.numeric:
                col.date_formats = _date_formats(sample)
            short = col.distinct <= CODE_SET_MAX and col.distinct * 2 <= max(col.non_empty, 1)
            if short and not col.personal and not col.is_date:
                col.codes = [
                    r[0]
                    for r in con.execute(
                        f"SELECT trim({q}) AS v FROM {result.table} WHERE NULLIF(trim({q}), '') IS NOT NULL "
                        "GROUP BY v ORDER BY count(*) DESC, v"
                    ).fetchall()
                ]
            columns.append(col)
    return FileProfile(path.name, rows, read, columns)


# ------------------------------------------------------------------------------------------ matching


def best_profile(header: list[str], profiles: list[Profile] | None = None) -> tuple[Profile | None, float]:
    """The vendor profile whose source columns the header has the largest share of (case-insensitive)."""
    present = {h.lower() for h in header}
    best, best_score = None, 0.0
    for profile in profiles if profiles is not None else list_profiles():
        wanted = {c.lower() for c in profile.source_columns}
        score = len(wanted & present) / len(wanted) if wanted else 0.0
        if score > best_score:
            best, best_score = profile, score
    return (best, best_score) if best_score >= PROFILE_MATCH else (None, best_score)


def name_similarity(target: str, source: SourceColumn) -> float:
    """1.0 for the contract name or a known synonym, else the best word and spelling overlap."""
    candidates = {" ".join(words(target))} | set(SYNONYMS.get(target, ()))
    source_words = source.words
    if source_words in candidates or source_words.replace(" ", "") in {c.replace(" ", "") for c in candidates}:
        return 1.0
    tokens = set(source_words.split())
    best = 0.0
    for candidate in candidates:
        other = set(candidate.split())
        overlap = len(tokens & other) / len(tokens | other) if tokens | other else 0.0
        meaningful = tokens - STOP_WORDS
        if other <= tokens and not other <= GENERIC_WORDS and 2 * len(other) >= len(meaningful):
            overlap = max(overlap, 0.7)  # "Stars out of ten" is about stars; "Years with curr manager" is not
        spelling = SequenceMatcher(None, source_words, candidate).ratio()
        best = max(best, overlap, spelling * 0.9 if spelling >= 0.85 else 0.0)  # typos, not look-alikes
    return best


def _fits(column: Column, source: SourceColumn) -> bool:
    """Whether a source column's sniffed type can fill a contract column."""
    if source.non_empty == 0:
        return False
    if column.type in {"integer", "double"}:
        return source.numeric
    if column.type in {"date", "timestamp"}:
        return source.is_date
    if column.type == "boolean":
        return bool(source.codes) and len(source.codes) <= 3
    return True


@dataclass
class Proposal:
    target: str
    spec: object  # a column spec (str or dict) or None when a person must decide
    note: str = ""  # comment written beside it
    decide: bool = False
    source: str | None = None  # the source column a sql: spec reads


def _match_columns(entity: Entity, fp: FileProfile) -> dict[str, tuple[SourceColumn, float]]:
    """Each contract column -> its best source column, greedily by score, each source used once."""
    pairs = []
    for col in entity.columns:
        for src in fp.columns:
            score = name_similarity(col.name, src)
            if not _fits(col, src):
                score *= 0.5
            if col.name in entity.primary_key and src.distinct < 0.9 * fp.rows:
                score *= 0.5  # a key repeats only in line-item files (group_by)
            if score >= NAME_MATCH:
                pairs.append((score, col.name in entity.primary_key, col.name, src))
    chosen: dict[str, tuple[SourceColumn, float]] = {}
    used: set[str] = set()
    for score, _, target, src in sorted(pairs, key=lambda p: (-p[0], not p[1])):
        if target in chosen or (src.name in used and score < 1.0):  # an exact name may fill two columns
            continue
        chosen[target] = (src, score)
        used.add(src.name)
    key = entity.primary_key[0]
    if key not in chosen:
        # An unnamed index or a column named id with one distinct value per row is the key.
        for src in fp.columns:
            unique = src.distinct == fp.rows and src.non_empty == fp.rows
            if unique and src.name not in used and (src.words in {"id", ""} or src.name.startswith("column")):
                chosen[key] = (src, 0.7)
                break
    return chosen


def entity_score(entity: Entity, fp: FileProfile) -> float:
    matched = _match_columns(entity, fp)
    score = sum(s for _, s in matched.values())
    return score + (1.0 if entity.primary_key[0] in matched else 0.0)


def choose_entity(fp: FileProfile) -> Entity:
    contract = load_contract()
    return max(contract.entities.values(), key=lambda e: entity_score(e, fp))


def _code_map(column: Column, source: SourceColumn) -> tuple[dict[str, object], list[str]]:
    """Codes -> contract values where the correspondence is plain; the codes left for a person."""
    allowed = list(column.allowed or ())
    mapping: dict[str, object] = {}
    unsure: list[str] = []
    named = [a for a in allowed if SequenceMatcher(None, a, source.words).ratio() >= 0.7 or a.startswith(source.words)]
    for code in source.codes:
        low = code.lower().strip()
        if column.type == "boolean":
            value = True if low in YES else False if low in NO else None
        else:
            exact = [a for a in allowed if a == low or SequenceMatcher(None, a, low).ratio() >= 0.85]
            value = exact[0] if exact else None
            if value is None and len(named) == 1 and len(allowed) == 2:
                other = next(a for a in allowed if a != named[0])
                value = named[0] if low in YES else other if low in NO else None
        if value is None:
            unsure.append(code)
        else:
            mapping[code] = value
    return mapping, unsure


SCORE_SCALES = {"NPS": (0, 10), "CSAT": (1, 5), "CES": (1, 7)}


def _propose(col: Column, entity: Entity, src: SourceColumn, fp: FileProfile) -> Proposal:
    note = src.describe(fp.rows)
    if src.personal and not col.pii and col.type == "varchar" and not src.numeric:
        # A person's name or e-mail as a key: a keyed hash, as the vendor profiles do (a PII column of the
        # contract is hashed at load anyway). E-mails are lower-cased first, so one address is one key.
        value = f"trim({quote_ident(src.name)})"
        spec = {"sql": f"keyed_hash({f'lower({value})' if src.emails else value})"}
        note += "; a keyed hash, so the plain value never reaches the warehouse"
        return Proposal(col.name, spec, note, source=src.name)
    if col.allowed or col.type == "boolean":
        if not src.codes:
            return Proposal(col.name, src.name, f"{note}; DECIDE: expected codes {', '.join(col.allowed or ())}", True)
        mapping, unsure = _code_map(col, src)
        if unsure:
            note += f"; DECIDE: what the codes {', '.join(unsure)} mean (unlisted codes become empty)"
        return Proposal(col.name, {"from": src.name, "map": mapping}, note, bool(unsure))
    if col.type in {"date", "timestamp"}:
        formats = src.date_formats
        if any(f in ISO_FORMATS for f in formats):
            return Proposal(col.name, src.name, note)
        spec = {"from": src.name, "format": formats[0]}
        if len(formats) > 1:
            return Proposal(col.name, spec, f"{note}; DECIDE: the sample fits {' and '.join(formats)}", True)
        return Proposal(col.name, spec, note)
    bounds = (col.min, col.max)
    if col.type == "double" and src.numeric and None not in bounds and (src.low < col.min or src.high > col.max):
        scale = [0 if src.low >= 0 and src.low < 1 else 1, _scale_top(src.high)]
        spec = {"from": src.name, "rescale": {"from": scale, "to": [col.min, col.max]}}
        return Proposal(col.name, spec, f"{note}; DECIDE: is the source scale {scale[0]} to {scale[1]}?", True)
    return Proposal(col.name, src.name, note)


def _scale_top(high: float) -> int:
    for top in (4, 5, 7, 10, 100):
        if high <= top:
            return top
    return int(high)


def propose(entity: Entity, fp: FileProfile) -> list[Proposal]:
    matched = _match_columns(entity, fp)
    proposals = []
    for col in entity.columns:
        if col.name in matched:
            src, _ = matched[col.name]
            proposals.append(_propose(col, entity, src, fp))
        elif col.name == "survey_type" and "score" in matched:
            src = matched["score"][0]
            kind = next((k for k in SCORE_SCALES if k.lower() in src.words.split()), None)
            if kind is None and src.numeric:
                kind = next((k for k, (lo, hi) in SCORE_SCALES.items() if src.low >= lo and src.high <= hi), None)
            note = f"from the score column's name and range; DECIDE: one of {', '.join(SCORE_SCALES)}"
            proposals.append(Proposal(col.name, {"value": kind or "NPS"}, note, True))
        elif col.required:
            note = f"DECIDE: required ({col.description or col.type}); no column looks like it: map one or a constant"
            proposals.append(Proposal(col.name, None, note, True))
    return proposals


# ------------------------------------------------------------------------------------------ the draft


def _yaml_value(value: object) -> str:
    return (
        yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip().removesuffix("\n...")
    )


def _draft_name(path: Path) -> str:
    stem = path.name.split(".")[0]
    return re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_") or "export"


def _files_glob(path: Path) -> str:
    suffix = "".join(path.suffixes[-2:]) if path.name.lower().endswith(".gz") else path.suffix
    folder = _draft_name(Path(path.parent.name)) if path.parent.name else _draft_name(path)
    return f"{folder}/*{suffix.lower()}"


def _read_block(read: ReadOptions) -> list[str]:
    lines = ["read:"]
    if read.delimiter:
        lines.append(f"  delimiter: {json.dumps(read.delimiter)}")
    lines.append(f"  encoding: {read.encoding}")
    if read.null_values != ("",):
        lines.append(f"  null_values: {json.dumps(list(read.null_values))}")
    return lines


def draft_from_profile(profile: Profile, path: Path, score: float) -> str:
    text = profile.path.read_text(encoding="utf-8")
    header = (
        f"# Draft import mapping for {path.name}, written by `empathy-lake mapping suggest`: the header matches the\n"
        f"# vendor profile {profile.name} ({score:.0%} of the columns it reads). Check the files: globs, then\n"
        "# `empathy-lake mapping check` the file with this mapping before putting it in landing/_mappings/.\n"
    )
    return header + text


def draft_from_contract(fp: FileProfile, entity: Entity, path: Path) -> str:
    proposals = propose(entity, fp)
    used = {
        p.source or (p.spec if isinstance(p.spec, str) else p.spec.get("from"))
        for p in proposals
        if isinstance(p.spec, str | dict)
    }
    unused = [c for c in fp.columns if c.name not in used]
    decisions = sum(p.decide for p in proposals)
    lines = [
        f"# Draft import mapping for {path.name} ({fp.rows:,} rows), written by `empathy-lake mapping suggest`.",
        f"# No vendor profile matches its header; every column below was proposed for the {entity.name} entity",
        f"# by its name and its values. {decisions} line(s) say DECIDE: a person must check them. Then run",
        "# `empathy-lake mapping check FILE --mapping THIS_FILE` and put the mapping in landing/_mappings/.",
        f"name: {_draft_name(path)}",
        "description: >",
        "  DECIDE: what this export is (one row per ...), and every assumption this mapping makes.",
        f"  Drafted from {path.name}.",
        "provenance: >",
        "  DECIDE: where the export comes from (system, report, who exports it, how often).",
        "files:",
        f"  - {_files_glob(path)}",
        *_read_block(fp.read),
        "outputs:",
        f"  {entity.name}:",
        "    columns:",
    ]
    for p in proposals:
        if p.spec is None:
            lines.append(f"      # {p.target}:   # {p.note}")
        else:
            lines.append(f"      {p.target}: {_yaml_value(p.spec)}   # {p.note}")
    if unused:
        lines.append("# Columns of the file not mapped (the contract has no place for them, or a person may map them):")
        lines.extend(f"#   {c.name}: {c.describe(fp.rows)}" for c in unused)
        items = [c for c in unused if c.integer and c.high - c.low <= 10 and 3 <= c.distinct <= 11]
        if len(items) >= 2:
            lines.extend(_survey_items_block(entity, proposals, items))
    return "\n".join(lines) + "\n"


def _survey_items_block(entity: Entity, proposals: list[Proposal], items: list[SourceColumn]) -> list[str]:
    """Short-scale whole-number columns may be survey answers: a commented unpivot output a person can switch on
    (employees: employee_responses keyed by the employee; otherwise only the hint)."""
    names = ", ".join(c.name for c in items)
    hint = f"# {len(items)} of them look like answers on a short scale ({names})"
    chosen = {p.target: p.spec for p in proposals if isinstance(p.spec, str)}
    if entity.name != "employees" or "employee_id" not in chosen or "team" not in chosen:
        return [hint + ": an output with unpivot: may take them (docs/mappings.md)."]
    key, team = chosen["employee_id"], chosen["team"]
    response_id = {"sql": f"keyed_hash(trim({quote_ident(key)}) || '|' || item)"}  # one per employee and item
    return [
        hint + ". DECIDE: if they are survey answers, keep only",
        "# the survey items, uncomment this output (under outputs:) and add them to the question bank",
        "# (landing/survey_questions/, their scale and favourable answers):",
        "#  employee_responses:",
        "#    unpivot:",
        f"#      columns: {_yaml_value([c.name for c in items])}",
        "#      name: item",
        "#      value: answer",
        "#    columns:",
        f"#      response_id: {_yaml_value(response_id)}",
        f"#      respondent_id: {_yaml_value(key)}",
        f"#      team: {_yaml_value(team)}",
        "#      question_id: item",
        "#      score: answer",
        '#      responded_at: {value: "YYYY-MM-DD"}   # DECIDE: the survey date',
    ]


@dataclass(frozen=True)
class Suggestion:
    draft: str  # the YAML text
    profile: str | None  # the vendor profile matched, if any
    entity: str | None  # the entity proposed, without a profile
    score: float  # profile match share, or the entity's score


def suggest(path: Path, entity: str | None = None) -> Suggestion:
    fp = profile_file(path)
    profile, share = best_profile([c.name for c in fp.columns]) if entity is None else (None, 0.0)
    if profile is not None:
        return Suggestion(draft_from_profile(profile, path, share), profile.name, None, share)
    target = load_contract().entity(entity) if entity else choose_entity(fp)
    return Suggestion(draft_from_contract(fp, target, path), None, target.name, entity_score(target, fp))


# ------------------------------------------------------------------------------------------ the dry run


@dataclass(frozen=True)
class EntityCheck:
    entity: str
    status: str  # loaded | failed
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_excluded: int
    message: str
    reasons: list[tuple[str, int]]  # the most frequent quarantine reasons with their counts
    records_loaded: int | None = None  # records the loaded lines make (group_by), where the loader counts them
    exclusions: list[tuple[str, int]] = field(default_factory=list)  # excluded lines per reason


def _mapping_file(mapping: str) -> Path:
    """A mapping file's path, or a vendor profile's by name."""
    candidate = Path(mapping)
    if candidate.suffix in {".yml", ".yaml"} and candidate.is_file():
        return candidate
    return get_profile(mapping).path


def check(path: Path, mapping: str | None = None, top: int = 5) -> tuple[str, list[EntityCheck]]:
    """Load `path` with `mapping` (a mapping file or a profile name; default: the matching profile) into a
    throw-away landing folder and DuckDB; what each entity would get. Returns the mapping's name too."""
    if mapping is None:
        profile, _ = best_profile([c.name for c in profile_file(path).columns])
        if profile is None:
            raise MappingError(
                f"{path.name}: no vendor profile matches this file; write a draft with `empathy-lake mapping suggest` "
                "and check that with --mapping"
            )
        mapping = profile.name
    source = _mapping_file(mapping)
    raw = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise MappingError(f"{mapping}: not a mapping (a YAML mapping with name, files and outputs)")
    with tempfile.TemporaryDirectory(prefix="empathy-lake-check-") as tmp:
        landing = Path(tmp) / "landing"
        target = landing / "checked" / path.name
        target.parent.mkdir(parents=True)
        shutil.copyfile(path, target)
        raw["files"] = [f"checked/{path.name}"]
        mapping_path = landing / "_mappings" / source.name  # errors name the user's file
        mapping_path.parent.mkdir()
        mapping_path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
        parsed = load_mapping(mapping_path)  # a mapping error is raised here, naming the field
        con = duckdb.connect(":memory:")
        try:
            results = []
            for name in parsed.outputs:
                entity = load_contract().entity(name)
                summary = load_entity(con, entity, landing, "check", secrets.token_hex(16), log=_quiet)
                results.append(_entity_check(con, name, summary, top))
        finally:
            con.close()
    return str(raw.get("name", mapping)), results


def _quiet(_: str) -> None:
    return None


def _entity_check(con: duckdb.DuckDBPyConnection, entity: str, summary, top: int) -> EntityCheck:
    cursor = con.execute("SELECT * FROM meta.load_report WHERE entity = ?", [entity])
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    excluded = sum(int(r.get("rows_excluded") or 0) for r in rows)
    records = sum(int(r["records_loaded"] or 0) for r in rows) if rows and "records_loaded" in rows[0] else None
    try:  # per-reason exclusions, where the loader records them (meta.load_exclusions)
        exclusions = con.execute(
            "SELECT reason, sum(rows) FROM meta.load_exclusions WHERE entity = ? GROUP BY 1 ORDER BY 2 DESC, 1",
            [entity],
        ).fetchall()
    except duckdb.CatalogException:
        exclusions = []
    reasons = con.execute(
        "SELECT reason, count(*) FROM meta.quarantine WHERE entity = ? GROUP BY reason ORDER BY 2 DESC, 1 LIMIT ?",
        [entity, top],
    ).fetchall()
    failures = summary.failures
    return EntityCheck(
        entity=entity,
        status="failed" if failures else "loaded",
        rows_read=summary.rows_read,
        rows_loaded=summary.rows_loaded,
        rows_quarantined=summary.rows_quarantined,
        rows_excluded=excluded,
        message="; ".join(_without_folder(f.message) for f in failures),
        reasons=[(str(r), int(n)) for r, n in reasons],
        records_loaded=records,
        exclusions=[(str(r), int(n)) for r, n in exclusions],
    )


def _without_folder(message: str) -> str:
    # The loader names the file by its place in the (temporary) landing folder; the user knows it by its name.
    return message.replace("checked/", "")


def format_check(path: Path, mapping_name: str, results: list[EntityCheck]) -> str:
    lines = [f"Dry run of mapping {mapping_name!r} on {path.name} (nothing was written to the lake):"]
    for r in results:
        if r.status == "failed":
            lines.append(f"  {r.entity}: the file would fail: {r.message}")
            continue
        grouped = f" (as {r.records_loaded:,} records)" if r.records_loaded not in (None, r.rows_loaded) else ""
        lines.append(
            f"  {r.entity}: {r.rows_read:,} rows read: {r.rows_loaded:,} would load{grouped}, {r.rows_excluded:,} "
            f"would be excluded, {r.rows_quarantined:,} would be quarantined"
        )
        lines.extend(f"    excluded: {count:,} × {reason}" for reason, count in r.exclusions)
        lines.extend(f"    quarantined: {count:,} × {reason}" for reason, count in r.reasons)
    return "\n".join(lines)


__all__ = [
    "LoadError",
    "check",
    "format_check",
    "profile_file",
    "suggest",
    "best_profile",
]
