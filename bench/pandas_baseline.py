"""The five marts issue 13 names (NPS, CSAT, support, retention, headcount) computed with pandas from the landing
files, as a notebook would: read every CSV with pandas, keep a key's row from the last file, group.

    uv run python -m bench.pandas_baseline LANDING [--compare SERVING.duckdb]

Same definitions as bench/baseline.sql and the product's dbt models (docs/kpi_definitions.md); `--compare`
checks the five against the product's published marts with bench.baseline's comparison.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from bench.baseline import SEEDS, compare, comparison_report

MIN_GROUP = 5  # workforce_min_headcount
UNKNOWN = "Unknown"


def read_entity(landing: Path, entity: str, key: str, dates=(), timestamps=(), usecols=None) -> pd.DataFrame:
    """Every CSV of an entity; a key's row from the last file (by name) wins, as the product's staging keeps
    the latest delivered version."""
    files = sorted((landing / entity).glob("*.csv"))
    frame = pd.concat(
        [pd.read_csv(f, dtype=str, keep_default_na=False, na_values=[""], usecols=usecols) for f in files],
        ignore_index=True,
    )
    frame = frame.drop_duplicates(key, keep="last")
    for column in dates:
        frame[column] = pd.to_datetime(frame[column]).astype("datetime64[us]")
    for column in timestamps:
        frame[column] = pd.to_datetime(frame[column], format="ISO8601").astype("datetime64[us]")
    return frame


def month_of(values: pd.Series) -> pd.Series:
    return values.dt.to_period("M").dt.to_timestamp().astype("datetime64[us]")


def numeric(frame: pd.DataFrame, *columns: str) -> None:
    for column in columns:
        frame[column] = pd.to_numeric(frame[column])


def location_regions(customers: pd.DataFrame, employees: pd.DataFrame) -> pd.Series:
    stated = pd.concat([customers[["location", "region"]], employees[["location", "region"]]]).dropna()
    counted = stated.value_counts().rename("mentions").reset_index()
    counted = counted.sort_values(["location", "mentions", "region"], ascending=[True, False, True])
    return counted.drop_duplicates("location").set_index("location")["region"]


def responses_marts(responses: pd.DataFrame, customers: pd.DataFrame, regions: pd.Series) -> dict[str, pd.DataFrame]:
    r = responses.merge(
        customers[["customer_id", "segment", "region", "location", "channel"]],
        "left",
        on="customer_id",
        suffixes=("", "_c"),
    )
    r["survey_type"] = r["survey_type"].str.upper()
    numeric(r, "score")
    located = r["location"].fillna(r["location_c"])
    dims = pd.DataFrame(
        {
            "month": month_of(r["responded_at"]),
            "segment": r["segment"].fillna(UNKNOWN),
            "region": located.map(regions).fillna(r["region"]).fillna(UNKNOWN),
            "location": located.fillna(UNKNOWN),
            "channel": r["channel"].fillna(UNKNOWN),
            "touchpoint": r["touchpoint"].fillna(UNKNOWN),
        }
    )
    keys = list(dims.columns)
    frame = pd.concat([dims, r[["survey_type", "score"]]], axis=1)

    nps = frame[frame.survey_type == "NPS"].assign(
        promoter=lambda d: d.score >= 9,
        detractor=lambda d: d.score <= 6,
        passive=lambda d: (d.score > 6) & (d.score < 9),
    )
    nps = (
        nps.groupby(keys)
        .agg(
            responses=("score", "size"),
            promoters=("promoter", "sum"),
            passives=("passive", "sum"),
            detractors=("detractor", "sum"),
        )
        .reset_index()
    )
    nps["nps"] = 100.0 * (nps.promoters - nps.detractors) / nps.responses

    csat = frame[frame.survey_type == "CSAT"].assign(satisfied=lambda d: d.score >= 4)
    csat = (
        csat.groupby(keys)
        .agg(responses=("score", "size"), satisfied_responses=("satisfied", "sum"), score_sum=("score", "sum"))
        .reset_index()
    )
    csat["csat_pct"] = 100.0 * csat.satisfied_responses / csat.responses
    csat["csat_mean"] = csat.score_sum / csat.responses
    return {"customer_nps_monthly": nps, "customer_csat_monthly": csat}


def lifecycle(customers, orders, as_of, regions) -> pd.DataFrame:
    kept = orders[orders.status.isna() | (orders.status != "cancelled")]
    last_order = kept.groupby("customer_id")["ordered_at"].max()
    c = customers.copy()
    c["last_order_day"] = c.customer_id.map(last_order).dt.floor("D")
    inactivity = c.last_order_day.fillna(c.signup_date) + pd.Timedelta(days=180)
    status_lost = c.churn_date.where(c.status == "churned")
    c["lost_date"] = np.where(c.status.notna(), status_lost, inactivity.where(inactivity <= as_of))
    c["lost_date"] = pd.to_datetime(c["lost_date"]).astype("datetime64[us]")
    c["region"] = c.region.fillna(c.location.map(regions)).fillna(UNKNOWN)
    for column in ("segment", "location", "channel"):
        c[column] = c[column].fillna(UNKNOWN)
    c["signup_month"] = month_of(c.signup_date)
    return c


def support_mart(tickets, life, regions) -> pd.DataFrame:
    costs = pd.read_csv(SEEDS / "support_cost_assumptions.csv").set_index("channel")
    t = tickets.merge(
        life[["customer_id", "segment", "region", "location"]], "left", on="customer_id", suffixes=("", "_c")
    )
    numeric(t, "reopen_count", "contacts", "handle_time_minutes")
    located = t["location"].fillna(t["location_c"])

    def minutes(column):  # DuckDB's date_diff('second'): whole seconds between the truncated timestamps
        return (t[column].dt.floor("s") - t.opened_at.dt.floor("s")).dt.total_seconds() / 60.0

    reopens, contacts = t.reopen_count.fillna(0), t.contacts.fillna(1)
    cost = costs.reindex(t.channel)
    per_hour = cost.agent_cost_per_hour.fillna(costs.loc["default", "agent_cost_per_hour"]).to_numpy()
    per_contact = cost.cost_per_contact.fillna(costs.loc["default", "cost_per_contact"]).to_numpy()
    m = pd.DataFrame(
        {
            "month": month_of(t.opened_at),
            "segment": t.segment.fillna(UNKNOWN),
            "region": located.map(regions).fillna(t.region).fillna(UNKNOWN),
            "location": located.fillna(UNKNOWN),
            "channel": t.channel.fillna(UNKNOWN),
            "category": t.category.fillna(UNKNOWN),
            "first_reply_minutes": minutes("first_reply_at"),
            "first_resolution_hours": minutes("first_resolved_at") / 60.0,
            "full_resolution_hours": minutes("resolved_at") / 60.0,
            "is_resolved": t.first_resolved_at.notna(),
            "is_fully_resolved": t.resolved_at.notna(),
            "reopens": reopens,
            "contacts": contacts,
            "handle_time_minutes": t.handle_time_minutes,
            "support_cost": t.handle_time_minutes.fillna(0) / 60.0 * per_hour + contacts * per_contact,
        }
    )
    m["fcr"] = m.is_resolved & (contacts == 1) & (reopens == 0)
    m["reopened"] = reopens > 0
    m["handled_contacts"] = contacts.where(m.handle_time_minutes.notna(), 0)
    keys = ["month", "segment", "region", "location", "channel", "category"]
    g = (
        m.groupby(keys)
        .agg(
            tickets=("contacts", "size"),
            replied_tickets=("first_reply_minutes", "count"),
            first_reply_minutes_sum=("first_reply_minutes", "sum"),
            resolved_tickets=("is_resolved", "sum"),
            first_resolution_hours_sum=("first_resolution_hours", "sum"),
            fully_resolved_tickets=("is_fully_resolved", "sum"),
            full_resolution_hours_sum=("full_resolution_hours", "sum"),
            first_contact_resolved_tickets=("fcr", "sum"),
            reopened_tickets=("reopened", "sum"),
            reopens=("reopens", "sum"),
            contacts=("contacts", "sum"),
            handled_tickets=("handle_time_minutes", "count"),
            handle_minutes_sum=("handle_time_minutes", "sum"),
            handled_contacts=("handled_contacts", "sum"),
            support_cost=("support_cost", "sum"),
        )
        .reset_index()
    )

    def ratio(num, den, scale=1.0):
        return (scale * g[num] / g[den]).where(g[den] > 0)

    g["first_reply_minutes_avg"] = ratio("first_reply_minutes_sum", "replied_tickets")
    g["first_resolution_hours_avg"] = ratio("first_resolution_hours_sum", "resolved_tickets")
    g["full_resolution_hours_avg"] = ratio("full_resolution_hours_sum", "fully_resolved_tickets")
    g["fcr_pct"] = ratio("first_contact_resolved_tickets", "resolved_tickets", 100.0)
    g["reopen_pct"] = ratio("reopened_tickets", "resolved_tickets", 100.0)
    g["aht_minutes"] = ratio("handle_minutes_sum", "handled_contacts")
    g["handle_minutes_per_ticket"] = ratio("handle_minutes_sum", "handled_tickets")
    g["cost_per_interaction"] = ratio("support_cost", "contacts")
    g["cost_per_ticket"] = ratio("support_cost", "tickets")
    return g


def retention_mart(life: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    keys = ["segment", "region", "location", "channel"]
    new = life.groupby([*keys, "signup_month"]).size().rename("new_customers")
    new.index = new.index.set_names([*keys, "month"])
    lost = life[life.lost_date.notna()].assign(month=lambda d: month_of(d.lost_date))
    lost = lost.assign(lost_new=lambda d: (d.month == d.signup_month).astype(int))
    lost = lost.groupby([*keys, "month"]).agg(
        lost_customers=("lost_new", "size"), lost_new_customers=("lost_new", "sum")
    )
    months = pd.date_range(life.signup_month.min(), as_of.to_period("M").to_timestamp(), freq="MS").astype(
        "datetime64[us]"
    )
    groups = life[keys].drop_duplicates()
    grid = groups.merge(pd.DataFrame({"month": months}), how="cross")
    grid = grid.merge(new.reset_index(), "left", on=[*keys, "month"]).merge(
        lost.reset_index(), "left", on=[*keys, "month"]
    )
    for column in ("new_customers", "lost_customers", "lost_new_customers"):
        grid[column] = grid[column].fillna(0).astype("int64")
    grid = grid.sort_values([*keys, "month"])
    net = grid.new_customers - grid.lost_customers
    grid["customers_at_start"] = net.groupby([grid[k] for k in keys]).cumsum() - net
    g = grid[grid.customers_at_start + grid.new_customers + grid.lost_customers > 0].copy()
    g["lost_from_start"] = g.lost_customers - g.lost_new_customers
    g["customers_at_end"] = g.customers_at_start + g.new_customers - g.lost_customers
    start = g.customers_at_start.where(g.customers_at_start > 0)
    g["churn_pct"] = 100.0 * g.lost_from_start / start
    g["retention_pct"] = 100.0 * (g.customers_at_start - g.lost_from_start) / start
    return g[
        [
            "month",
            *keys,
            "customers_at_start",
            "new_customers",
            "lost_customers",
            "lost_from_start",
            "customers_at_end",
            "churn_pct",
            "retention_pct",
        ]
    ]


def tenure_band(days: pd.Series) -> pd.Series:
    return pd.Series(
        np.select([days < 365.25, days < 3 * 365.25, days < 5 * 365.25], ["<1y", "1-3y", "3-5y"], "5y+"),
        index=days.index,
    )


def employee_months(employees: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    e = employees[employees.hire_date <= as_of].copy()
    managers = e.loc[e.manager_id.notna(), ["manager_id"]].drop_duplicates()
    managers = managers.merge(e[["employee_id", "team"]], "left", left_on="manager_id", right_on="employee_id")
    managers["team"] = managers.team.fillna("another organisation")
    managers = managers.sort_values("manager_id")
    in_team = managers.groupby("team", dropna=False)["manager_id"]
    number = in_team.cumcount() + 1
    label = np.where(in_team.transform("size") > 1, "Manager " + number.astype(str), "Manager")
    labels = pd.Series(label + ", " + managers.team.to_numpy(), index=managers.manager_id.to_numpy())

    first = month_of(e.hire_date)
    last = month_of(e.termination_date.fillna(as_of).clip(upper=as_of))
    count = (last.dt.year - first.dt.year) * 12 + (last.dt.month - first.dt.month) + 1
    rows = e.loc[e.index.repeat(count)].copy()
    step = rows.groupby(level=0).cumcount().to_numpy()
    rows["month"] = (first.loc[rows.index].dt.to_period("M") + step).dt.to_timestamp().astype("datetime64[us]")
    month_end = rows.month + pd.offsets.MonthEnd(0)
    term = rows.termination_date
    out = pd.DataFrame(
        {
            "month": rows.month,
            "department": rows.department.fillna(rows.team).fillna(UNKNOWN),
            "team": rows.team.fillna(UNKNOWN),
            "location": rows.location.fillna(UNKNOWN),
            "manager_id": rows.manager_id.map(labels).fillna(UNKNOWN),
            "tenure_band": tenure_band(
                (rows.month.where(rows.month > rows.hire_date, rows.hire_date) - rows.hire_date).dt.days
            ),
            "at_start": (rows.hire_date < rows.month) & (term.isna() | (term >= rows.month)),
            "at_end": term.isna() | (term > month_end),
            "hired": month_of(rows.hire_date) == rows.month,
            "separated": term.notna() & (month_of(term) == rows.month),
            "termination_type": rows.termination_type,
        }
    )
    return out.reset_index(drop=True)


def rollup_small_groups(units: pd.DataFrame) -> pd.DataFrame:
    """Bottom-up: a group under MIN_GROUP employees is combined with its parent's other small groups (and the
    parent's smallest publishable group when those stay under MIN_GROUP); a month under MIN_GROUP is dropped."""
    levels = [["department"], ["team"], ["manager_id"], ["location", "tenure_band"]]
    parents = ["month", "department", "team", "manager's group"]
    u = units.copy()
    u["rollup_reason"] = None
    for k in range(len(levels) - 1, -1, -1):
        parent = ["month", *sum(levels[:k], [])]
        group = parent + levels[k]
        below = sum(levels[k + 1 :], [])
        n = u.groupby(group, dropna=False)["month"].transform("size")
        small = n < MIN_GROUP
        small_in_parent = small.groupby([u[c] for c in parent]).transform("sum")
        rank = n.astype(str).str.zfill(12)
        for dim in group:
            rank = rank + "|" + u[dim].astype(str)
        smallest_big = rank.where(~small).groupby([u[c] for c in parent]).transform("min")
        combined = small | (small_in_parent.between(1, MIN_GROUP - 1) & (rank == smallest_big))
        for dim in levels[k]:
            u.loc[combined, dim] = "Other (small groups)"
        for dim in below:
            u.loc[combined, dim] = "All"
        u.loc[combined, "rollup_reason"] = f"groups under {MIN_GROUP} employees combined within the {parents[k]}"
    return u[u.groupby("month")["month"].transform("size") >= MIN_GROUP]


def headcount_mart(units: pd.DataFrame) -> pd.DataFrame:
    u = rollup_small_groups(units)
    u = u.assign(
        voluntary=u.separated & (u.termination_type == "voluntary"),
        involuntary=u.separated & (u.termination_type == "involuntary"),
        retained=u.at_start & u.at_end,
    )
    keys = ["month", "department", "team", "location", "manager_id", "tenure_band"]
    g = (
        u.groupby(keys)
        .agg(
            employees=("month", "size"),
            headcount_start=("at_start", "sum"),
            headcount_end=("at_end", "sum"),
            hires=("hired", "sum"),
            separations=("separated", "sum"),
            voluntary_separations=("voluntary", "sum"),
            involuntary_separations=("involuntary", "sum"),
            retained_employees=("retained", "sum"),
            rollup_reason=("rollup_reason", "max"),
        )
        .reset_index()
    )
    g["avg_headcount"] = (g.headcount_start + g.headcount_end) / 2.0
    average = g.avg_headcount.where(g.avg_headcount > 0)
    g["turnover_pct"] = 100.0 * g.separations / average
    g["voluntary_turnover_pct"] = 100.0 * g.voluntary_separations / average
    g["involuntary_turnover_pct"] = 100.0 * g.involuntary_separations / average
    g["retention_pct"] = 100.0 * g.retained_employees / g.headcount_start.where(g.headcount_start > 0)
    return g


def pandas_marts(landing: Path) -> dict[str, pd.DataFrame]:
    customers = read_entity(landing, "customers", "customer_id", dates=("signup_date", "churn_date"))
    orders = read_entity(
        landing,
        "orders",
        "order_id",
        timestamps=("ordered_at",),
        usecols=["order_id", "customer_id", "ordered_at", "status"],
    )
    tickets = read_entity(
        landing, "tickets", "ticket_id", timestamps=("opened_at", "first_reply_at", "first_resolved_at", "resolved_at")
    )
    responses = read_entity(landing, "customer_responses", "response_id", timestamps=("responded_at",))
    employees = read_entity(landing, "employees", "employee_id", dates=("hire_date", "termination_date"))
    regions = location_regions(customers, employees)

    latest = max(
        customers.signup_date.max(),
        customers.churn_date.max(),
        orders.ordered_at.max().floor("D"),
        tickets.opened_at.max().floor("D"),
        responses.responded_at.max().floor("D"),
    )
    life = lifecycle(customers, orders, latest, regions)
    marts = responses_marts(responses, customers, regions)
    marts["customer_support_monthly"] = support_mart(tickets, life, regions)
    marts["customer_retention_monthly"] = retention_mart(life, latest)

    events = [employees.hire_date.max(), employees.termination_date.max()]
    for entity, key, column in (
        ("absences", "absence_id", "start_date"),
        ("recognitions", "recognition_id", "given_at"),
        ("internal_requests", "request_id", "opened_at"),
        ("employee_responses", "response_id", "responded_at"),
    ):
        frame = read_entity(landing, entity, key, timestamps=(column,), usecols=[key, column])
        events.append(frame[column].max().floor("D"))
    employee_as_of = max(events)
    marts["employee_headcount_monthly"] = headcount_mart(employee_months(employees, employee_as_of))
    return marts


def as_duckdb(marts: dict[str, pd.DataFrame]) -> duckdb.DuckDBPyConnection:
    """The frames as tables of schema `marts` (months as dates, like the product's), for bench.baseline.compare."""
    con = duckdb.connect()
    con.execute("create schema marts")
    for name, frame in marts.items():
        con.register("_frame", frame)
        con.execute(f"create table marts.{name} as select * replace (month::date as month) from _frame")
        con.unregister("_frame")
    return con


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("landing", type=Path)
    parser.add_argument("--compare", type=Path, metavar="SERVING_DB")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    marts = pandas_marts(args.landing)
    print(f"pandas baseline: {len(marts)} marts in {time.perf_counter() - started:.2f} s", flush=True)
    if args.compare:
        results = [r for r in compare(as_duckdb(marts), args.compare) if r.status != "not in the baseline"]
        print(comparison_report(results))
        return 0 if all(r.status == "equal" for r in results) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
