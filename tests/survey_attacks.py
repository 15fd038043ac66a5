"""Survey designs written as raw rows, built through the real dbt survey models, and an independent attacker.

A design is a small organisation surveyed over one or more waves: teams nested in locations and managers,
tenure bands, optional items some respondents skip, people joining and leaving between waves. Many designs
share ONE warehouse (each design's teams, managers and waves carry its own prefix), so one `dbt run` builds
the survey marts for a whole batch.

The attacker knows every true membership and answer, reads every non-NULL published count and score sum of
every survey mart, and asks, with linear algebra over the individual answers of a wave, whether any set of
answers from fewer than N respondents has its count or sum in the span of the published vectors. It shares
no code with int_employee_survey_cell_suppression (which works on atoms with an exact integer search).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np

from dagster_project.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR
from tests.lake_helpers import dbt_on_parsed_manifest

# The question bank of every design: (question_id, dimension, scale_min, scale_max).
QUESTIONS = (
    ("ENG1", "engagement", 1, 5),
    ("ENG2", "engagement", 1, 5),
    ("PRE1", "presenteeism", 1, 5),
    ("PRE2", "presenteeism", 1, 5),
    ("MGR1", "manager_empathy", 1, 5),
    ("MGR2", "manager_empathy", 1, 5),
    ("NPS1", "enps", 0, 10),
)
TENURE_BANDS = ("<1y", "1-3y", "3-5y", "5y+")
SURVEY_MARTS = (
    "employee_survey_dimension_wave",
    "employee_enps_wave",
    "employee_survey_item_wave",
    "employee_manager_empathy_wave",
)
SURVEY_MODELS = " ".join(f"+{m}" for m in SURVEY_MARTS) + " employee_survey_settings"


@dataclass
class Answer:
    wave: str
    respondent: str
    team: str
    location: str
    tenure_band: str
    question_id: str
    score: int


@dataclass
class Design:
    """One organisation: `answers` is the truth; `managers` maps team -> its manager's employee id."""

    name: str
    answers: list[Answer] = field(default_factory=list)
    managers: dict[str, str] = field(default_factory=dict)


def write_raw(path: Path, designs: list[Design]) -> None:
    """The designs as the raw tables the survey staging models read (raw_survey.*, raw_hris.employees)."""
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw_survey; CREATE SCHEMA IF NOT EXISTS raw_hris")
        meta = "_source_file VARCHAR, _source_row BIGINT, _loaded_at TIMESTAMP"
        con.execute(
            "CREATE OR REPLACE TABLE raw_survey.employee_responses (response_id VARCHAR, respondent_id VARCHAR, "
            "survey_id VARCHAR, team VARCHAR, location VARCHAR, tenure_band VARCHAR, question_id VARCHAR, "
            f"score DOUBLE, comment VARCHAR, responded_at TIMESTAMP, {meta})"
        )
        con.execute(
            "CREATE OR REPLACE TABLE raw_survey.survey_questions (question_id VARCHAR, audience VARCHAR, "
            "question_text VARCHAR, dimension VARCHAR, scale_min BIGINT, scale_max BIGINT, favourable_min BIGINT, "
            f"reverse_scored BOOLEAN, {meta})"
        )
        con.execute(
            "CREATE OR REPLACE TABLE raw_hris.employees (employee_id VARCHAR, employee_name VARCHAR, team VARCHAR, "
            "department VARCHAR, manager_id VARCHAR, location VARCHAR, region VARCHAR, job_level VARCHAR, "
            f"weekly_hours DOUBLE, hire_date DATE, termination_date DATE, termination_type VARCHAR, {meta})"
        )
        con.executemany(
            "INSERT INTO raw_survey.survey_questions VALUES (?, 'employee', ?, ?, ?, ?, NULL, false, 'q.csv', ?, "
            "TIMESTAMP '2026-01-01')",
            [(q, f"Item {q}", d, lo, hi, i) for i, (q, d, lo, hi) in enumerate(QUESTIONS)],
        )
        responses, employees = [], []
        for design in designs:
            for a in design.answers:
                responses.append(
                    (f"{a.wave}|{a.respondent}|{a.question_id}", a.respondent, a.wave, a.team, a.location)
                    + (a.tenure_band, a.question_id, a.score, len(responses))
                )
            people = {(a.respondent, a.team) for a in design.answers}
            for respondent, team in sorted(people):
                employees.append((f"{design.name}|{respondent}|{team}", team, design.managers[team]))
            for manager in sorted(set(design.managers.values())):
                employees.append((manager, f"{design.name}-leads", None))
        con.executemany(
            "INSERT INTO raw_survey.employee_responses VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, "
            "TIMESTAMP '2026-03-01', 'r.csv', ?, TIMESTAMP '2026-01-01')",
            responses,
        )
        con.executemany(
            "INSERT INTO raw_hris.employees VALUES (?, 'name', ?, 'dept', ?, 'HQ', 'EU', 'L1', 40, DATE '2020-01-01', "
            "NULL, NULL, 'e.csv', 0, TIMESTAMP '2026-01-01')",
            employees,
        )
    finally:
        con.close()


def parsed_threshold() -> int:
    """N as the manifest the test run parsed gives it to the suppression model (var survey_min_respondents as
    shipped in dbt_project.yml, rendered into the model's config at parse time)."""
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    [node] = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["name"] == "int_employee_survey_cell_suppression"
    ]
    return int(node["config"]["survey_min_respondents"])


def run_survey_models(path: Path, n: int = 5) -> None:
    """`dbt run` of the survey marts and everything they read, on the warehouse at `path`. With the shipped N it
    runs on the manifest the test run parsed (the `dbt_manifest` fixture; no parse, D631), which names the
    warehouse's database "build": `path` must then be a build.duckdb. Another N is a var the Python model reads
    from its config, rendered at parse time, so that `dbt run` parses the project with it."""
    if n == parsed_threshold():
        assert path.name == "build.duckdb", "the parsed manifest's relations are in database 'build'"
        target = str(path.parent / "target")
        done, [answer] = dbt_on_parsed_manifest(
            path, ["run", "--quiet", "--select", *SURVEY_MODELS.split(), "--target-path", target]
        )
        assert answer["success"], done.stdout[-4000:] + done.stderr[-4000:]
        return
    result = subprocess.run(
        [DBT_EXECUTABLE, "run", "--quiet", "--profiles-dir", ".", "--select"]
        + SURVEY_MODELS.split()
        + ["--vars", f"{{survey_min_respondents: {n}}}", "--target-path", str(path.parent / "target")],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "EMPATHY_LAKE_BUILD_DB": str(path)},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


# --- the attacker -------------------------------------------------------------------------------------------
@dataclass
class Published:
    """Every published number set of one wave: the answers (indexes into the wave's answer list) it sums."""

    vectors: list[tuple[str, frozenset[int]]]
    hidden: list[tuple[str, frozenset[int]]]


def _group_of(answer: Answer, breakdown: str, managers: dict[str, str], locations: dict[str, str]) -> str:
    return {
        "org": "All",
        "team": answer.team,
        "location": locations[answer.team],
        "manager": managers[answer.team],
        "tenure_band": answer.tenure_band,
    }[breakdown]


def published_sets(con: duckdb.DuckDBPyConnection, design: Design, wave: str) -> Published:
    """What the marts publish for one wave, as sets of the wave's answers. Location is the team's most frequent
    answer location and manager the team's, as the attacker knows from the organisation chart."""
    answers = [a for a in design.answers if a.wave == wave]
    dimension = {q: d for q, d, _, _ in QUESTIONS}
    # Marts show a manager by a display label (role and team, D61); the attacker knows which label is whose.
    labels = dict(con.execute("SELECT manager_id, manager_label FROM staging.int_employee_manager_labels").fetchall())
    managers = {team: labels.get(manager, manager) for team, manager in design.managers.items()}
    locations: dict[str, str] = {}
    for team in {a.team for a in answers}:
        people = {(a.respondent, a.location) for a in answers if a.team == team}
        counts: dict[str, int] = {}
        for _, loc in people:
            counts[loc] = counts.get(loc, 0) + 1
        locations[team] = min(counts, key=lambda loc: (-counts[loc], loc))

    def members(breakdown: str, group: str, keep) -> frozenset[int]:
        return frozenset(
            i for i, a in enumerate(answers) if keep(a) and _group_of(a, breakdown, managers, locations) == group
        )

    visible: list[tuple[str, frozenset[int]]] = []
    hidden: list[tuple[str, frozenset[int]]] = []
    queries = {
        "employee_survey_dimension_wave": ("dimension", "score_sum"),
        "employee_enps_wave": ("'enps'", "responses"),
        "employee_survey_item_wave": ("question_id", "score_sum"),
        "employee_manager_empathy_wave": ("question_id", "score_sum"),
    }
    for mart, (measure, number) in queries.items():
        breakdown = "'org', 'All'" if mart == "employee_survey_item_wave" else "breakdown, group_value"
        rows = con.execute(
            f"SELECT {breakdown}, {measure}, {number} IS NULL, suppressed FROM marts.{mart} WHERE wave = ?", [wave]
        ).fetchall()
        for b, g, m, is_null, suppressed in rows:
            assert is_null == suppressed, f"{mart} {wave} {b} {g} {m}: a number shown on a hidden cell, or 0 for NULL"
            if m in dimension:
                keep = lambda a, m=m: a.question_id == m  # noqa: E731
            else:
                keep = lambda a, m=m: dimension[a.question_id] == m  # noqa: E731
            (hidden if suppressed else visible).append((f"{mart}:{b}={g}:{m}", members(b, g, keep)))
    return Published(visible, hidden)


def candidate_sets(answers: list[Answer], published: Published, rng: np.random.Generator) -> list[frozenset[int]]:
    """Sets an attacker would try to isolate: every answer, every atom (same item, team, location, tenure band),
    every person's answers per dimension, every hidden cell, unions of two atoms, and random unions."""
    dimension = {q: d for q, d, _, _ in QUESTIONS}
    sets: set[frozenset[int]] = {frozenset([i]) for i in range(len(answers))}
    atoms: dict[tuple, set[int]] = {}
    personal: dict[tuple, set[int]] = {}
    for i, a in enumerate(answers):
        atoms.setdefault((a.question_id, a.team, a.location, a.tenure_band), set()).add(i)
        personal.setdefault((a.respondent, dimension[a.question_id]), set()).add(i)
        atoms.setdefault((dimension[a.question_id], a.team, a.tenure_band), set()).add(i)
    atom_sets = [frozenset(s) for s in atoms.values()]
    sets.update(atom_sets)
    sets.update(frozenset(s) for s in personal.values())
    sets.update(s for _, s in published.hidden)
    sets.update(a | b for a, b in itertools.combinations(atom_sets, 2))
    for _ in range(200):
        k = int(rng.integers(2, 5))
        picks = rng.choice(len(atom_sets), size=min(k, len(atom_sets)), replace=False)
        sets.add(frozenset().union(*(atom_sets[p] for p in picks)))
    for _, cell in published.hidden:  # hidden cells minus or intersected with visible ones
        for _, other in published.vectors:
            sets.update({cell - other, cell & other})
    return [s for s in sets if s]


def leaks(design: Design, con: duckdb.DuckDBPyConnection, n: int, seed: int = 0) -> list[str]:
    """Every set of answers from fewer than n respondents whose count or sum the published numbers give away."""
    found = []
    rng = np.random.default_rng(seed)
    for wave in sorted({a.wave for a in design.answers}):
        answers = [a for a in design.answers if a.wave == wave]
        published = published_sets(con, design, wave)
        if not published.vectors:
            continue
        basis = _indicators([members for _, members in published.vectors], len(answers))
        _, s, vt = np.linalg.svd(basis, full_matrices=False)
        rowspace = vt[s > 1e-9 * s.max()]
        small = [c for c in candidate_sets(answers, published, rng) if len({answers[i].respondent for i in c}) < n]
        if not small:
            continue
        vectors = _indicators(small, len(answers))
        residual = np.linalg.norm(vectors - (vectors @ rowspace.T) @ rowspace, axis=1)
        for candidate in (c for c, r in zip(small, residual, strict=True) if r < 1e-6):
            people = sorted({answers[i].respondent for i in candidate})
            found.append(f"{design.name} {wave}: {len(candidate)} answer(s) of {len(people)} respondent(s) {people}")
    return found


def _indicators(sets: list[frozenset[int]], width: int) -> np.ndarray:
    out = np.zeros((len(sets), width))
    for row, members in enumerate(sets):
        out[row, list(members)] = 1.0
    return out
