"""Deterministic, vectorised generator of the fictional business's landing files.

Customers and employees are simulated month by month as whole arrays (24 vector steps, not one per row);
transactional rows are drawn month by month and written at once, so memory follows one month of data and
10M tickets fit in a few GB. The planted truth (ground_truth.json) is computed from the very rows written.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from tqdm import tqdm

from dagster_project.sample_data import world as w
from dagster_project.sample_data.panels import two_by_two

DAY = 86_400


@dataclass
class GenerationResult:
    out_dir: Path
    row_counts: dict[str, int]
    truth_path: Path
    seconds: float


@dataclass
class _Writer:
    out: Path
    fmt: str
    counts: dict[str, int] = field(default_factory=dict)

    def write(self, entity: str, table: pa.Table, suffix: str = "") -> None:
        if table.num_rows == 0:  # a quiet month writes no file rather than an empty one
            return
        folder = self.out / entity
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{entity}{'_' + suffix if suffix else ''}"
        if self.fmt == "parquet":
            pq.write_table(table, folder / f"{name}.parquet")
        else:
            pacsv.write_csv(
                table, folder / f"{name}.csv", pacsv.WriteOptions(quoting_style="needed", include_header=True)
            )
        self.counts[entity] = self.counts.get(entity, 0) + table.num_rows


def _ts(seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return pa.array(seconds.astype("int64"), type=pa.timestamp("s"), mask=None if valid is None else ~valid)


def _date(seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    return pc_date(_ts(seconds, valid))


def pc_date(ts: pa.Array) -> pa.Array:
    return ts.cast(pa.date32())


def _ids(prefix: str, start: int, n: int, width: int = 8) -> pa.Array:
    if n == 0:
        return pa.array([], type=pa.string())
    return pa.array(np.char.add(prefix, np.char.zfill(np.arange(start, start + n).astype(str), width)))


def _pick(rng: np.random.Generator, options: list[str], n: int, p: np.ndarray | None = None) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=n, p=p)]


def _texts(rng: np.random.Generator, sentiment: np.ndarray, share: float) -> pa.Array:
    """English comments whose tone follows `sentiment` (-1, 0, 1); a `share` of rows get one."""
    n = len(sentiment)
    out = np.empty(n, dtype=object)
    for value, bank in ((1, w.POSITIVE), (0, w.NEUTRAL), (-1, w.NEGATIVE)):
        idx = np.flatnonzero(sentiment == value)
        out[idx] = np.asarray(bank, dtype=object)[rng.integers(0, len(bank), idx.size)]
    out[rng.random(n) >= share] = None
    return pa.array(out, type=pa.string())


class _Calendar:
    def __init__(self, start: str, months: int):
        first = np.datetime64(start, "M")
        self.month_starts = np.array([(first + i).astype("datetime64[s]").astype("int64") for i in range(months + 1)])
        self.months = months

    def bounds(self, m: int) -> tuple[int, int]:
        return int(self.month_starts[m]), int(self.month_starts[m + 1])

    def label(self, m: int) -> str:
        return str(np.datetime64(int(self.month_starts[m]), "s").astype("datetime64[M]"))

    def month_of(self, seconds: np.ndarray) -> np.ndarray:
        """Month index (0-based) of each time."""
        return np.searchsorted(self.month_starts, seconds, side="right") - 1

    @property
    def start(self) -> int:
        return int(self.month_starts[0])

    @property
    def end(self) -> int:
        return int(self.month_starts[-1])


def generate(
    out_dir: Path,
    scale: float = 1.0,
    seed: int = 42,
    start: str = "2024-01-01",
    months: int = 24,
    fmt: str = "csv",
    progress: bool = True,
) -> GenerationResult:
    """Write every contract entity of a fictional business into `out_dir` (a landing folder)."""
    began = time.perf_counter()
    out_dir = Path(out_dir)
    rng = np.random.default_rng(seed)
    cal = _Calendar(start, months)
    writer = _Writer(out_dir, fmt)
    truth = _Truth(cal)
    bar = tqdm(total=months * 2 + 4, desc="generate", unit="step", disable=not progress)

    customers = _customers(rng, cal, scale, writer)
    bar.update(1)
    _leads(rng, cal, scale, writer)
    _initiatives(cal, writer)
    coaching = _Coaching(np.random.default_rng([seed, 2]), cal)
    bar.update(1)
    for m in range(months):
        _customer_month(rng, cal, m, scale, customers, writer, truth, coaching)
        bar.update(1)
    employees = _employees(rng, cal, scale, writer)
    _survey_questions(writer)
    bar.update(1)
    for m in range(months):
        _employee_month(rng, cal, m, employees, writer, truth)
        bar.update(1)
    _brand(rng, cal, scale, writer, truth)
    coaching.write(writer)
    bar.update(1)
    bar.close()

    truth_path = out_dir / "_truth" / "ground_truth.json"
    truth_path.parent.mkdir(parents=True, exist_ok=True)
    truth_path.write_text(json.dumps(truth.finish(customers, employees, scale, seed), indent=1, sort_keys=True))
    return GenerationResult(out_dir, dict(sorted(writer.counts.items())), truth_path, time.perf_counter() - began)


# ----------------------------------------------------------------------------------------------- customers
def _customers(rng, cal: _Calendar, scale: float, writer: _Writer) -> dict[str, np.ndarray]:
    n = max(int(4000 * scale), 50)
    loc_idx = rng.choice(len(w.LOCATIONS), size=n, p=w.LOCATION_WEIGHTS)
    seg_idx = rng.choice(len(w.SEGMENTS), size=n, p=w.SEGMENT_WEIGHTS)
    existing = rng.random(n) < 0.35  # a third were customers before the period starts
    signup = np.where(
        existing,
        cal.start - rng.integers(30, 730, n) * DAY,
        cal.start + (rng.random(n) * (cal.end - cal.start - 30 * DAY)).astype("int64"),
    )
    signup = signup - signup % DAY
    treated_loc = np.isin(np.asarray(w.LOCATIONS)[loc_idx], w.TREATED_LOCATIONS)
    churn = np.full(n, -1, dtype="int64")
    for m in range(cal.months):
        lo, hi = cal.bounds(m)
        at_risk = (churn < 0) & (signup < lo)
        hazard = np.where(
            treated_loc & (m >= w.INITIATIVE_MONTH),
            w.CHURN_HAZARD_BASE * w.CHURN_HAZARD_TREATED_FACTOR,
            w.CHURN_HAZARD_BASE,
        )
        hazard = hazard * np.array([1.0, 0.8, 0.6])[seg_idx]
        leaving = at_risk & (rng.random(n) < hazard)
        churn[leaving] = lo + rng.integers(0, (hi - lo) // DAY, leaving.sum()) * DAY
    churned = churn >= 0
    first = _pick(rng, w.FIRST_NAMES, n)
    last = _pick(rng, w.LAST_NAMES, n)
    ids = np.char.add("C", np.char.zfill(np.arange(1, n + 1).astype(str), 7))
    table = pa.table(
        {
            "customer_id": ids,
            "customer_name": pa.array(first + " " + last),
            "email": pa.array(
                np.char.add(
                    np.char.lower(np.char.add(first.astype(str), np.char.zfill(np.arange(1, n + 1).astype(str), 7))),
                    "@example.com",
                )
            ),
            "segment": pa.array(np.asarray(w.SEGMENTS)[seg_idx]),
            "region": pa.array(np.asarray([w.REGIONS[x] for x in w.LOCATIONS])[loc_idx]),
            "location": pa.array(np.asarray(w.LOCATIONS)[loc_idx]),
            "channel": pa.array(
                _pick(rng, w.ACQUISITION_CHANNELS, n, np.array([0.5, 0.3, 0.1, 0.1])), type=pa.string()
            ),
            "signup_date": _date(signup),
            "status": pa.array(np.where(churned, "churned", "active")),
            "churn_date": _date(np.where(churned, churn, 0), churned),
        }
    )
    writer.write("customers", table)
    return {"id": ids, "loc": loc_idx, "seg": seg_idx, "signup": signup, "churn": churn, "treated": treated_loc}


def _active_in(customers, lo: int, hi: int) -> np.ndarray:
    churn = customers["churn"]
    return np.flatnonzero((customers["signup"] < hi) & ((churn < 0) | (churn >= lo)))


def _times_within(rng, customers, idx: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Uniform times in [lo, hi) clamped into each customer's own relationship."""
    start = np.maximum(lo, customers["signup"][idx])
    end = np.where(customers["churn"][idx] >= 0, np.minimum(hi, customers["churn"][idx] + DAY), hi)
    end = np.maximum(end, start + 1)
    return start + (rng.random(idx.size) * (end - start)).astype("int64")


def _customer_month(
    rng, cal: _Calendar, m: int, scale: float, customers, writer: _Writer, truth, coaching: _Coaching
) -> None:
    lo, hi = cal.bounds(m)
    label = cal.label(m)
    season = 1.0 + 0.25 * np.cos((m % 12 - 11) / 12 * 2 * np.pi)  # busier towards December
    active = _active_in(customers, lo, hi)
    after = m >= w.INITIATIVE_MONTH
    # Orders
    n = int(25000 * scale / cal.months * season)
    idx = active[rng.integers(0, active.size, n)]
    at = _times_within(rng, customers, idx, lo, hi)
    total = np.round(rng.lognormal(3.6, 0.7, n) * w.SEGMENT_ORDER_VALUE[customers["seg"][idx]], 2)
    status_idx = rng.choice(3, size=n, p=[0.92, 0.03, 0.05])
    refund = np.where(status_idx == 2, total, np.where(rng.random(n) < 0.03, np.round(total * 0.2, 2), 0.0))
    order_ids = _ids("O", writer.counts.get("orders", 0) + 1, n, 9)
    writer.write(
        "orders",
        pa.table(
            {
                "order_id": order_ids,
                "customer_id": pa.array(customers["id"][idx]),
                "ordered_at": _ts(at),
                "channel": pa.array(_pick(rng, w.SALES_CHANNELS, n, np.array([0.55, 0.38, 0.07])), type=pa.string()),
                "location": pa.array(np.asarray(w.LOCATIONS)[customers["loc"][idx]]),
                "order_total": pa.array(total),
                "refund_amount": pa.array(refund),
                "status": pa.array(np.asarray(["completed", "cancelled", "returned"])[status_idx]),
            }
        ),
        label,
    )
    # Tickets
    n = int(20000 * scale / cal.months * season)
    idx = active[rng.integers(0, active.size, n)]
    opened = _times_within(rng, customers, idx, lo, hi)
    chan = rng.choice(len(w.TICKET_CHANNELS), size=n, p=w.TICKET_CHANNEL_WEIGHTS)
    cat = rng.integers(0, len(w.TICKET_CATEGORIES), n)
    replied = rng.random(n) < 0.95
    first_reply = opened + (w.FIRST_REPLY_MEDIAN_MIN[chan] * 60 * rng.lognormal(0, 0.8, n)).astype("int64")
    resolved = replied & (rng.random(n) < 0.92)
    first_resolved = first_reply + (rng.lognormal(np.log(6 * 3600), 1.0, n)).astype("int64")
    treated = customers["treated"][idx] & after
    reopen = np.where(resolved, rng.poisson(np.where(treated, w.REOPEN_MEAN_TREATED, w.REOPEN_MEAN_BASE)), 0)
    full_resolved = first_resolved + np.where(reopen > 0, rng.lognormal(np.log(2 * DAY), 0.6, n), 0).astype("int64")
    contacts = 1 + rng.poisson(0.6, n) + reopen
    handle = rng.lognormal(np.log(np.where(treated, w.HANDLE_MEDIAN_TREATED, w.HANDLE_MEDIAN_BASE)), w.HANDLE_SIGMA, n)
    cat_names = np.asarray(w.TICKET_CATEGORIES)[cat]
    ticket_ids = np.char.add(
        "T",
        np.char.zfill(
            np.arange(writer.counts.get("tickets", 0) + 1, writer.counts.get("tickets", 0) + n + 1).astype(str), 9
        ),
    )
    ticket_loc = customers["loc"][idx]
    agent_no = rng.integers(1, w.AGENTS_PER_LOCATION + 1, n)
    agent_code = ticket_loc * w.AGENTS_PER_LOCATION + agent_no - 1
    agents = np.asarray(w.AGENTS)[agent_code]
    handle_shift, csat_lift = coaching.ticket_effects(agent_no, m)
    handle = np.round(np.where(handle_shift != 0, np.maximum(handle + handle_shift, 1.0), handle), 1)
    coaching.add_month(agent_code, m, truth)
    truth.add_tickets(m, ticket_loc, agent_code, resolved, reopen, handle)
    writer.write(
        "tickets",
        pa.table(
            {
                "ticket_id": pa.array(ticket_ids),
                "customer_id": pa.array(customers["id"][idx]),
                "channel": pa.array(np.asarray(w.TICKET_CHANNELS)[chan]),
                "location": pa.array(np.asarray(w.LOCATIONS)[customers["loc"][idx]]),
                "category": pa.array(cat_names),
                "opened_at": _ts(opened),
                "first_reply_at": _ts(first_reply, replied),
                "first_resolved_at": _ts(first_resolved, resolved),
                "resolved_at": _ts(full_resolved, resolved),
                "reopen_count": pa.array(reopen.astype("int64")),
                "contacts": pa.array(contacts.astype("int64")),
                "agent_replies": pa.array(np.where(replied, np.maximum(1, contacts - rng.integers(0, 2, n)), 0)),
                "agent_id": pa.array(agents),
                "handle_time_minutes": pa.array(handle),
                "text": pa.array(np.asarray([w.TICKET_TEXT[c] for c in w.TICKET_CATEGORIES], dtype=object)[cat]),
            }
        ),
        label,
    )
    # Survey answers: CSAT after a sample of tickets; NPS, CES and store/web CSAT from active customers.
    surveyed = np.flatnonzero(resolved & (rng.random(n) < 0.30))
    t_at = full_resolved[surveyed] + rng.integers(3600, 2 * DAY, surveyed.size)
    # An answer due after the extract's last day has not been given yet: the data ends with the period.
    answered = t_at < cal.end
    surveyed, t_at = surveyed[answered], t_at[answered]
    t_idx = idx[surveyed]
    n_other = int(6000 * scale / cal.months)
    o_idx = active[rng.integers(0, active.size, n_other)]
    o_at = _times_within(rng, customers, o_idx, lo, hi)
    o_type = rng.choice(3, size=n_other, p=[0.65, 0.20, 0.15])  # NPS, CSAT, CES
    cust = np.concatenate([t_idx, o_idx])
    at = np.concatenate([t_at, o_at])
    stype = np.concatenate([np.full(surveyed.size, 1), o_type])
    treated = customers["treated"][cust] & (at >= cal.month_starts[w.INITIATIVE_MONTH])
    lift = np.concatenate([csat_lift[surveyed], np.zeros(n_other)])
    score, tone = _survey_scores(rng, stype, treated, lift)
    truth.add_ticket_csat(m, agent_code[surveyed], score[: surveyed.size])
    k = cust.size
    touch = np.concatenate(
        [
            np.full(surveyed.size, "support", dtype=object),
            _pick(rng, w.TOUCHPOINTS, n_other, np.array([0.5, 0.35, 0.15])),
        ]
    )
    ticket_ref = np.concatenate([ticket_ids[surveyed].astype(object), np.full(n_other, None, dtype=object)])
    types = np.asarray(["NPS", "CSAT", "CES"])[stype]
    writer.write(
        "customer_responses",
        pa.table(
            {
                "response_id": _ids("R", writer.counts.get("customer_responses", 0) + 1, k, 9),
                "customer_id": pa.array(customers["id"][cust]),
                "ticket_id": pa.array(ticket_ref, type=pa.string()),
                "survey_type": pa.array(types),
                "score": pa.array(score.astype("float64")),
                "comment": _texts(rng, tone, 0.4),
                "touchpoint": pa.array(touch, type=pa.string()),
                "location": pa.array(np.asarray(w.LOCATIONS)[customers["loc"][cust]]),
                "responded_at": _ts(at),
            }
        ),
        label,
    )
    truth.add_responses(at, types, score, customers["seg"][cust], customers["treated"][cust], customers["loc"][cust])


def _survey_scores(rng, stype: np.ndarray, treated: np.ndarray, lift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """NPS 0-10, CSAT 1-5, CES 1-7 with the initiative's lift at treated locations and `lift` added to the
    CSAT top-2 probability (coached agents' tickets); tone -1/0/1 for text."""
    n = stype.size
    u = rng.random(n)
    p_det = np.where(treated, w.NPS_DETRACTOR_BASE - w.NPS_DETRACTOR_DROP, w.NPS_DETRACTOR_BASE)
    p_pro = np.where(treated, w.NPS_PROMOTER_BASE + w.NPS_PROMOTER_LIFT, w.NPS_PROMOTER_BASE)
    nps = np.where(
        u < p_det,
        rng.choice(7, n, p=[0.04, 0.03, 0.06, 0.1, 0.15, 0.27, 0.35]),
        np.where(u < 1 - p_pro, rng.integers(7, 9, n), rng.integers(9, 11, n)),
    )
    p_top = np.where(treated, w.CSAT_TOP2_BASE + w.CSAT_TOP2_LIFT, w.CSAT_TOP2_BASE) + lift
    csat = np.where(u < p_top, rng.choice([4, 5], n, p=[0.45, 0.55]), rng.choice([1, 2, 3], n, p=[0.2, 0.3, 0.5]))
    ces = np.clip(np.round(rng.normal(np.where(treated, w.CES_MEAN_TREATED, w.CES_MEAN_BASE), 1.3, n)), 1, 7)
    score = np.select([stype == 0, stype == 1], [nps, csat], ces)
    tone = np.select([stype == 0, stype == 1], [np.sign(nps - 7.5), np.sign(csat - 3.5)], np.sign(ces - 4.5))
    tone = np.where((stype == 0) & (nps >= 7) & (nps <= 8), 0, tone)
    return score, tone.astype(int)


def _leads(rng, cal: _Calendar, scale: float, writer: _Writer) -> None:
    n = max(int(3000 * scale), 20)
    created = cal.start + (rng.random(n) * (cal.end - cal.start)).astype("int64")
    status = rng.choice(3, size=n, p=[0.25, 0.45, 0.30])  # converted, lost, open
    age_days = (cal.end - created) / DAY
    status = np.where((status == 2) & (age_days > 90), 1, status)  # old open leads are lost
    converted = status == 0
    conv_at = np.minimum(created + rng.exponential(12 * DAY, n).astype("int64"), cal.end - 1)
    writer.write(
        "leads",
        pa.table(
            {
                "lead_id": _ids("L", 1, n, 8),
                "created_at": _ts(created),
                "channel": pa.array(_pick(rng, w.ACQUISITION_CHANNELS, n), type=pa.string()),
                "location": pa.array(_pick(rng, w.LOCATIONS, n, w.LOCATION_WEIGHTS), type=pa.string()),
                "segment": pa.array(_pick(rng, w.SEGMENTS, n, w.SEGMENT_WEIGHTS), type=pa.string()),
                "status": pa.array(np.asarray(["converted", "lost", "open"])[status]),
                "converted_at": _ts(conv_at, converted),
                "customer_id": pa.array(
                    np.where(
                        converted,
                        np.char.add(
                            "C", np.char.zfill(rng.integers(1, max(int(4000 * scale), 50) + 1, n).astype(str), 7)
                        ),
                        None,
                    ).astype(object),
                    type=pa.string(),
                ),
            }
        ),
    )


def _coached_agents() -> list[tuple[str, int]]:
    """(agent_id, cohort start month) of every coached agent."""
    return [(f"A-{loc}-{no}", start) for loc in w.LOCATIONS for no, (start, *_effects) in w.COACHING_COHORTS.items()]


def _initiatives(cal: _Calendar, writer: _Writer) -> None:
    starts = cal.month_starts[[w.INITIATIVE_MONTH, min(w.COACHING_COHORTS.values())[0], w.NULL_INITIATIVE_MONTH]]
    writer.write(
        "initiatives",
        pa.table(
            {
                "initiative_id": ["EMP-TRAIN-1", w.COACHING_ID, w.NULL_INITIATIVE_ID],
                "name": [
                    "Empathy training for store and support staff",
                    "One-to-one empathy coaching for support agents",
                    "Monthly wellbeing check-ins",
                ],
                "start_date": _date(starts),
                "end_date": pa.array([None] * 3, type=pa.date32()),
                "treated_locations": pa.array(["|".join(w.TREATED_LOCATIONS), None, None], type=pa.string()),
                "treated_teams": pa.array(
                    [
                        "|".join(f"Store {loc}" for loc in w.TREATED_LOCATIONS),
                        None,
                        "|".join(w.NULL_INITIATIVE_TEAMS),
                    ],
                    type=pa.string(),
                ),
                "cost": [45000.0, w.COACHING_COST, w.NULL_INITIATIVE_COST],
                "description": [
                    "Two-day active-listening and de-escalation training, then monthly coaching.",
                    "Support agents coached one to one on empathic replies, agent by agent in three waves.",
                    "A monthly wellbeing check-in between each worker and their manager.",
                ],
            }
        ),
    )
    coached = _coached_agents()
    writer.write(
        "initiative_units",
        pa.table(
            {
                "initiative_id": [w.COACHING_ID] * len(coached),
                "unit": [agent for agent, _ in coached],
                "start_date": _date(cal.month_starts[[start for _, start in coached]]),
            }
        ),
    )


class _Coaching:
    """Planted effect 3 (EMP-COACH-2): per-ticket effects by agent and month, and the complaints panel.

    Draws from its own random stream, so the rows of everything else stay as they were without it.
    """

    def __init__(self, rng: np.random.Generator, cal: _Calendar):
        self.rng, self.cal = rng, cal
        self.rows: list[pd.DataFrame] = []

    def effects_in(self, m: int) -> np.ndarray:
        """Rows handle minutes, CSAT top-2 probability, complaints per 100; columns agent number 0..N."""
        table = np.zeros((3, w.AGENTS_PER_LOCATION + 1))
        for no, (start, *effects) in w.COACHING_COHORTS.items():
            if m >= start:
                table[:, no] = effects
        return table

    def ticket_effects(self, agent_no: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
        table = self.effects_in(m)
        return table[0][agent_no], table[1][agent_no]

    def add_month(self, agent_code: np.ndarray, m: int, truth) -> None:
        codes, tickets = np.unique(agent_code, return_counts=True)
        names = np.asarray(w.AGENTS)[codes]
        rate = w.COMPLAINT_RATE_BASE + self.effects_in(m)[2][codes % w.AGENTS_PER_LOCATION + 1] / 100
        value = np.round(100 * self.rng.binomial(tickets, rate) / tickets, 4)
        self.rows.append(pd.DataFrame({"unit": names, "month": self.cal.month_starts[m], "value": value}))
        truth.add_cells(w.COMPLAINTS_METRIC, "agent", codes, np.full(codes.size, m), value)

    def write(self, writer: _Writer) -> None:
        panel = pd.concat(self.rows, ignore_index=True)
        writer.write(
            "outcome_measures",
            pa.table(
                {
                    "unit": panel.unit.to_numpy(),
                    "month": _date(panel.month.to_numpy()),
                    "metric": np.full(len(panel), w.COMPLAINTS_METRIC),
                    "value": panel.value.to_numpy(),
                }
            ),
        )


# ----------------------------------------------------------------------------------------------- employees
def _employees(rng, cal: _Calendar, scale: float, writer: _Writer) -> dict[str, np.ndarray]:
    n0 = max(int(300 * np.sqrt(scale)), 60)
    team_idx = np.concatenate([np.arange(len(w.TEAMS)), rng.integers(0, len(w.TEAMS), n0 - len(w.TEAMS))])
    hire = cal.start - rng.integers(30, 8 * 365, n0) * DAY
    term = np.full(n0, -1, dtype="int64")
    ttype = np.zeros(n0, dtype=int)  # 1 voluntary, 2 involuntary
    poor = np.asarray(w.TEAMS)[team_idx] == w.POOR_MANAGER_TEAM
    is_manager = np.zeros(n0, dtype=bool)
    is_manager[: len(w.TEAMS)] = True
    for m in range(cal.months):
        lo, hi = cal.bounds(m)
        active = (term < 0) & (hire < lo) & ~is_manager
        vol_h = np.where(poor, w.POOR_TEAM_VOLUNTARY_HAZARD, w.VOLUNTARY_HAZARD)
        u = rng.random(term.size)
        vol = active & (u < vol_h)
        inv = active & ~vol & (u < vol_h + w.INVOLUNTARY_HAZARD)
        leaving = vol | inv
        term[leaving] = lo + rng.integers(0, (hi - lo) // DAY, leaving.sum()) * DAY
        ttype[vol], ttype[inv] = 1, 2
        # Backfill: each leaver's team hires a replacement this month.
        k = int(leaving.sum())
        if k:
            team_idx = np.concatenate([team_idx, team_idx[leaving]])
            hire = np.concatenate([hire, lo + rng.integers(0, (hi - lo) // DAY, k) * DAY])
            term, ttype = np.concatenate([term, np.full(k, -1)]), np.concatenate([ttype, np.zeros(k, int)])
            poor = np.concatenate([poor, poor[leaving]])
            is_manager = np.concatenate([is_manager, np.zeros(k, bool)])
    n = team_idx.size
    ids = np.char.add("E", np.char.zfill(np.arange(1, n + 1).astype(str), 6))
    manager_of_team = ids[: len(w.TEAMS)]
    manager = np.where(is_manager, "E000001", manager_of_team[team_idx]).astype(object)
    manager[0] = None
    teams = np.asarray(w.TEAMS)[team_idx]
    location = np.asarray([w.TEAM_LOCATION[t] for t in w.TEAMS])[team_idx]
    hours = np.where(rng.random(n) < 0.8, 40.0, rng.choice([20.0, 24.0, 30.0], n))
    level = np.where(is_manager, "M1", np.asarray(["IC1", "IC2", "IC3"])[rng.choice(3, n, p=[0.5, 0.35, 0.15])])
    terminated = term >= 0
    writer.write(
        "employees",
        pa.table(
            {
                "employee_id": ids,
                "employee_name": pa.array(_pick(rng, w.FIRST_NAMES, n) + " " + _pick(rng, w.LAST_NAMES, n)),
                "team": teams,
                "department": pa.array(np.where(np.char.startswith(teams.astype(str), "Store"), "Retail", teams)),
                "manager_id": pa.array(manager, type=pa.string()),
                "location": location,
                "region": pa.array(np.asarray([w.REGIONS[x] for x in location])),
                "job_level": level,
                "weekly_hours": hours,
                "hire_date": _date(hire),
                "termination_date": _date(np.where(terminated, term, 0), terminated),
                "termination_type": pa.array(
                    np.asarray([None, "voluntary", "involuntary"], dtype=object)[ttype], type=pa.string()
                ),
            }
        ),
    )
    # A stable pseudonym per worker, as a survey tool would issue: not derivable from employee_id.
    respondent = np.char.add("S", np.char.zfill(rng.permutation(n).astype(str), 6))
    return {
        "id": ids,
        "team": teams,
        "team_idx": team_idx,
        "loc": location,
        "loc_idx": np.asarray([w.LOCATIONS.index(w.TEAM_LOCATION[t]) for t in w.TEAMS])[team_idx],
        "hire": hire,
        "term": term,
        "ttype": ttype,
        "poor": poor,
        "respondent": respondent,
        "hours": hours,
    }


def _survey_questions(writer: _Writer) -> None:
    q = list(zip(*w.QUESTIONS, strict=True))
    writer.write(
        "survey_questions",
        pa.table(
            {
                "question_id": q[0],
                "audience": ["employee"] * len(q[0]),
                "question_text": q[2],
                "dimension": q[1],
                "scale_min": pa.array(q[3], pa.int64()),
                "scale_max": pa.array(q[4], pa.int64()),
                "favourable_min": pa.array(q[5], pa.int64()),
                "reverse_scored": q[6],
            }
        ),
    )


def _employee_month(rng, cal: _Calendar, m: int, emp, writer: _Writer, truth) -> None:
    lo, hi = cal.bounds(m)
    label = cal.label(m)
    active = np.flatnonzero((emp["hire"] < hi) & ((emp["term"] < 0) | (emp["term"] >= lo)))
    ids = emp["id"][active]
    n = active.size
    # Absences: about one employee in eight is absent in a month.
    absent = active[rng.random(n) < 0.125]
    days = rng.integers(1, 6, absent.size)
    a_start = lo + rng.integers(0, (hi - lo) // DAY - 5, absent.size) * DAY
    writer.write(
        "absences",
        pa.table(
            {
                "absence_id": _ids("AB", writer.counts.get("absences", 0) + 1, absent.size, 8),
                "employee_id": pa.array(emp["id"][absent]),
                "start_date": _date(a_start),
                "end_date": _date(a_start + (days - 1) * DAY),
                "hours": pa.array((days * emp["hours"][absent] / 5).round(1)),
                "reason": pa.array(
                    _pick(rng, w.ABSENCE_REASONS, absent.size, w.ABSENCE_REASON_WEIGHTS), type=pa.string()
                ),
            }
        ),
        label,
    )
    # Recognitions: the poor manager's team is recognised less.
    k = rng.poisson(np.where(emp["poor"][active], 0.15, 0.35))
    recv = np.repeat(active, k)
    writer.write(
        "recognitions",
        pa.table(
            {
                "recognition_id": _ids("RC", writer.counts.get("recognitions", 0) + 1, recv.size, 8),
                "giver_employee_id": pa.array(ids[rng.integers(0, n, recv.size)]),
                "receiver_employee_id": pa.array(emp["id"][recv]),
                "given_at": _ts(lo + (rng.random(recv.size) * (hi - lo)).astype("int64")),
                "recognition_type": pa.array(
                    _pick(rng, ["peer", "manager", "award"], recv.size, np.array([0.7, 0.27, 0.03])), type=pa.string()
                ),
                "message": pa.array(
                    _pick(
                        rng,
                        [
                            "Thanks for covering my shift!",
                            "Great job with that customer.",
                            "You made the launch a success.",
                        ],
                        recv.size,
                    ),
                    type=pa.string(),
                ),
            }
        ),
        label,
    )
    # Internal requests to IT, People, Payroll, Facilities.
    k = rng.poisson(0.4, n)
    req = np.repeat(active, k)
    opened = lo + (rng.random(req.size) * (hi - lo)).astype("int64")
    answered = rng.random(req.size) < 0.9
    writer.write(
        "internal_requests",
        pa.table(
            {
                "request_id": _ids("IR", writer.counts.get("internal_requests", 0) + 1, req.size, 8),
                "requester_employee_id": pa.array(emp["id"][req]),
                "assignee_team": pa.array(_pick(rng, w.REQUEST_TEAMS, req.size), type=pa.string()),
                "category": pa.array(
                    _pick(rng, ["access", "payslip", "leave", "equipment"], req.size), type=pa.string()
                ),
                "opened_at": _ts(opened),
                "answered_at": _ts(opened + rng.lognormal(np.log(8 * 3600), 1.0, req.size).astype("int64"), answered),
            }
        ),
        label,
    )
    # EAP use (sensitive; the loader pseudonymises the worker).
    eap = active[rng.random(n) < 0.012]
    writer.write(
        "eap_usage",
        pa.table(
            {
                "usage_id": _ids("EAP", writer.counts.get("eap_usage", 0) + 1, eap.size, 7),
                "employee_id": pa.array(emp["id"][eap], type=pa.string()),
                "used_on": _date(lo + rng.integers(0, (hi - lo) // DAY, eap.size) * DAY),
                "service_type": pa.array(
                    _pick(rng, ["counselling", "financial advice", "legal advice"], eap.size), type=pa.string()
                ),
            }
        ),
        label,
    )
    if m % 3 == 2:
        _employee_survey(rng, cal, m, emp, active, writer, truth)


def _employee_survey(rng, cal: _Calendar, m: int, emp, active: np.ndarray, writer: _Writer, truth) -> None:
    lo, hi = cal.bounds(m)
    resp = active[(rng.random(active.size) < 0.75) & ((emp["term"][active] < 0) | (emp["term"][active] >= hi))]
    nq = len(w.QUESTIONS)
    who = np.repeat(resp, nq)
    q = np.tile(np.arange(nq), resp.size)
    dims = np.asarray([x[1] for x in w.QUESTIONS])[q]
    treated = np.isin(emp["loc"][who], w.TREATED_LOCATIONS) & (m >= w.INITIATIVE_MONTH)
    mu = 3.7 + w.EMPLOYEE_SCORE_LIFT * treated
    mu = mu + np.where(emp["poor"][who] & (dims == "manager_empathy"), w.POOR_MANAGER_SCORE_SHIFT, 0)
    mu = mu + np.where(emp["poor"][who] & (dims == "engagement"), w.POOR_MANAGER_ENGAGEMENT_SHIFT, 0)
    mu = np.where(dims == "presenteeism", 2.3, mu)
    person = rng.normal(0, 0.5, resp.size)[np.repeat(np.arange(resp.size), nq)]
    likert = np.clip(np.round(mu + person + rng.normal(0, 0.7, who.size)), 1, 5)
    enps = np.clip(np.round((mu + person - 1) * 2.5 + rng.normal(0, 1.2, who.size)), 0, 10)
    score = np.where(dims == "enps", enps, likert)
    tenure_years = (hi - emp["hire"][who]) / (365.25 * DAY)
    band = np.select([tenure_years < 1, tenure_years < 3, tenure_years < 5], ["<1y", "1-3y", "3-5y"], "5y+")
    at = lo + (rng.random(resp.size) * (hi - lo) * 0.5).astype("int64")
    has_comment = (q == 0) & (rng.random(who.size) < 0.3)
    tone = np.sign(score - 6.5).astype(int)
    comments = _texts(rng, tone, 1.0).to_numpy(zero_copy_only=False)
    wave = f"{cal.label(m)[:4]}-Q{(int(cal.label(m)[5:7]) - 1) // 3 + 1}"
    writer.write(
        "employee_responses",
        pa.table(
            {
                "response_id": _ids("ER", writer.counts.get("employee_responses", 0) + 1, who.size, 9),
                "respondent_id": pa.array(emp["respondent"][who]),
                "survey_id": pa.array(np.full(who.size, wave)),
                "team": pa.array(emp["team"][who]),
                "location": pa.array(emp["loc"][who]),
                "tenure_band": pa.array(band),
                "question_id": pa.array(np.asarray([x[0] for x in w.QUESTIONS])[q]),
                "score": pa.array(score.astype(float)),
                "comment": pa.array(np.where(has_comment, comments, None), type=pa.string()),
                "responded_at": _ts(np.repeat(at, nq)),
            }
        ),
        cal.label(m),
    )
    truth.add_employee_scores(emp["poor"][who], dims, score)
    truth.add_employee_cells(m, emp["loc_idx"][who], emp["team_idx"][who], dims, score)


# ------------------------------------------------------------------------------------------------- brand
def _brand(rng, cal: _Calendar, scale: float, writer: _Writer, truth) -> None:
    n = max(int(2500 * scale), 20)
    at = cal.start + (rng.random(n) * (cal.end - cal.start)).astype("int64")
    loc = rng.choice(len(w.LOCATIONS), size=n, p=w.LOCATION_WEIGHTS)
    treated = np.isin(np.asarray(w.LOCATIONS)[loc], w.TREATED_LOCATIONS) & (at >= cal.month_starts[w.INITIATIVE_MONTH])
    rating = np.where(
        treated,
        rng.choice([1, 2, 3, 4, 5], n, p=w.REVIEW_STAR_P_TREATED),
        rng.choice([1, 2, 3, 4, 5], n, p=w.REVIEW_STAR_P_BASE),
    )
    tone = np.sign(rating - 3)
    truth.add_cells("review_rating", "location", loc, cal.month_of(at), rating)
    writer.write(
        "reviews",
        pa.table(
            {
                "review_id": _ids("RV", 1, n, 8),
                "platform": pa.array(_pick(rng, w.REVIEW_PLATFORMS, n), type=pa.string()),
                "rating": pa.array(rating.astype(float)),
                "title": pa.array(np.where(rating >= 4, "Great", "Disappointed")),
                "text": _texts(rng, tone, 0.9),
                "location": pa.array(np.asarray(w.LOCATIONS)[loc]),
                "recommended": pa.array(rating >= 4),
                "reviewed_at": _ts(at),
            }
        ),
    )
    n = max(int(4000 * scale), 20)
    at = cal.start + (rng.random(n) * (cal.end - cal.start)).astype("int64")
    tone = rng.choice([-1, 0, 1], n, p=[0.3, 0.3, 0.4])
    writer.write(
        "mentions",
        pa.table(
            {
                "mention_id": _ids("MN", 1, n, 8),
                "platform": pa.array(_pick(rng, w.MENTION_PLATFORMS, n), type=pa.string()),
                "author_handle": pa.array(np.char.add("@user", rng.integers(1000, 99999, n).astype(str))),
                "text": pa.array(_texts(rng, tone, 1.0)),
                "location": pa.array(_pick(rng, w.LOCATIONS, n), type=pa.string()),
                "reach": pa.array(rng.lognormal(5, 1.5, n).astype("int64")),
                "posted_at": _ts(at),
            }
        ),
    )


# ------------------------------------------------------------------------------------------------- truth
UNIT_NAMES = {"location": w.LOCATIONS, "agent": w.AGENTS, "team": w.TEAMS}


class _Truth:
    """Figures computed from the rows written, to check the pipeline against."""

    def __init__(self, cal: _Calendar):
        self.cal = cal
        self.nps: dict[tuple[str, str], list[int]] = {}
        self.csat: dict[tuple[str, str], list[int]] = {}
        self.csat_did: dict[tuple[bool, bool], list[int]] = {}
        self.emp: dict[tuple[bool, str], list[float]] = {}
        self.cells: dict[tuple[str, str], np.ndarray] = {}

    def add_cells(self, kpi: str, unit_type: str, code, month, num, den=None) -> None:
        """Unit × month sums of a KPI's numerator and denominator (den 1 per row when None): impact truth.

        code indexes UNIT_NAMES[unit_type]; month is the 0-based month index.
        """
        num = np.asarray(num, dtype=float)
        den = np.ones(num.size) if den is None else np.asarray(den, dtype=float)
        size = len(UNIT_NAMES[unit_type]) * self.cal.months
        key = np.asarray(code) * self.cal.months + np.asarray(month)
        sums = self.cells.setdefault((kpi, unit_type), np.zeros((2, size)))
        sums[0] += np.bincount(key, weights=num, minlength=size)
        sums[1] += np.bincount(key, weights=den, minlength=size)

    def cell_frame(self, kpi: str, unit_type: str) -> pd.DataFrame:
        """The unit × month cells with any data: unit, month, num, den."""
        sums = self.cells[(kpi, unit_type)]
        key = np.flatnonzero(sums[1] > 0)
        units = np.asarray(UNIT_NAMES[unit_type])
        return pd.DataFrame(
            {
                "unit": units[key // self.cal.months],
                "month": key % self.cal.months,
                "num": sums[0][key],
                "den": sums[1][key],
            }
        )

    def add_tickets(self, m: int, location, agents, resolved, reopen, handle) -> None:
        month = np.full(len(location), m)
        self.add_cells("reopen_rate", "location", location, month, 100.0 * (resolved & (reopen > 0)), resolved)
        self.add_cells("handle_time_minutes", "location", location, month, handle)
        self.add_cells("handle_time_minutes", "agent", agents, month, handle)

    def add_ticket_csat(self, m: int, agents, score) -> None:
        """Ticket CSAT answers by the agent and the month the ticket was opened."""
        self.add_cells("csat_pct", "agent", agents, np.full(len(agents), m), 100.0 * (score >= 4))

    def add_employee_cells(self, m: int, location, team, dims, score) -> None:
        month = np.full(len(score), m)
        is_enps = dims == "enps"
        enps = 100.0 * ((score[is_enps] >= 9).astype(float) - (score[is_enps] <= 6))
        for unit_type, units in (("location", location), ("team", team)):
            self.add_cells("enps", unit_type, units[is_enps], month[is_enps], enps)
            for kpi, dim in (("engagement", "engagement"), ("manager_empathy_index", "manager_empathy")):
                sel = dims == dim
                self.add_cells(kpi, unit_type, units[sel], month[sel], score[sel])

    def add_responses(self, at, types, score, seg_idx, treated_loc, loc_idx) -> None:
        location, month = loc_idx, self.cal.month_of(at)
        for kpi, kind, value in (
            ("csat_pct", "CSAT", 100.0 * (score >= 4)),
            ("nps", "NPS", 100.0 * ((score >= 9).astype(float) - (score <= 6))),
            ("ces_mean", "CES", score),
        ):
            sel = types == kind
            self.add_cells(kpi, "location", location[sel], month[sel], value[sel])
        frame = pd.DataFrame(
            {
                "month": at.astype("datetime64[s]").astype("datetime64[M]").astype(str),
                "segment": np.asarray(w.SEGMENTS)[seg_idx],
                "type": types,
                "score": score,
                "treated": treated_loc,
                "after": at >= self.cal.month_starts[w.INITIATIVE_MONTH],
            }
        )
        nps = frame[frame.type == "NPS"].assign(
            p=lambda f: f.score >= 9, pa=lambda f: (f.score >= 7) & (f.score <= 8), d=lambda f: f.score <= 6
        )
        csat = frame[frame.type == "CSAT"].assign(sat=lambda f: f.score >= 4, one=1)
        for seg_key in ("segment", None):
            keys = ["month", seg_key] if seg_key else ["month"]
            for key, row in nps.groupby(keys)[["p", "pa", "d"]].sum().iterrows():
                month, seg = key if seg_key else (key if isinstance(key, str) else key[0], "ALL")
                c = self.nps.setdefault((month, seg), [0, 0, 0])
                c[0] += int(row.p)
                c[1] += int(row.pa)
                c[2] += int(row.d)
            for key, row in csat.groupby(keys)[["one", "sat"]].sum().iterrows():
                month, seg = key if seg_key else (key if isinstance(key, str) else key[0], "ALL")
                c = self.csat.setdefault((month, seg), [0, 0])
                c[0] += int(row.one)
                c[1] += int(row.sat)
        for (treated, after), row in csat.groupby(["treated", "after"])[["one", "sat"]].sum().iterrows():
            c = self.csat_did.setdefault((bool(treated), bool(after)), [0, 0])
            c[0] += int(row.one)
            c[1] += int(row.sat)

    def add_employee_scores(self, poor, dims, score) -> None:
        frame = pd.DataFrame({"poor": poor, "dim": dims, "score": score})
        for (p, d), row in frame.groupby(["poor", "dim"])["score"].agg(["count", "sum"]).iterrows():
            c = self.emp.setdefault((bool(p), str(d)), [0, 0.0])
            c[0] += int(row["count"])
            c[1] += float(row["sum"])

    def finish(self, customers, employees, scale: float, seed: int) -> dict:
        def pct(c):
            return round(100 * c[1] / c[0], 4) if c[0] else None

        nps = {
            f"{m}|{s}": {
                "promoters": c[0],
                "passives": c[1],
                "detractors": c[2],
                "responses": sum(c),
                "nps": round(100 * (c[0] - c[2]) / sum(c), 4),
            }
            for (m, s), c in sorted(self.nps.items())
        }
        csat = {
            f"{m}|{s}": {"responses": c[0], "satisfied": c[1], "csat_pct": pct(c)}
            for (m, s), c in sorted(self.csat.items())
        }
        did = {
            f"{'treated' if t else 'control'}_{'after' if a else 'before'}": pct(c)
            for (t, a), c in sorted(self.csat_did.items())
        }
        did["difference_in_differences_pts"] = round(
            (did["treated_after"] - did["treated_before"]) - (did["control_after"] - did["control_before"]), 4
        )
        start_initiative = int(self.cal.month_starts[w.INITIATIVE_MONTH])
        churn = {}
        for treated in (True, False):
            for after in (False, True):
                lo = start_initiative if after else self.cal.start
                hi = self.cal.end if after else start_initiative
                sel = customers["treated"] == treated
                at_risk = sel & (customers["signup"] < lo) & ((customers["churn"] < 0) | (customers["churn"] >= lo))
                lost = at_risk & (customers["churn"] >= lo) & (customers["churn"] < hi)
                churn[f"{'treated' if treated else 'control'}_{'after' if after else 'before'}"] = {
                    "customers_at_start": int(at_risk.sum()),
                    "lost": int(lost.sum()),
                }
        emp = {
            f"{'poor_manager_team' if p else 'other_teams'}|{d}": round(c[1] / c[0], 4)
            for (p, d), c in sorted(self.emp.items())
        }
        poor = employees["poor"]
        vol = employees["ttype"] == 1
        return {
            "generator": {"scale": scale, "seed": seed, "start": self.cal.label(0), "months": self.cal.months},
            "planted_effects": {
                "empathy_training": {
                    "initiative_id": "EMP-TRAIN-1",
                    "treated_locations": list(w.TREATED_LOCATIONS),
                    "start_month": self.cal.label(w.INITIATIVE_MONTH),
                    "csat_top2_probability": {"base": w.CSAT_TOP2_BASE, "lift": w.CSAT_TOP2_LIFT},
                    "nps": {
                        "promoter_base": w.NPS_PROMOTER_BASE,
                        "promoter_lift": w.NPS_PROMOTER_LIFT,
                        "detractor_base": w.NPS_DETRACTOR_BASE,
                        "detractor_drop": w.NPS_DETRACTOR_DROP,
                    },
                    "monthly_churn_hazard": {
                        "base": w.CHURN_HAZARD_BASE,
                        "treated_factor": w.CHURN_HAZARD_TREATED_FACTOR,
                    },
                    "realised_csat_pct": did,
                    "realised_churn": churn,
                },
                "poor_manager": {
                    "team": w.POOR_MANAGER_TEAM,
                    "manager_empathy_shift": w.POOR_MANAGER_SCORE_SHIFT,
                    "voluntary_hazard": {"team": w.POOR_TEAM_VOLUNTARY_HAZARD, "others": w.VOLUNTARY_HAZARD},
                    "realised_mean_scores": emp,
                    "realised_voluntary_leavers": {
                        "team": int((vol & poor).sum()),
                        "others": int((vol & ~poor).sum()),
                        "team_headcount_ever": int(poor.sum()),
                        "others_headcount_ever": int((~poor).sum()),
                    },
                },
            },
            "monthly_nps": nps,
            "monthly_csat": csat,
            "impact": self.impact(),
        }

    def _did_block(self, kpis: dict, unit_type: str, treated, controls, start: int) -> dict:
        out = {}
        for kpi, planted in kpis.items():
            frame = self.cell_frame(kpi, unit_type)
            figures = two_by_two(frame, treated, controls, start)
            out[kpi] = {"planted": _round(planted), "realised_did": _round(figures.pop("did")), **_round(figures)}
        return out

    def impact(self) -> dict:
        """Per planted initiative and KPI: the planted effect and the realised 2 × 2 DiD from the rows."""
        label = self.cal.label
        locations = set(w.LOCATIONS)
        handle_factor = float(np.exp(w.HANDLE_SIGMA**2 / 2))  # lognormal mean / median
        stars = np.arange(1, 6)
        train = {
            "csat_pct": 100 * w.CSAT_TOP2_LIFT,
            "nps": 100 * (w.NPS_PROMOTER_LIFT + w.NPS_DETRACTOR_DROP),
            "ces_mean": w.CES_MEAN_TREATED - w.CES_MEAN_BASE,
            "reopen_rate": 100 * float(np.exp(-w.REOPEN_MEAN_BASE) - np.exp(-w.REOPEN_MEAN_TREATED)),
            "handle_time_minutes": (w.HANDLE_MEDIAN_TREATED - w.HANDLE_MEDIAN_BASE) * handle_factor,
            "review_rating": float(stars @ np.subtract(w.REVIEW_STAR_P_TREATED, w.REVIEW_STAR_P_BASE)),
        }
        employee = {"enps": None, "engagement": w.EMPLOYEE_SCORE_LIFT, "manager_empathy_index": w.EMPLOYEE_SCORE_LIFT}
        train_controls = sorted(locations - set(w.TREATED_LOCATIONS))
        train_kpis = self._did_block(train, "location", w.TREATED_LOCATIONS, train_controls, w.INITIATIVE_MONTH)
        train_kpis.update(
            self._did_block(employee, "location", w.TREATED_LOCATIONS, train_controls, w.INITIATIVE_MONTH)
        )
        # Like the estimation (dbt var impact_exclude_other_treated): teams EMP-TRAIN-1 trained are no comparison.
        train_teams = {f"Store {loc}" for loc in w.TREATED_LOCATIONS}
        null_controls = sorted(set(w.TEAMS) - set(w.NULL_INITIATIVE_TEAMS) - train_teams)
        null_kpis = self._did_block(
            dict.fromkeys(employee, 0.0), "team", w.NULL_INITIATIVE_TEAMS, null_controls, w.NULL_INITIATIVE_MONTH
        )
        return {
            "EMP-TRAIN-1": {
                "unit_type": "location",
                "treated_units": list(w.TREATED_LOCATIONS),
                "control_units": train_controls,
                "start_month": label(w.INITIATIVE_MONTH),
                "note": "enps has no planted value in points: the planted shift is on the latent 1-5 score.",
                "kpis": train_kpis,
            },
            w.COACHING_ID: self._staggered_impact(),
            w.NULL_INITIATIVE_ID: {
                "unit_type": "team",
                "treated_units": list(w.NULL_INITIATIVE_TEAMS),
                "control_units": null_controls,
                "start_month": label(w.NULL_INITIATIVE_MONTH),
                "kpis": null_kpis,
            },
        }

    def _staggered_impact(self) -> dict:
        coached = _coached_agents()
        never = sorted(set(self.cell_frame("handle_time_minutes", "agent").unit) - {a for a, _ in coached})
        planted_of = {"handle_time_minutes": 1, "csat_pct": 2, w.COMPLAINTS_METRIC: 3}  # index in the cohort tuple
        scale = {"handle_time_minutes": 1.0, "csat_pct": 100.0, w.COMPLAINTS_METRIC: 1.0}
        kpis = {}
        for kpi, i in planted_of.items():
            frame = self.cell_frame(kpi, "agent")
            cohorts, weights = {}, []
            for _no, cohort in w.COACHING_COHORTS.items():
                start = cohort[0]
                units = [a for a, s in coached if s == start]
                figures = two_by_two(frame, units, never, start)
                did = figures.pop("did")
                cohorts[self.cal.label(start)] = {
                    "planted": cohort[i] * scale[kpi],
                    "realised_did": _round(did),
                    "units": len(units),
                    **_round(figures),
                }
                weights.append((len(units), cohort[i] * scale[kpi], did))
            total = sum(n for n, _, _ in weights)
            kpis[kpi] = {
                "cohorts": cohorts,
                "planted_cohort_weighted": _round(sum(n * p for n, p, _ in weights) / total),
                "realised_did_cohort_weighted": _round(sum(n * d for n, _, d in weights) / total),
            }
        return {
            "unit_type": "agent",
            "staggered": True,
            "control_group": "never_treated",
            "never_treated_units": never,
            "cohorts": {
                self.cal.label(start): [a for a, s in coached if s == start]
                for start, *_ in w.COACHING_COHORTS.values()
            },
            "kpis": kpis,
        }


def _round(value):
    """Round a figure or a dict of figures to 4 decimals for the truth file (None stays None)."""
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    return None if value is None else round(float(value), 4)
