"""Which published survey cells may be shown, per wave × measure (docs/decisions.md D53-D57).

A cell is one published number set: a measure (a dimension, or one item) for one group (org, team, location,
manager, tenure band) in one wave, counted over the respondents WHO ANSWERED that measure there.

Primary: a cell with fewer than N answering respondents (var survey_min_respondents) is hidden.
Complementary, audit-driven, per wave × dimension (the dimension and its items form one problem, because a
dimension's counts and sums are the sums of its items'): answers are grouped into atoms, (item, membership
signature) — everyone in an atom answered the same item and sits in the same team, location, manager and
tenure band — and every cell is a 0/1 vector over atoms. Any count or sum an attacker can recompute from the
visible cells is a linear combination of them, so a set of atoms is exposed exactly when its indicator vector
lies in their span. An exact search (a small mixed-integer program) finds the exposed set with the fewest
distinct respondents; while that set holds fewer than N, the smallest visible cell used to recompute it (ties
by breakdown, org last, then by name) is hidden too, with any cell over exactly the same answers, and the
search runs again.

Waves are separate problems: no published number pools two waves (D56).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, hstack, identity

from dagster_project.engine_frames import read, table

BREAKDOWNS = {"org": None, "team": "team", "location": "team_location", "manager": "team_manager"}
BREAKDOWNS["tenure_band"] = "tenure_band"
# Items published per group beyond the org (employee_manager_empathy_wave); every other item is org only.
ITEM_BREAKDOWNS = {"manager_empathy": ("org", "team", "manager")}
# Hide a team before a location, a location before the org total, when two candidates tie on size.
HIDE_ORDER = {"team": 0, "tenure_band": 1, "manager": 2, "location": 3, "org": 4}
FLOOR = 3


def threshold(value) -> int:
    n = int(value)
    if n < FLOOR:
        raise ValueError(f"var survey_min_respondents must be at least {FLOOR}, got {n}")
    return n


def _groups(values) -> list[tuple[object, np.ndarray]]:
    """(value, positions) per distinct non-null value, in sorted order, as pandas' groupby(sort=True) gives."""
    codes, uniques = pd.factorize(values, sort=True)
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(uniques) + 1))
    return [(uniques[c], order[bounds[c] : bounds[c + 1]]) for c in range(len(uniques)) if bounds[c + 1] > bounds[c]]


def problem_cells(answers: pd.DataFrame, dimension: str) -> list[dict]:
    """Every cell published for one wave × dimension: the dimension per group, its items per group.

    A cell's `rows` are positions in `answers` (integer arrays, not sub-frames: a problem has hundreds of
    cells, and slicing the frame per cell was most of this model's time, D503)."""
    item_breakdowns = ITEM_BREAKDOWNS.get(dimension, ("org",))
    questions = answers["question_id"].to_numpy()
    cells = []
    for breakdown, column in BREAKDOWNS.items():
        groups = _groups(answers[column]) if column else [("All", np.arange(len(answers)))]
        for group, rows in groups:
            cell = {"breakdown": breakdown, "group": group}
            cells.append({**cell, "kind": "dimension", "measure": dimension, "rows": rows})
            if breakdown in item_breakdowns:
                for item, item_rows in _groups(questions[rows]):
                    cells.append({**cell, "kind": "item", "measure": item, "rows": rows[item_rows]})
    return cells


def smallest_exposed_set(matrix: np.ndarray, atom_people: list[np.ndarray], n: int):
    """The exposed set of atoms (a 0/1 vector in the row space of `matrix`) with the fewest distinct
    respondents, if that is below n; None otherwise. `atom_people[a]` lists the respondent indexes of atom a."""
    cells, atoms = matrix.shape
    small = np.array([len(p) < n for p in atom_people])
    if cells == 0 or not small.any():
        return None
    # Variables: c (one free coefficient per visible cell), x (atom in the set, binary), y (respondent in it).
    # x_a = sum_i c_i * matrix[i, a];  y_r >= x_a for every respondent r of atom a;  sum x >= 1;
    # sum y <= n - 1 (only sets below n matter: a protected problem is proven infeasible early); min sum y.
    # Only people of small atoms can be in a set below n: the others get no variable.
    link_atom = np.repeat(np.flatnonzero(small), [len(atom_people[a]) for a in np.flatnonzero(small)])
    in_small = np.concatenate([atom_people[a] for a in np.flatnonzero(small)])
    people_in_small, link_person = np.unique(in_small, return_inverse=True)
    people = len(people_in_small)
    links = np.arange(len(link_atom))
    span = hstack([coo_matrix(-matrix.T), identity(atoms), coo_matrix((atoms, people))])
    cover = hstack(
        [
            coo_matrix((len(links), cells)),
            coo_matrix((-np.ones(len(links)), (links, link_atom)), shape=(len(links), atoms)),
            coo_matrix((np.ones(len(links)), (links, link_person)), shape=(len(links), people)),
        ]
    )
    in_set = np.concatenate([np.zeros(cells), np.ones(atoms), np.zeros(people)])
    objective = np.concatenate([np.zeros(cells + atoms), np.ones(people)])
    result = milp(
        objective,
        constraints=[
            LinearConstraint(span.tocsr(), 0, 0),
            LinearConstraint(cover.tocsr(), 0, np.inf),
            LinearConstraint(in_set, 1, np.inf),
            LinearConstraint(objective, 0, n - 1),
        ],
        integrality=in_set,
        bounds=Bounds(
            np.concatenate([np.full(cells, -np.inf), np.zeros(atoms + people)]),
            np.concatenate([np.full(cells, np.inf), small.astype(float), np.ones(people)]),
        ),
    )
    if result.x is None:
        return None
    chosen = np.flatnonzero(result.x[cells : cells + atoms] > 0.5)
    return chosen if len(chosen) else None


def row_space(visible: np.ndarray) -> np.ndarray:
    """An orthonormal basis (rows) of the span of the visible cells."""
    if len(visible) == 0:
        return np.zeros((0, visible.shape[1]))
    _, s, vt = np.linalg.svd(visible, full_matrices=False)
    return vt[s > 1e-9 * s.max()]


def may_expose_small_atoms(rowspace: np.ndarray, small: np.ndarray) -> bool:
    """Whether any non-zero combination of the visible cells vanishes on every atom of n or more people (only
    such a combination can be a set of small atoms); if not, the exact search is not needed."""
    if len(rowspace) == 0 or not small.any():
        return False
    return (~small).sum() == 0 or np.linalg.matrix_rank(rowspace[:, ~small], tol=1e-9) < len(rowspace)


def obviously_exposed_set(rowspace: np.ndarray, hidden: np.ndarray, atom_people: list[np.ndarray], n: int):
    """A quick look before the exact search: a single small atom, or a whole hidden cell below n, that is a
    linear combination of the visible cells (the smallest such set, first by position). None if neither."""
    if len(rowspace) == 0:
        return None
    sizes = np.array([len(p) for p in atom_people])
    candidates = [np.array([a]) for a in np.flatnonzero(sizes < n)]
    candidates += [np.flatnonzero(row) for row in hidden]
    best = None
    for atoms in candidates:
        people = len(np.unique(np.concatenate([atom_people[a] for a in atoms])))
        if people >= n or (best is not None and people >= best[0]):
            continue
        vector = np.zeros(rowspace.shape[1])
        vector[atoms] = 1.0
        if np.linalg.norm(vector - rowspace.T @ (rowspace @ vector)) < 1e-8:
            best = (people, atoms)
    return None if best is None else best[1]


def derivation(visible: np.ndarray, exposed: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The visible cells (their `rows`) used to recompute the exposed set: those with a non-zero coefficient
    in the least-norm combination that gives it (every equivalent way of getting it shares the weight)."""
    target = np.zeros(visible.shape[1])
    target[exposed] = 1.0
    coefficients = np.linalg.lstsq(visible.T, target, rcond=None)[0]
    used = np.abs(coefficients) > 1e-9
    return rows[used] if used.any() else rows[visible[:, exposed].any(axis=1)]


def suppress_problem(answers: pd.DataFrame, dimension: str, n: int) -> list[dict]:
    """Primary and complementary suppression for one wave × dimension (answers: one row per answer)."""
    answers = answers.copy()
    answers["atom"] = answers.groupby(["question_id", "team", "team_location", "team_manager", "tenure_band"]).ngroup()
    answers["person"] = answers["respondent_id"].astype("category").cat.codes.astype("int64")
    atom_people = [np.unique(g.to_numpy()) for _, g in answers.groupby("atom", sort=True)["person"]]
    cells = problem_cells(answers, dimension)
    atom, person = answers["atom"].to_numpy(), answers["person"].to_numpy()
    matrix = np.zeros((len(cells), len(atom_people)))
    for i, cell in enumerate(cells):
        matrix[i, atom[cell["rows"]]] = 1.0
        people = person[cell["rows"]]
        cell["respondents"] = len(np.unique(people[people >= 0]))  # -1: no respondent id (pandas' nunique skips it)
        cell["primary"] = cell["respondents"] < n
        cell["complementary"] = False
    hidden = np.array([c["primary"] for c in cells])
    small = np.array([len(p) < n for p in atom_people])
    while True:
        visible = matrix[~hidden]
        rowspace = row_space(visible)
        exposed = obviously_exposed_set(rowspace, matrix[hidden], atom_people, n)
        if exposed is None and may_expose_small_atoms(rowspace, small):
            exposed = smallest_exposed_set(visible, atom_people, n)
        if exposed is None:
            break
        victim = min(
            derivation(visible, exposed, np.flatnonzero(~hidden)),
            key=lambda i: (
                cells[i]["respondents"],
                HIDE_ORDER[cells[i]["breakdown"]],
                cells[i]["kind"] != "item",
                str(cells[i]["measure"]),
                str(cells[i]["group"]),
            ),
        )
        # Its twins (another breakdown's cell over the same answers: a manager with one team) go with it.
        for twin in np.flatnonzero(~hidden & (matrix == matrix[victim]).all(axis=1)):
            hidden[twin] = True
            cells[twin]["complementary"] = True
    return cells


def suppression_table(answers: pd.DataFrame, n: int) -> pd.DataFrame:
    out = []
    answers = answers.assign(dimension=answers["dimension"].fillna("unassigned"))
    for (wave, dimension), rows in answers.groupby(["wave", "dimension"], sort=True):
        for cell in suppress_problem(rows, dimension, n):
            out.append(
                {
                    "wave": wave,
                    "measure_kind": cell["kind"],
                    "measure": cell["measure"],
                    "breakdown": cell["breakdown"],
                    "group_value": cell["group"],
                    "respondents": cell["respondents"],
                    "is_primary": cell["primary"],
                    "is_complementary": cell["complementary"],
                }
            )
    columns = ["wave", "measure_kind", "measure", "breakdown", "group_value", "respondents", "is_primary"]
    table = pd.DataFrame(out, columns=[*columns, "is_complementary"])
    table["suppressed"] = table["is_primary"] | table["is_complementary"]
    table["suppression_reason"] = np.where(
        table["is_primary"],
        f"fewer than {n} respondents",
        np.where(table["is_complementary"], "complementary: protects a suppressed group", None),
    )
    return table


def model(dbt, session):
    dbt.config(materialized="table")
    n = threshold(dbt.config.get("survey_min_respondents"))
    columns = "wave, question_id, dimension, respondent_id, team, team_location, team_manager, tenure_band"
    answers = read(session, dbt.ref("int_employee_survey_answers"), columns)
    return table(session, suppression_table(answers, n))
