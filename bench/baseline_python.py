"""The part of the hand-written baseline that is not SQL: which employee-survey cells may be published.

bench/baseline.sql leaves the scored answers in `src.survey_answers`; this decides, per wave x dimension, which
cells (a dimension or one of its items, for the org, a team, a location, a manager or a tenure band) are shown,
and writes `src.survey_cells`; bench/baseline_after.sql then builds the survey marts from it. Written from the
rule in docs/privacy.md and docs/decisions.md D53-D57, the way a hand-coder would, with numpy and scipy's MILP
solver called directly; nothing is imported from the product.

The rule: a cell counted over fewer than 5 answering respondents is hidden. Then, while some set of "atoms"
(answers to one item by people in exactly the same team, location, manager and tenure band) of fewer than 5
people can be recomputed as a linear combination of the visible cells, the smallest visible cell used in that
combination is hidden too (ties: breakdown team, tenure band, manager, location, org; items before dimensions;
then by name), with every visible cell over exactly the same answers. The smallest such set is found first among
single atoms and hidden cells, else by an exact search for the set with the fewest people.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, hstack, identity

MIN_RESPONDENTS = 5  # dbt var survey_min_respondents
GROUP_COLUMNS = {"org": None, "team": "team", "location": "team_location", "manager": "team_manager"}
GROUP_COLUMNS["tenure_band"] = "tenure_band"
ITEMS_PUBLISHED_FOR = {"manager_empathy": ("org", "team", "manager")}  # every other dimension: items at org only
HIDE_FIRST = {"team": 0, "tenure_band": 1, "manager": 2, "location": 3, "org": 4}


def _cells(answers: pd.DataFrame, dimension: str) -> list[dict]:
    item_groups = ITEMS_PUBLISHED_FOR.get(dimension, ("org",))
    cells = []
    for breakdown, column in GROUP_COLUMNS.items():
        for group, rows in answers.groupby(column, sort=True) if column else [("All", answers)]:
            cells.append(dict(breakdown=breakdown, group=group, kind="dimension", measure=dimension, rows=rows))
            if breakdown in item_groups:
                for item, item_rows in rows.groupby("question_id", sort=True):
                    cells.append(dict(breakdown=breakdown, group=group, kind="item", measure=item, rows=item_rows))
    return cells


def _in_span(basis: np.ndarray, atoms: np.ndarray) -> bool:
    vector = np.zeros(basis.shape[1])
    vector[atoms] = 1.0
    return bool(np.linalg.norm(vector - basis.T @ (basis @ vector)) < 1e-8)


def _fewest_people_exposed(visible: np.ndarray, people: list[np.ndarray], n: int) -> np.ndarray | None:
    """Exact search: coefficients c on the visible cells, atoms x (0/1) = c . cells, people y >= x of their
    atoms, at least one atom, fewer than n people; minimise the people."""
    n_cells, n_atoms = visible.shape
    small = np.array([len(p) < n for p in people])
    if n_cells == 0 or not small.any():
        return None
    small_atoms = np.flatnonzero(small)
    link_atom = np.repeat(small_atoms, [len(people[a]) for a in small_atoms])
    persons, link_person = np.unique(np.concatenate([people[a] for a in small_atoms]), return_inverse=True)
    links = np.arange(len(link_atom))
    n_people = len(persons)
    equal = hstack([coo_matrix(-visible.T), identity(n_atoms), coo_matrix((n_atoms, n_people))])
    covers = hstack(
        [
            coo_matrix((len(links), n_cells)),
            coo_matrix((-np.ones(len(links)), (links, link_atom)), shape=(len(links), n_atoms)),
            coo_matrix((np.ones(len(links)), (links, link_person)), shape=(len(links), n_people)),
        ]
    )
    is_atom = np.concatenate([np.zeros(n_cells), np.ones(n_atoms), np.zeros(n_people)])
    is_person = np.concatenate([np.zeros(n_cells + n_atoms), np.ones(n_people)])
    solved = milp(
        is_person,
        constraints=[
            LinearConstraint(equal.tocsr(), 0, 0),
            LinearConstraint(covers.tocsr(), 0, np.inf),
            LinearConstraint(is_atom, 1, np.inf),
            LinearConstraint(is_person, 0, n - 1),
        ],
        integrality=is_atom,
        bounds=Bounds(
            np.concatenate([np.full(n_cells, -np.inf), np.zeros(n_atoms + n_people)]),
            np.concatenate([np.full(n_cells, np.inf), small.astype(float), np.ones(n_people)]),
        ),
    )
    if solved.x is None:
        return None
    chosen = np.flatnonzero(solved.x[n_cells : n_cells + n_atoms] > 0.5)
    return chosen if len(chosen) else None


def _exposed(matrix: np.ndarray, hidden: np.ndarray, people: list[np.ndarray], n: int) -> np.ndarray | None:
    visible = matrix[~hidden]
    if len(visible) == 0:
        return None
    _, singular, vt = np.linalg.svd(visible, full_matrices=False)
    basis = vt[singular > 1e-9 * singular.max()]
    sizes = np.array([len(p) for p in people])
    small = sizes < n
    # Quick look: one small atom, or a whole hidden cell of fewer than n people, recomputable from the visible.
    best = None
    for atoms in [np.array([a]) for a in np.flatnonzero(small)] + [np.flatnonzero(row) for row in matrix[hidden]]:
        count = len(np.unique(np.concatenate([people[a] for a in atoms])))
        if count < n and (best is None or count < best[0]) and _in_span(basis, atoms):
            best = (count, atoms)
    if best is not None:
        return best[1]
    # The exact search only when some combination of the visible cells vanishes on every large atom.
    if not small.any() or ((~small).any() and np.linalg.matrix_rank(basis[:, ~small], tol=1e-9) == len(basis)):
        return None
    return _fewest_people_exposed(visible, people, n)


def _suppress(answers: pd.DataFrame, dimension: str, n: int) -> list[dict]:
    answers = answers.assign(
        atom=answers.groupby(["question_id", "team", "team_location", "team_manager", "tenure_band"]).ngroup(),
        person=answers["respondent_id"].astype("category").cat.codes.astype("int64"),
    )
    people = [np.unique(g.to_numpy()) for _, g in answers.groupby("atom", sort=True)["person"]]
    cells = _cells(answers, dimension)
    matrix = np.zeros((len(cells), len(people)))
    for i, cell in enumerate(cells):
        matrix[i, cell["rows"]["atom"].unique()] = 1.0
        cell["respondents"] = cell["rows"]["respondent_id"].nunique()
        cell["primary"], cell["complementary"] = cell["respondents"] < n, False
    hidden = np.array([c["primary"] for c in cells])
    while (exposed := _exposed(matrix, hidden, people, n)) is not None:
        rows = np.flatnonzero(~hidden)
        target = np.zeros(len(people))
        target[exposed] = 1.0
        weights = np.linalg.lstsq(matrix[rows].T, target, rcond=None)[0]
        used = rows[np.abs(weights) > 1e-9] if (np.abs(weights) > 1e-9).any() else rows[matrix[rows][:, exposed].any(1)]
        victim = min(
            used,
            key=lambda i: (
                cells[i]["respondents"],
                HIDE_FIRST[cells[i]["breakdown"]],
                cells[i]["kind"] != "item",
                str(cells[i]["measure"]),
                str(cells[i]["group"]),
            ),
        )
        for twin in np.flatnonzero(~hidden & (matrix == matrix[victim]).all(axis=1)):
            hidden[twin], cells[twin]["complementary"] = True, True
    return cells


def survey_cells(answers: pd.DataFrame, n: int = MIN_RESPONDENTS) -> pd.DataFrame:
    """One row per published survey cell: wave, measure_kind, measure, breakdown, group_value, suppressed and
    the reason in words."""
    rows = []
    answers = answers.assign(dimension=answers["dimension"].fillna("unassigned"))
    for (wave, dimension), part in answers.groupby(["wave", "dimension"], sort=True):
        for cell in _suppress(part, dimension, n):
            reason = "complementary: protects a suppressed group" if cell["complementary"] else None
            rows.append(
                {
                    "wave": wave,
                    "measure_kind": cell["kind"],
                    "measure": cell["measure"],
                    "breakdown": cell["breakdown"],
                    "group_value": cell["group"],
                    "suppressed": cell["primary"] or cell["complementary"],
                    "suppression_reason": f"fewer than {n} respondents" if cell["primary"] else reason,
                }
            )
    columns = ["wave", "measure_kind", "measure", "breakdown", "group_value", "suppressed", "suppression_reason"]
    return pd.DataFrame(rows, columns=columns)


def service_profit_chain_summary(points: pd.DataFrame, resamples: int = 999, seed: int = 20261129) -> pd.DataFrame:
    """Pearson's r of each employee index with each customer KPI over the location x wave points (4+ pairs, 3+
    locations, both values varying), its p-value, and a 95 % CI: the wider of Fisher's and a bootstrap that
    resamples whole locations (percentiles of r over the resamples whose values vary; seed as docs/impact.md)."""
    rows = []
    for (measure, kpi), pairs in points.groupby(["employee_measure", "customer_kpi"], sort=True):
        pairs = pairs.dropna(subset=["employee_value", "customer_value"])
        x, y = pairs["employee_value"], pairs["customer_value"]
        locations = pairs["location"].nunique()
        if len(pairs) < 4 or x.nunique() < 2 or y.nunique() < 2 or locations < 3:
            continue
        pearson = stats.pearsonr(x, y)
        blocks = [g[["employee_value", "customer_value"]].to_numpy(float) for _, g in pairs.groupby("location")]
        draws = []
        for picks in np.random.default_rng(seed).integers(0, len(blocks), size=(resamples, len(blocks))):
            sample = np.concatenate([blocks[i] for i in picks])
            if np.ptp(sample[:, 0]) > 0 and np.ptp(sample[:, 1]) > 0:
                draws.append(np.corrcoef(sample[:, 0], sample[:, 1])[0, 1])
        low, high = np.percentile(draws, [2.5, 97.5]) if draws else (np.nan, np.nan)
        fisher = pearson.confidence_interval(0.95)
        rows.append(
            {
                "employee_measure": measure,
                "customer_kpi": kpi,
                "correlation": float(pearson.statistic),
                "ci_low": float(np.nanmin([low, fisher.low])),
                "ci_high": float(np.nanmax([high, fisher.high])),
                "n_pairs": len(pairs),
                "p_value": float(pearson.pvalue),
                "method": "pearson_location_bootstrap",
                "n_locations": locations,
            }
        )
    return pd.DataFrame(rows)


def add_estimates(con: duckdb.DuckDBPyConnection) -> None:
    """After bench/baseline_after.sql: the estimate marts computed in Python from its marts."""
    summary = service_profit_chain_summary(con.execute("select * from marts.service_profit_chain").df())  # noqa: F841
    con.execute("create table marts.service_profit_chain_summary as select * from summary")


def add_survey_cells(con: duckdb.DuckDBPyConnection) -> None:
    """After bench/baseline.sql: the survey cells, into `src.survey_cells`."""
    answers = con.execute(
        "select wave, question_id, dimension, respondent_id, team, team_location, team_manager, tenure_band "
        "from src.survey_answers"
    ).df()
    cells = survey_cells(answers)  # noqa: F841 (read by the statement below)
    con.execute("create table src.survey_cells as select * from cells")
