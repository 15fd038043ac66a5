"""Attack the employee survey marts' anonymity guarantee on a real pipeline run (docs/decisions.md D25-D27).

The attacker holds the serving copy: every published survey group of every wave, visible or not. The test
holds the truth (who answered, from the build warehouse) and checks that no combination of visible groups
isolates a hidden group, a single respondent, or any group smaller than N: differences of nested groups,
totals minus the visible cells of a partition, and general linear combinations across breakdowns and waves.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import os
import subprocess
import sys
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


@pytest.fixture(scope="module")
def published(lake: BuiltLake) -> dict[tuple[str, str, str], bool]:
    """(wave, breakdown, group) -> suppressed, as the serving copy shows them, across every survey mart."""
    groups: dict[tuple[str, str, str], bool] = {}
    for mart in SURVEY_MARTS:
        breakdown = "'org', 'All'" if mart == "employee_survey_item_wave" else "breakdown, group_value"
        for wave, b, g, suppressed in lake.query(
            f"SELECT DISTINCT wave, {breakdown}, suppressed FROM marts.{mart}", serving=True
        ):
            # One decision per group, whichever mart shows it: otherwise one mart would reveal what another hides.
            assert groups.setdefault((wave, b, g), suppressed) == suppressed, (mart, wave, b, g)
    return groups


@pytest.fixture(scope="module")
def members(lake: BuiltLake) -> dict[tuple[str, str, str], set[str]]:
    """The truth the attacker lacks: which respondents each published group holds (build warehouse only)."""
    out: dict[tuple[str, str, str], set[str]] = {}
    for wave, b, g, respondent in lake.query(
        "SELECT DISTINCT wave, breakdown, group_value, respondent_id FROM staging.int_employee_survey_groups"
    ):
        out.setdefault((wave, b, g), set()).add(f"{wave}|{respondent}")
    return out


def _matrix(groups: list[tuple[str, str, str]], members, atoms: list[str]) -> np.ndarray:
    index = {a: i for i, a in enumerate(atoms)}
    m = np.zeros((len(groups), len(atoms)))
    for row, group in enumerate(groups):
        for atom in members[group]:
            m[row, index[atom]] = 1.0
    return m


def _in_span(basis: np.ndarray, vector: np.ndarray) -> bool:
    """Whether `vector` is a linear combination of the rows of `basis` (then its total is recoverable)."""
    if basis.size == 0:
        return not vector.any()
    return np.linalg.matrix_rank(np.vstack([basis, vector])) == np.linalg.matrix_rank(basis)


def test_the_generated_data_has_small_groups_to_protect(published, members):
    primary = [g for g, suppressed in published.items() if suppressed and len(members[g]) < N]
    assert len(primary) >= 3, "the test data must contain groups below the threshold, or nothing is attacked"
    assert any(b == "team" for _, b, _ in primary)
    assert len({w for w, _, _ in published}) >= 2, "several waves, so attacks across waves are tried"


def test_suppressed_cells_are_marked_and_null_never_zero(lake: BuiltLake):
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


def test_every_hidden_group_has_fewer_than_n_or_protects_one(published, members):
    for group, suppressed in published.items():
        if not suppressed:
            assert len(members[group]) >= N, group


def test_no_difference_of_nested_visible_groups_isolates_fewer_than_n(published, members):
    """Attack 1: A minus B for every pair of visible groups of one wave where B lies inside A (team inside its
    location or manager, a manager with one team, a group equal to the org total, ...)."""
    visible = [g for g, s in published.items() if not s]
    for a, b in itertools.permutations(visible, 2):
        if a[0] == b[0] and members[b] <= members[a]:
            rest = len(members[a] - members[b])
            assert rest == 0 or rest >= N, f"{a} minus {b} isolates {rest} respondents"


def test_total_minus_visible_cells_of_any_partition_leaves_nothing_or_n(published, members):
    """Attack 2: the org total minus every visible cell of one breakdown (the hidden remainder), per wave."""
    for (wave, breakdown, _), _ in published.items():
        cells = [g for g in published if g[0] == wave and g[1] == breakdown]
        org = members[(wave, "org", "All")]
        covered = set().union(*(members[g] for g in cells if not published[g]))
        rest = len(org - covered)
        assert rest == 0 or rest >= N, f"{wave}/{breakdown}: the hidden remainder holds {rest} respondents"
        hidden = [g for g in cells if published[g]]
        assert len(hidden) != 1 or published[(wave, "org", "All")], f"{wave}/{breakdown}: one hidden cell"


def test_no_linear_combination_of_visible_groups_recovers_a_hidden_group_or_a_person(published, members):
    """Attack 3, the general one: any sums and differences of visible groups, across all breakdowns and all
    waves at once (team vs location vs manager vs tenure band vs org, one wave against another). A hidden
    group's total, or one person's answer, is recoverable exactly when its indicator vector lies in the span
    of the visible groups' vectors; scores are sums over the same sets, so they follow the counts."""
    atoms = sorted(set().union(*members.values()))
    visible = [g for g, s in published.items() if not s]
    basis = _matrix(visible, members, atoms)
    hidden = [g for g, s in published.items() if s]
    for group in hidden:
        vector = _matrix([group], members, atoms)[0]
        assert not _in_span(basis, vector), f"hidden group {group} is recoverable from visible groups"
    # Any person inside a hidden group must not be isolated either (N - 1 people or fewer of them).
    rank = np.linalg.matrix_rank(basis)
    for group in hidden:
        for atom in sorted(members[group])[:3]:
            vector = np.zeros(len(atoms))
            vector[atoms.index(atom)] = 1.0
            assert np.linalg.matrix_rank(np.vstack([basis, vector])) > rank, f"{atom} is isolated"


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
            "int_employee_survey_suppression",
            "--vars",
            "{survey_min_respondents: 2}",
        ],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "EMPATHY_LAKE_BUILD_DB": str(tmp_path / "compile.duckdb")},
    )
    assert result.returncode != 0
    assert "survey_min_respondents must be at least 3" in result.stdout + result.stderr
