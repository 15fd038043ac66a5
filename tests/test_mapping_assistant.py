"""The mapping assistant (`empathy-lake mapping suggest|check`): drafts for exports it has no profile for,
profile matching, no personal values in a draft, and a dry run that counts exactly what a load would and
leaves the lake alone. Real files (the shipped real Telco export, the vendor fixtures), the real reader and
loader; no pipeline run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from dagster_project.cli import main
from dagster_project.loading.assistant import check, format_check, suggest
from dagster_project.loading.sandbox import MappingError

REAL = Path(__file__).parent / "fixtures" / "real"
VENDORS = Path(__file__).parent / "fixtures" / "vendors"
TELCO = REAL / "crm_telco_churn" / "Telco-Customer-Churn.csv"


def _columns(draft: str, entity: str) -> dict:
    return yaml.safe_load(draft)["outputs"][entity]["columns"]


def test_a_telco_draft_gets_the_entity_key_and_churn_codes_and_asks_for_the_rest(tmp_path):
    found = suggest(TELCO)
    assert (found.profile, found.entity) == (None, "customers")
    columns = _columns(found.draft, "customers")
    assert columns["customer_id"] == "customerID"
    assert columns["status"] == {"from": "Churn", "map": {"Yes": "churned", "No": "active"}}
    # No column is a segment or a sign-up date: the draft says so instead of guessing, and a check of the
    # draft as it is fails naming both.
    assert "# segment:" in found.draft and "# signup_date:" in found.draft and "DECIDE" in found.draft
    draft = tmp_path / "telco.yml"
    draft.write_text(found.draft)
    with pytest.raises(MappingError, match=r"telco\.yml: required customers column\(s\) not mapped"):
        check(TELCO, str(draft))
    # The two edits the hand-written mapping made (dagster_project/mappings/telco_customer_churn.yml) load it.
    edited = yaml.safe_load(found.draft)
    edited["outputs"]["customers"]["columns"].update(
        segment="Contract",
        signup_date={"sql": "CAST(DATE '2020-01-31' - to_months(TRY_CAST(tenure AS INTEGER)) AS DATE)"},
    )
    draft.write_text(yaml.safe_dump(edited))
    name, (result,) = check(TELCO, str(draft))
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (7043, 7043, 0)


def test_a_vendor_export_is_matched_to_its_profile():
    for profile, path in (
        ("zendesk_tickets", VENDORS / "zendesk_tickets" / "export-2024-11-30.csv"),
        ("personio_employees", VENDORS / "personio_employees" / "employees.csv"),
    ):
        found = suggest(path)
        assert found.profile == profile and found.score >= 0.75
        assert f"name: {profile}" in found.draft


def test_a_draft_never_quotes_a_personal_column(tmp_path):
    # A code set is quoted in a map: proposal; e-mail addresses that landed in a code column (a shifted
    # export) would be quoted too if the column were not recognised as personal by its values.
    rows = ["Customer No,Customer Name,Segment,Status,Joined"]
    people = ["zoe.quasimodo@mail.example", "ulla.vexworth@mail.example", "tobias.krandle@mail.example"]
    for i in range(12):
        status = people[i % 3] if i < 9 else ("Active", "Cancelled", "Active")[i - 9]
        rows.append(f"C{i},{people[i % 3].split('@')[0]},Gold,{status},2024-01-{i + 1:02d}")
    path = tmp_path / "crm.csv"
    path.write_text("\n".join(rows) + "\n")
    found = suggest(path)
    assert found.entity == "customers"
    for person in people:
        assert person.split("@")[0] not in found.draft
    columns = _columns(found.draft, "customers")
    assert columns["customer_id"] == "Customer No" and columns["signup_date"] == "Joined"
    assert "may be personal data (no values shown)" in found.draft
    # The same column with codes only is offered as a code set; the code it cannot place is left to a person.
    codes = [f"C{i},someone,Gold,{('Active', 'Cancelled')[i % 2]},2024-01-{i + 1:02d}" for i in range(12)]
    path.write_text("\n".join([rows[0], *codes]) + "\n")
    draft = suggest(path).draft
    assert _columns(draft, "customers")["status"] == {"from": "Status", "map": {"Active": "active"}}
    assert "DECIDE: what the codes Cancelled mean" in draft


def test_a_day_first_or_month_first_date_is_left_to_a_person(tmp_path):
    path = tmp_path / "visits.csv"
    path.write_text("Ticket ID,Channel,Created\n1,email,03/04/2024\n2,chat,05/06/2024\n")
    found = suggest(path, entity="tickets")
    assert "DECIDE: the sample fits %d/%m/%Y and %m/%d/%Y" in found.draft
    assert _columns(found.draft, "tickets")["opened_at"] == {"from": "Created", "format": "%d/%m/%Y"}


def test_check_counts_quarantine_reasons_and_leaves_the_lake_alone(tmp_path, monkeypatch, capsys):
    home = tmp_path / "lake"
    monkeypatch.setenv("EMPATHY_LAKE_HOME", str(home))
    export = tmp_path / "reviews.csv"
    shutil.copyfile(VENDORS / "trustpilot_reviews" / "reviews.csv", export)
    text = export.read_text().replace(",5,AFSv2", ",9,AFSv2")  # a rating off the 1-5 scale
    export.write_text(text)
    assert main(["mapping", "check", str(export), "--mapping", "trustpilot_reviews"]) == 0
    out = capsys.readouterr().out
    assert "reviews: 4 rows read: 3 would load, 0 would be excluded, 1 would be quarantined" in out
    assert "quarantined: 1 × rating:" in out
    assert str(tmp_path) not in out and not home.exists()


def test_check_without_a_mapping_uses_the_matching_profile_and_says_when_none_matches(tmp_path):
    name, results = check(VENDORS / "google_business_reviews" / "reviews.csv")
    assert name == "google_business_reviews"
    assert [(r.entity, r.rows_loaded) for r in results] == [("reviews", 4)]
    assert "4 would load" in format_check(Path("reviews.csv"), name, results)
    with pytest.raises(MappingError, match="no vendor profile matches"):
        check(TELCO)


def test_mapping_use_writes_into_the_landing_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EMPATHY_LAKE_HOME", str(tmp_path))
    assert main(["mapping", "use", "hubspot_deals", "--files", "crm/deals/*.csv"]) == 0
    written = tmp_path / "landing" / "_mappings" / "hubspot_deals.yml"
    assert yaml.safe_load(written.read_text())["files"] == ["crm/deals/*.csv"]
    assert main(["mapping", "use", "hubspot_deals"]) == 1
    assert "already in the landing folder" in capsys.readouterr().out
    assert main(["mapping", "list"]) == 0
    assert "shopify_orders" in capsys.readouterr().out


def test_check_counts_line_items_as_records_and_exclusions_per_reason():
    path = VENDORS / "shopify_orders" / "orders_export_1.csv"
    name, results = check(path)
    text = format_check(path, name, results)
    assert "orders: 9 rows read: 7 would load (as 5 records), 2 would be excluded, 0 would be quarantined" in text
    assert "excluded: 2 × cancelled orders" in text


def test_an_hr_draft_offers_the_survey_items_as_a_commented_unpivot_output(tmp_path):
    export = REAL / "hris_ibm_attrition" / "WA_Fn-UseC_-HR-Employee-Attrition.csv"
    found = suggest(export)
    columns = _columns(found.draft, "employees")
    assert (found.entity, columns["employee_id"], columns["team"], columns["department"]) == (
        "employees",
        "EmployeeNumber",
        "Department",
        "Department",
    )
    assert "# hire_date:" in found.draft and "#  employee_responses:" in found.draft
    # A person keeps the five survey items, switches the output on and dates the snapshot, as the hand-written
    # mapping (dagster_project/mappings/ibm_hr_attrition.yml) does: 1,470 employees and 7,350 answers load.
    head, block = found.draft.split("#  employee_responses:")
    body = "\n".join(line[1:] for line in block.splitlines() if line.startswith("#    ") or line.startswith("#  "))
    draft = yaml.safe_load(head)
    draft["outputs"]["employee_responses"] = yaml.safe_load(body)
    items = [
        "JobSatisfaction",
        "EnvironmentSatisfaction",
        "RelationshipSatisfaction",
        "WorkLifeBalance",
        "JobInvolvement",
    ]
    draft["outputs"]["employee_responses"]["unpivot"]["columns"] = items
    draft["outputs"]["employee_responses"]["columns"]["responded_at"] = {"value": "2017-12-31"}
    draft["outputs"]["employees"]["columns"]["hire_date"] = {"value": "2017-12-31"}
    draft["outputs"]["employees"]["columns"].pop("termination_type")  # codes Yes/No: left to decide
    path = tmp_path / "ibm.yml"
    path.write_text(yaml.safe_dump(draft))
    _, results = check(export, str(path))
    assert sorted((r.entity, r.rows_loaded, r.rows_quarantined) for r in results) == [
        ("employee_responses", 7350, 0),
        ("employees", 1470, 0),
    ]


def test_a_score_on_another_scale_gets_a_rescale_to_decide(tmp_path):
    path = tmp_path / "reviews.csv"
    rows = ["Review ID,Stars out of ten,Review,Posted", "r1,9,Great,2024-03-01", "r2,3,Bad,2024-03-02"]
    path.write_text("\n".join([*rows, "r3,10,Superb,2024-03-03"]) + "\n")
    found = suggest(path)
    columns = _columns(found.draft, "reviews")
    assert found.entity == "reviews" and columns["reviewed_at"] == "Posted"
    assert columns["rating"] == {"from": "Stars out of ten", "rescale": {"from": [1, 10], "to": [1, 5]}}
    assert "DECIDE: is the source scale 1 to 10?" in found.draft


def test_windows_1252_text_past_the_start_of_a_file_is_still_detected(tmp_path):
    # The loader would reject the line as "not valid text in the file's encoding" if the draft said UTF-8.
    rows = ["id,comment,score", *(f"{i},fine,5" for i in range(6000)), "6000,café crème,4"]
    path = tmp_path / "late.csv"
    path.write_bytes(("\n".join(rows) + "\n").encode("cp1252"))
    draft = suggest(path, entity="customer_responses").draft
    assert "encoding: cp1252" in draft
    assert "6,001 filled of 6,001 rows" in draft


def test_a_person_column_feeding_an_id_is_proposed_as_a_keyed_hash(tmp_path):
    path = tmp_path / "helpdesk.csv"
    agents = ["Zoe Quasimodo", "Ulla Vexworth", "Tobias Krandle"]
    lines = [f"{i},{agents[i % 3]},c{i}@mail.example,2024-01-{i + 1:02d}" for i in range(12)]
    path.write_text("Ticket ID,Agent,Customer ID,Created\n" + "\n".join(lines) + "\n")  # e-mails as customer IDs
    found = suggest(path, entity="tickets")
    columns = _columns(found.draft, "tickets")
    assert columns["agent_id"] == {"sql": 'keyed_hash(trim("Agent"))'}
    assert columns["customer_id"] == {"sql": 'keyed_hash(lower(trim("Customer ID")))'}
    assert "not mapped" not in found.draft
    assert columns["ticket_id"] == "Ticket ID"
    assert not any(a in found.draft for a in agents)


@pytest.mark.parametrize("command", ["suggest", "check"])
def test_a_missing_file_or_a_folder_is_a_plain_message_not_a_traceback(tmp_path, capsys, command):
    assert main(["mapping", command, str(tmp_path)]) == 1
    assert main(["mapping", command, str(tmp_path / "missing.csv")]) == 1
    out = capsys.readouterr().out
    assert "is a folder, not a file" in out and "missing.csv: no such file" in out
    assert str(tmp_path) not in out and "Errno" not in out
