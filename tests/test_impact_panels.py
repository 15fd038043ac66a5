"""The staggered panel generator plants what its truth says (checked with a 2 × 2 computed here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dagster_project.sample_data.panels import staggered_panel, write_landing

COHORTS = {12: 3.0, 18: 1.5, 24: 0.5}


def _two_by_two(frame: pd.DataFrame, start: pd.Timestamp) -> float:
    """Cohort post − pre minus never-treated post − pre, from the frame's values (group means)."""
    group = np.where(frame.start_month == start, "cohort", np.where(frame.start_month.isna(), "never", "other"))
    cells = frame.assign(group=group, post=frame.month >= start).groupby(["group", "post"]).value.mean()
    return (cells["cohort", True] - cells["cohort", False]) - (cells["never", True] - cells["never", False])


def _recovered(frame: pd.DataFrame, truth: dict, tolerance: float) -> bool:
    return all(
        abs(_two_by_two(frame, pd.Timestamp(start)) - cohort["planted_effect"]) < tolerance
        for start, cohort in truth["cohorts"].items()
    )


def test_planted_cohort_effects_are_recovered_by_a_simple_two_by_two():
    frame, truth = staggered_panel(n_units=600, n_months=36, cohorts=COHORTS, seed=3, noise=1.0)
    assert len(frame) == 600 * 36 and frame.groupby("unit").size().eq(36).all()
    assert [c["planted_effect"] for c in truth["cohorts"].values()] == list(COHORTS.values())
    for start, cohort in truth["cohorts"].items():
        did = _two_by_two(frame, pd.Timestamp(start))
        assert did == pytest.approx(cohort["realised_did"], abs=1e-9)  # the truth's realised value is this
        assert did == pytest.approx(cohort["planted_effect"], abs=0.3)
    assert _recovered(frame, truth, 0.3)
    # Exposure-weighted and cohort-weighted ATT follow from the planted cells and unit counts.
    treated = frame[frame.treated]
    assert truth["att_simple"] == pytest.approx(treated.planted_effect.mean())
    sizes = {s: frame.unit[frame.cohort_index == s].nunique() for s in COHORTS}
    expected = sum(COHORTS[s] * n for s, n in sizes.items()) / sum(sizes.values())
    assert truth["att_cohort_weighted"] == pytest.approx(expected)
    assert truth["never_treated_units"] == frame.unit[frame.start_month.isna()].nunique() == 180


def test_the_check_fails_when_start_months_are_mislabelled():
    frame, truth = staggered_panel(n_units=600, n_months=36, cohorts=COHORTS, seed=3, noise=1.0)
    units = frame.unit.unique()
    shuffled = dict(zip(units, np.random.default_rng(0).permutation(units), strict=True))
    starts = frame.drop_duplicates("unit").set_index("unit").start_month
    bad = frame.assign(start_month=frame.unit.map(shuffled).map(starts))
    assert not _recovered(bad, truth, 0.3)


def test_null_and_dynamic_panels():
    frame, truth = staggered_panel(n_units=400, n_months=30, cohorts={10: 0.0, 20: 0.0}, seed=5)
    assert truth["att_simple"] == 0.0
    assert all(abs(c["realised_did"]) < 0.25 for c in truth["cohorts"].values())
    frame, truth = staggered_panel(n_units=50, n_months=30, cohorts={10: 1.0}, dynamic=0.1, seed=5)
    cell = frame[(frame.cohort_index == 10) & (frame.month_index == 15)].planted_effect
    assert np.allclose(cell, 1.0 * (1 + 0.1 * 5))
    with pytest.raises(ValueError, match="outside the window"):
        staggered_panel(n_months=12, cohorts={12: 1.0})


def test_write_landing_writes_contract_files(tmp_path):
    frame, _ = staggered_panel(n_units=20, n_months=12, cohorts={6: 1.0}, never_share=0.5, seed=1)
    write_landing(frame, tmp_path, initiative_id="SIM-9", metric="complaints")
    measures = pd.read_csv(tmp_path / "outcome_measures" / "outcome_measures_SIM-9.csv")
    units = pd.read_csv(tmp_path / "initiative_units" / "initiative_units_SIM-9.csv")
    assert len(measures) == 240 and set(measures.metric) == {"complaints"}
    assert measures.month.str.endswith("-01").all()
    assert len(units) == 10 and set(units.start_date) == {"2020-07-01"}
    assert (tmp_path / "initiatives" / "initiatives_SIM-9.csv").exists()
