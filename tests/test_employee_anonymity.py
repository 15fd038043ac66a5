"""Attack the employee survey marts' anonymity guarantee on a real pipeline run (docs/decisions.md D25-D27).

The attacker holds the serving copy: every published survey cell (a dimension, item or eNPS of one group in one
wave), visible or not. The test holds the truth (who answered what, from the build warehouse) and checks that
no combination of visible cells isolates the answers of fewer than N people: differences of nested cells,
totals minus the visible cells of a partition, and general linear combinations across breakdowns and
measures (D53-D57). tests/test_anonymity_attacks.py searches random designs the same way.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import os
import subprocess
import sys
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from dagster_project.settings import DBT_PROJECT_DIR
from tests.lake_helpers import TEST_PII_KEY, BuiltLake

N = 5  # var survey_min_respondents in dbt_project.yml
SURVEY_MARTS = (
    "employee_survey_dimension_wave",
    "employee_enps_wave",
    "employee_survey_item_wave",
    "employee_manager_empathy_wave",
)
COUNT_COLUMNS = ("respondents", "responses")


@pytest.fixture(scope="module")
def lake(built_lake: BuiltLake) -> BuiltLake:
    assert built_lake.success, "the pipeline failed on the generated data"
    return built_lake


Cell = tuple[str, str, str, str, str]  # wave, measure kind ('dimension' | 'item'), measure, breakdown, group
# Per mart: the measure kind, the measure column, the breakdown columns.
MART_CELLS = {
    "employee_survey_dimension_wave": ("dimension", "dimension", "breakdown, group_value"),
    "employee_enps_wave": ("dimension", "'enps'", "breakdown, group_value"),
    "employee_survey_item_wave": ("item", "question_id", "'org', 'All'"),
    "employee_manager_empathy_wave": ("item", "question_id", "breakdown, group_value"),
}


@pytest.fixture(scope="module")
def published(lake: BuiltLake) -> dict[Cell, bool]:
    """Every published cell -> suppressed, as the serving copy shows them, across every survey mart."""
    cells: dict[Cell, bool] = {}
    for mart, (kind, measure, breakdown) in MART_CELLS.items():
        for wave, m, b, g, suppressed in lake.query(
            f"SELECT DISTINCT wave, {measure}, {breakdown}, suppressed FROM marts.{mart}", serving=True
        ):
            # One decision per cell, whichever mart shows it: otherwise one mart would reveal what another hides.
            assert cells.setdefault((wave, kind, m, b, g), suppressed) == suppressed, (mart, wave, m, b, g)
    return cells


@pytest.fixture(scope="module")
def answers(lake: BuiltLake) -> dict[Cell, set[tuple[str, str]]]:
    """The truth the attacker lacks: which answers (respondent, item) each published cell counts (build
    warehouse only). A dimension cell counts its items' answers; an item cell that item's."""
    out: dict[Cell, set[tuple[str, str]]] = {}
    for wave, b, g, dimension, question, respondent in lake.query(
        "SELECT DISTINCT wave, breakdown, group_value, dimension, question_id, respondent_id "
        "FROM staging.int_employee_survey_groups"
    ):
        out.setdefault((wave, "dimension", dimension, b, g), set()).add((respondent, question))
        out.setdefault((wave, "item", question, b, g), set()).add((respondent, question))
    return out


def _people(cell_answers: set[tuple[str, str]]) -> int:
    return len({respondent for respondent, _ in cell_answers})


def _in_span(basis: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Per row of `vectors`: whether it is a linear combination of the rows of `basis` (then its total, and
    every count or sum over it, is recoverable)."""
    if basis.size == 0:
        return ~vectors.any(axis=1)
    _, s, vt = np.linalg.svd(basis, full_matrices=False)
    rowspace = vt[s > 1e-9 * s.max()]
    return np.linalg.norm(vectors - (vectors @ rowspace.T) @ rowspace, axis=1) < 1e-6


def _atom_vector(cell_answers: set[tuple[str, str]], index: dict, width: int) -> np.ndarray:
    v = np.zeros(width)
    v[list({index[a] for a in cell_answers})] = 1.0
    return v


def test_the_generated_data_has_small_groups_to_protect(published, answers):
    primary = [c for c, suppressed in published.items() if suppressed and _people(answers[c]) < N]
    assert len(primary) >= 3, "the test data must contain cells below the threshold, or nothing is attacked"
    assert any(c[3] == "team" for c in primary)
    assert len({c[0] for c in published}) >= 2, "several waves, so attacks across waves are tried"


def test_suppressed_cells_are_marked_and_null_never_zero(lake: BuiltLake):
    ((threshold,),) = lake.query("SELECT min_respondents FROM marts.employee_survey_settings", serving=True)
    assert threshold == N, "the dashboard and the checks read the threshold dbt used"
    for mart in SURVEY_MARTS:
        columns = [
            c
            for (c,) in lake.query(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = ? "
                "AND data_type IN ('BIGINT', 'HUGEINT', 'DOUBLE', 'INTEGER')",
                [mart],
                serving=True,
            )
        ]
        not_null = " OR ".join(f"{c} IS NOT NULL" for c in columns)
        ((leaks,),) = lake.query(f"SELECT count(*) FROM marts.{mart} WHERE suppressed AND ({not_null})", serving=True)
        assert leaks == 0, f"{mart}: a suppressed cell shows a number"
        ((unexplained,),) = lake.query(
            f"SELECT count(*) FROM marts.{mart} WHERE suppressed IS NULL "
            "OR suppressed <> (suppression_reason IS NOT NULL) "
            "OR suppression_reason NOT IN ('fewer than 5 respondents', 'complementary: protects a suppressed group')",
            serving=True,
        )
        assert unexplained == 0, mart
        count_column = next(c for c in COUNT_COLUMNS if c in columns)
        ((small,),) = lake.query(
            f"SELECT count(*) FROM marts.{mart} WHERE NOT suppressed AND {count_column} < {N}", serving=True
        )
        assert small == 0, f"{mart}: a visible cell has fewer than {N} respondents"


def test_every_visible_cell_was_answered_by_n_or_more(published, answers):
    for cell, suppressed in published.items():
        if not suppressed:
            assert _people(answers[cell]) >= N, cell


def test_no_difference_of_nested_visible_cells_isolates_fewer_than_n(published, answers):
    """Attack 1: A minus B for every pair of visible cells of one wave where B's answers lie inside A's (team
    inside its location or manager, an item inside its dimension, a group equal to the org total, ...)."""
    visible = [c for c, s in published.items() if not s]
    by_wave: dict[str, list[Cell]] = {}
    for cell in visible:
        by_wave.setdefault(cell[0], []).append(cell)
    for cells in by_wave.values():
        for a, b in itertools.permutations(cells, 2):
            if answers[b] <= answers[a]:
                rest = _people(answers[a] - answers[b])
                assert rest == 0 or rest >= N, f"{a} minus {b} isolates {rest} respondents"


def test_total_minus_visible_cells_of_any_partition_leaves_nothing_or_n(published, answers):
    """Attack 2: the org cell of a measure minus every visible cell of one breakdown, per wave (the item-level
    non-response attack of 66fcef0 was this one, on the presenteeism items)."""
    partitions = {(c[0], c[1], c[2], c[3]) for c in published if c[3] != "org"}
    for wave, kind, measure, breakdown in partitions:
        org = (wave, kind, measure, "org", "All")
        if published.get(org, True):
            continue
        cells = [c for c in published if c[:4] == (wave, kind, measure, breakdown)]
        covered = set().union(*(answers[c] for c in cells if not published[c]))
        rest = _people(answers[org] - covered)
        assert rest == 0 or rest >= N, f"{wave}/{measure}/{breakdown}: the hidden remainder holds {rest} people"


def test_no_linear_combination_of_visible_cells_recovers_fewer_than_n(published, answers):
    """Attack 3, the general one: any sums and differences of visible cells of a wave, across breakdowns and
    measures at once (team vs location vs manager vs tenure band vs org, dimension vs its items). Answers
    fall into atoms (same item, same team, location, manager and tenure band) that no cell splits; an atom,
    a hidden cell or a union of two atoms below N people must not lie in the span of the visible cells."""
    for wave in sorted({c[0] for c in published}):
        cells = [c for c in published if c[0] == wave]
        org_cells = [c for c in cells if c[3] == "org"]
        everyone = set().union(*(answers[c] for c in org_cells))
        signature: dict[tuple[str, str], list[str]] = {a: [] for a in everyone}
        for cell in cells:
            if cell[1] == "dimension" and cell[3] != "org":
                for answer in answers[cell]:
                    signature[answer].append(f"{cell[3]}={cell[4]}")
        atoms: dict[tuple, set[tuple[str, str]]] = {}
        for answer, groups in signature.items():
            atoms.setdefault((answer[1], *sorted(groups)), set()).add(answer)
        atom_list = list(atoms.values())
        index = {answer: i for i, atom in enumerate(atom_list) for answer in atom}

        width = len(atom_list)
        vector = partial(_atom_vector, index=index, width=width)
        basis = np.array([vector(answers[c]) for c in cells if not published[c]]).reshape(-1, width)
        small = [a for a in atom_list if _people(a) < N]
        candidates = small + [a | b for a, b in itertools.combinations(small, 2) if _people(a | b) < N]
        candidates += [answers[c] for c in cells if published[c] and _people(answers[c]) < N]
        if not candidates:
            continue
        exposed = _in_span(basis, np.array([vector(c) for c in candidates]))
        found = [sorted(c)[:3] for c, bad in zip(candidates, exposed, strict=True) if bad]
        assert not found, f"{wave}: answers of fewer than {N} people recoverable, e.g. {found[:3]}"


def test_no_multi_wave_or_cross_tab_group_is_published(lake: BuiltLake):
    """Attack 4's precondition: a group pooled over waves, or a two-way cell, would add differences the
    attacks above do not cover; none exists in any employee mart."""
    for mart in SURVEY_MARTS:
        ((no_wave,),) = lake.query(f"SELECT count(*) FROM marts.{mart} WHERE wave IS NULL", serving=True)
        assert no_wave == 0
    breakdowns = {
        b for (b,) in lake.query("SELECT DISTINCT breakdown FROM marts.employee_survey_dimension_wave", serving=True)
    }
    assert breakdowns == {"org", "team", "location", "manager", "tenure_band"}


def test_no_respondent_keys_answers_or_person_rows_reach_the_serving_copy(lake: BuiltLake):
    schemas = {s for (s,) in lake.query("SELECT DISTINCT table_schema FROM information_schema.tables", serving=True)}
    assert schemas <= {"marts", "meta"}
    leaked = lake.query(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'marts' "
        "AND table_name LIKE 'employee%' AND column_name IN ('respondent_id', 'response_id', 'employee_id', "
        "'comment', 'score', 'employee_name', 'usage_id')",
        serving=True,
    )
    assert leaked == []
    # Item-level rows exist at org level only (no item per team or person).
    ((rows,),) = lake.query(
        "SELECT count(*) FROM marts.employee_survey_item_wave WHERE NOT suppressed AND respondents < 5", serving=True
    )
    assert rows == 0


def test_respondent_ids_are_keyed_hashes_of_the_source_ids(lake: BuiltLake):
    """The loader replaces respondent ids by sha256(key | id) with the key from EMPATHY_LAKE_PII_KEY."""
    source = next(Path(lake.settings.landing_dir, "employee_responses").glob("*.csv"))
    with source.open(newline="", encoding="utf-8") as f:
        row = next(csv.DictReader(f))
    expected = (
        "pid_" + hashlib.sha256(f"{TEST_PII_KEY}|{row['respondent_id'].strip().lower()}".encode()).hexdigest()[:32]
    )
    ((stored,),) = lake.query(
        "SELECT respondent_id FROM raw_survey.employee_responses WHERE response_id = ?", [row["response_id"]]
    )
    assert stored == expected != row["respondent_id"]
    other_key = "pid_" + hashlib.sha256(f"another-key|{row['respondent_id'].strip().lower()}".encode()).hexdigest()[:32]
    assert other_key != stored
    ((plain,),) = lake.query("SELECT count(*) FROM raw_survey.employee_responses WHERE respondent_id NOT LIKE 'pid_%'")
    assert plain == 0


def test_a_threshold_below_three_is_refused(tmp_path):
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "compile",
            "--no-partial-parse",
            "--quiet",
            "--profiles-dir",
            ".",
            "--select",
            "employee_survey_settings",
            "--vars",
            "{survey_min_respondents: 2}",
            "--target-path",  # not the project's target/: another test worker may be reading its manifest
            str(tmp_path / "target"),
        ],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "EMPATHY_LAKE_BUILD_DB": str(tmp_path / "compile.duckdb")},
    )
    assert result.returncode != 0
    assert "survey_min_respondents must be at least 3" in result.stdout + result.stderr
