"""Install the four real public datasets, with their import mappings, into a landing folder.

They are exports nobody on this project wrote (provenance and licences in
tests/fixtures/real/<folder>/PROVENANCE.md), so loading them shows the pipeline copes with real files and
reproduces figures published independently of it. Each dataset lands in `landing/<folder>/`, where its
mapping's `files:` globs look; contract-shaped companions (the IBM question bank) go to
`landing/<entity>/`; the mappings go to `landing/_mappings/`. Copying the same bytes again changes no
checksum, so a re-install followed by a run loads nothing twice.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.settings import REPO_ROOT, SHIPPED_MAPPINGS_DIR

FIXTURES_DIR = REPO_ROOT / "tests" / "fixtures" / "real"


@dataclass(frozen=True)
class RealDataset:
    folder: str  # fixture folder, and the landing folder its mapping's globs read
    mapping: str  # file stem in dagster_project/mappings/
    data_files: tuple[str, ...]  # exports, relative to the fixture folder
    mapped_entities: tuple[str, ...]  # what the mapping produces
    # entity -> contract-shaped files (relative to the fixture folder) that belong in landing/<entity>/
    contract_files: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def entities(self) -> tuple[str, ...]:
        # Contract-shaped files first: the IBM survey's question bank is the scale its mapped answers are checked
        # against (a contract `references:`), so it loads before them, as the pipeline orders its loaders.
        return tuple(self.contract_files) + self.mapped_entities


REAL_DATASETS: dict[str, RealDataset] = {
    d.folder: d
    for d in (
        RealDataset("crm_telco_churn", "telco_customer_churn", ("Telco-Customer-Churn.csv",), ("customers",)),
        RealDataset(
            "hris_ibm_attrition",
            "ibm_hr_attrition",
            ("WA_Fn-UseC_-HR-Employee-Attrition.csv",),
            ("employees", "employee_responses"),
            {"survey_questions": ("survey_questions/ibm_hr_survey_questions.csv",)},
        ),
        RealDataset("survey_nps_garden_centre", "garden_centre_nps", ("nps.csv",), ("customer_responses",)),
        RealDataset(
            "brand_womens_clothing_reviews",
            "womens_clothing_reviews",
            ("womens_clothing_reviews.csv.gz",),
            ("reviews",),
        ),
    )
}


def resolve_datasets(names: list[str] | None) -> list[RealDataset]:
    """Datasets by fixture folder or mapping name; None means all four."""
    if names is None:
        return list(REAL_DATASETS.values())
    by_mapping = {d.mapping: d for d in REAL_DATASETS.values()}
    unknown = [n for n in names if n not in REAL_DATASETS and n not in by_mapping]
    if unknown:
        raise ValueError(f"unknown real dataset(s) {unknown}; known: {sorted(REAL_DATASETS)} or {sorted(by_mapping)}")
    return [REAL_DATASETS.get(n) or by_mapping[n] for n in names]


def _copy(source: Path, target: Path) -> Path:
    if not source.is_file():
        # The fixtures live in the source checkout, not in an installed wheel.
        raise FileNotFoundError(f"{source} not found: run from a checkout of the repository (tests/fixtures/real)")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def install_real_samples(landing: Path, datasets: list[str] | None = None) -> list[Path]:
    """Copy the chosen datasets and their mappings into `landing`; returns every file written."""
    written: list[Path] = []
    for dataset in resolve_datasets(datasets):
        fixture = FIXTURES_DIR / dataset.folder
        for name in dataset.data_files:
            written.append(_copy(fixture / name, landing / dataset.folder / Path(name).name))
        for entity, files in dataset.contract_files.items():
            for name in files:
                written.append(_copy(fixture / name, landing / entity / Path(name).name))
        mapping = f"{dataset.mapping}.yml"
        written.append(_copy(SHIPPED_MAPPINGS_DIR / mapping, landing / "_mappings" / mapping))
    return written
