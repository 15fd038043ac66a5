"""The mapping language's group_by / agg / exclude, runtime errors in mapping SQL, superseded keys and the
load bookkeeping they need (meta.load_report / ingestion_ledger / load_exclusions, the conservation check).

Real DuckDB files in tmp_path and the real loader; no pipeline run."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dagster_project.checks import conservation_problems
from dagster_project.contract import load_contract
from dagster_project.loading.loader import load_entity
from dagster_project.loading.mapping import MappingError, load_mapping
from tests import test_mapping

CONTRACT = load_contract()
lake = test_mapping.lake  # the same fixture: a landing folder and a build DuckDB file
ORDERS = CONTRACT.entity("orders")
CUSTOMERS = CONTRACT.entity("customers")

# A Shopify-like line-item export: one line per item, the order's fields repeated on every line.
SHOP_MAPPING = """
    name: shop_orders
    files: [shop/*.csv]
    outputs:
      orders:
        group_by: [Name]
        exclude:
          - reason: cancelled orders
            when: "\\"Cancelled at\\" <> ''"
          - reason: test orders
            when: "Email LIKE '%@test.invalid'"
        columns:
          order_id: Name
          customer_id: {from: Email, agg: first}
          ordered_at: {from: "Created at", agg: first, format: "%Y-%m-%d %H:%M:%S"}
          channel: {value: web}
          order_total:
            sql: "sum(TRY_CAST(\\"Lineitem price\\" AS DOUBLE) * TRY_CAST(\\"Lineitem quantity\\" AS INTEGER))"
          status: {from: Status, agg: last}
"""
SHOP_HEADER = "Name,Email,Created at,Cancelled at,Lineitem price,Lineitem quantity,Status\n"
SHOP_LINES = (
    "#1001,ann@example.com,2024-03-01 10:00:00,,10.00,2,returned\n"  # row 2: #1001 line 1
    "#1001,,,,5.50,1,completed\n"  # row 3: #1001 line 2 (empty e-mail and date: first non-empty is taken)
    "#1002,bob@example.com,2024-03-02 11:00:00,2024-03-03 09:00:00,99.00,1,\n"  # row 4: cancelled
    "#1003,cy@example.com,not a date,,4.00,3,returned\n"  # row 5: #1003 line 1, bad date -> quarantined
    "#1003,cy@example.com,,,1.00,1,returned\n"  # row 6: #1003 line 2
    "#1004,qa@test.invalid,2024-03-04 12:00:00,,1.00,1,returned\n"  # row 7: test order
    "#1005,dee@example.com,2024-03-05 08:30:00,,7.25,4,completed\n"  # row 8: one-line order
)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text) if path.suffix in {".yml", ".yaml"} else text, encoding="utf-8")
    return path


def _load(con, landing: Path, entity=ORDERS, load_id: str = "run"):
    return load_entity(con, entity, landing, load_id, "key", log=lambda _: None)


def test_line_items_group_into_orders_and_every_line_is_accounted_for(lake):
    landing, con = lake
    _write(landing / "_mappings" / "shop.yml", SHOP_MAPPING)
    _write(landing / "shop" / "orders.csv", SHOP_HEADER + SHOP_LINES)
    summary = _load(con, landing)
    [outcome] = summary.files
    # 7 lines = 3 in loaded orders (#1001 x2, #1005) + 2 in the quarantined #1003 + 2 excluded (#1002, #1004)
    assert (outcome.rows_read, outcome.rows_loaded, outcome.rows_quarantined, outcome.rows_excluded) == (7, 3, 2, 2)
    assert outcome.records_loaded == 2
    orders = con.execute(
        "SELECT order_id, ordered_at::VARCHAR, order_total, status, _source_row FROM raw_crm.orders ORDER BY 1"
    ).fetchall()
    assert orders == [
        ("#1001", "2024-03-01 10:00:00", 25.5, "completed", 2),  # 10*2 + 5.5; last status; its first line
        ("#1005", "2024-03-05 08:30:00", 29.0, "completed", 8),
    ]
    # The quarantined order names its first line and the lines it groups; the reason never quotes a value.
    assert con.execute("SELECT source_row, source_lines, reason FROM meta.quarantine").fetchall() == [
        (5, 2, "ordered_at: missing required value")
    ]
    exclusions = con.execute("SELECT reason, rows FROM meta.load_exclusions ORDER BY reason").fetchall()
    assert exclusions == [("cancelled orders", 1), ("test orders", 1)]
    report = con.execute(
        "SELECT rows_read, rows_loaded, rows_quarantined, rows_excluded, rows_superseded, records_loaded "
        "FROM meta.load_report"
    ).fetchall()
    assert report == [(7, 3, 2, 2, 0, 2)]
    assert conservation_problems(con, ORDERS) == []


def test_sum_over_a_line_that_is_not_a_number_quarantines_the_order(lake):
    landing, con = lake
    _write(
        landing / "_mappings" / "shop.yml",
        SHOP_MAPPING.replace(
            "order_total:\n", 'order_total: {from: "Lineitem price", agg: sum}\n          refund_amount:\n'
        ),
    )
    _write(
        landing / "shop" / "orders.csv",
        SHOP_HEADER
        + "#1,a@example.com,2024-03-01 10:00:00,,10,1,completed\n#1,,,,ten,1,completed\n"
        + "#2,b@example.com,2024-03-01 10:00:00,,3,1,completed\n#2,,,,4,1,completed\n",
    )
    summary = _load(con, landing)
    assert (summary.rows_read, summary.rows_loaded, summary.rows_quarantined) == (4, 2, 2)
    assert con.execute("SELECT order_id, order_total FROM raw_crm.orders").fetchall() == [("#2", 7.0)]
    assert con.execute("SELECT reason FROM meta.quarantine").fetchone()[0] == "order_total: not a valid double"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("status: {from: Status, agg: last}", "status: Status"), "'Status' is not a group_by column"),
        (
            ("status: {from: Status, agg: last}", 'status: {sql: "upper(Status)"}'),
            "column 'Status' is used outside an aggregate but is not a group_by column",
        ),
        (("agg: last", "agg: median"), "agg: 'median' is not one of first, last"),
        (("        group_by: [Name]\n", ""), "agg: needs group_by"),
        (("- reason: test orders\n", "- reasn: test orders\n"), "needs exactly reason:"),
        (('when: "Email LIKE', "when: \"read_csv('x') LIKE"), "not allowed"),
        (("        exclude:\n", "        exclude_rows:\n"), "orders has unknown key(s) ['exclude_rows']"),
    ],
    ids=[
        "bare-column",
        "sql-bare-column",
        "unknown-agg",
        "agg-without-group-by",
        "bad-exclude",
        "exclude-sandbox",
        "misspelt",
    ],
)
def test_group_by_and_exclude_mistakes_are_mapping_errors_naming_the_column(lake, change, message):
    landing, _ = lake
    old, new = change
    assert old in SHOP_MAPPING
    path = _write(landing / "_mappings" / "broken.yml", SHOP_MAPPING.replace(old, new))
    with pytest.raises(MappingError) as err:
        load_mapping(path)
    assert "broken.yml" in str(err.value) and message in str(err.value)


def test_aggregates_are_allowed_only_under_group_by(lake):
    landing, _ = lake
    text = SHOP_MAPPING.replace("        group_by: [Name]\n", "").replace("{from: Email, agg: first}", "Email")
    text = text.replace('{from: "Created at", agg: first, format:', '{from: "Created at", format:')
    text = text.replace("{from: Status, agg: last}", "Status")
    path = _write(landing / "_mappings" / "broken.yml", text)
    with pytest.raises(MappingError, match=r"sum\(\) is allowed only as a window function"):
        load_mapping(path)


RUNTIME_MAPPING = """
    name: shop_reviews
    files: [reviews/*.csv]
    outputs:
      reviews:
        exclude:
          - reason: internal reviews
            when: "Source = 'internal'"
        columns:
          review_id: Id
          platform: Source
          rating: Stars
          reviewed_at: {value: "2024-01-01"}
"""


@pytest.mark.parametrize(
    ("old", "new", "names", "kind"),
    [
        ("rating: Stars", 'rating: {sql: "CAST(Stars AS INTEGER)"}', "column rating", "could not be converted"),
        (
            'reviewed_at: {value: "2024-01-01"}',
            "reviewed_at: {sql: \"strptime(Id, '%Q')\"}",
            "column reviewed_at",
            "a strptime format",
        ),
        ("rating: Stars", 'rating: {sql: "TRY_CAST(Stars AS INTEGER) // 0 + 1"}', "column rating", "division by zero"),
        (
            "when: \"Source = 'internal'\"",
            'when: "CAST(Stars AS INTEGER) > 100"',
            'the exclude: rule "internal reviews"',
            "could not be converted",
        ),
    ],
    ids=["bad-cast", "bad-strptime-format", "integer-division-by-zero", "bad-cast-in-exclude"],
)
def test_a_runtime_error_in_mapping_sql_fails_that_file_naming_mapping_output_spec_and_file(
    lake, old, new, names, kind
):
    landing, con = lake
    assert old in RUNTIME_MAPPING
    _write(landing / "_mappings" / "reviews.yml", RUNTIME_MAPPING.replace(old, new))
    _write(landing / "reviews" / "a_bad.csv", "Id,Source,Stars\nR1,web,secret-value\nR2,web,4\n")
    _write(landing / "reviews" / "b_good.csv", "Id,Source,Stars\nR3,web,5\n")
    summary = _load(con, landing, CONTRACT.entity("reviews"))
    statuses = {f.source_file: f.status for f in summary.files}
    report = dict(con.execute("SELECT source_file, message FROM meta.load_report WHERE status = 'failed'").fetchall())
    if "//" in new or "strptime" in new:  # these fail on every file: the other file fails the same way
        assert statuses == {"reviews/a_bad.csv": "failed", "reviews/b_good.csv": "failed"}
    else:
        assert statuses == {"reviews/a_bad.csv": "failed", "reviews/b_good.csv": "loaded"}
        assert con.execute("SELECT review_id FROM raw_brand.reviews").fetchall() == [("R3",)]
    message = report["reviews/a_bad.csv"]
    assert "reviews/a_bad.csv" in message and "mapping 'shop_reviews'" in message and "output reviews" in message
    assert names in message and kind in message
    assert "secret-value" not in message and "Exception" not in message


def test_error_is_not_a_function_a_mapping_may_call(lake):
    landing, _ = lake
    path = _write(
        landing / "_mappings" / "reviews.yml",
        RUNTIME_MAPPING.replace("rating: Stars", "rating: {sql: \"error('stop')\"}"),
    )
    with pytest.raises(MappingError, match=r"function error\(\) is not allowed"):
        load_mapping(path)


def _customers(rows: list[str]) -> str:
    header = "customer_id,customer_name,email,segment,region,location,channel,signup_date,status,churn_date\n"
    return header + "".join(f"{r},,,SMB,North,Leeds,web,2024-01-05,{s},\n" for r, s in rows)


def test_a_key_seen_again_in_a_later_file_replaces_the_earlier_row_and_re_runs_add_nothing(lake):
    landing, con = lake
    _write(landing / "customers" / "2024-01-01.csv", _customers([("C1", "active"), ("C2", "active")]))
    _write(landing / "customers" / "2024-02-01.csv", _customers([("C2", "churned"), ("C3", "active")]))
    first = _load(con, landing, CUSTOMERS, "run1")
    assert [(f.rows_loaded, f.rows_superseded) for f in first.files] == [(2, 0), (2, 1)]
    rows = con.execute("SELECT customer_id, status, _source_file FROM raw_crm.customers ORDER BY 1").fetchall()
    assert rows == [
        ("C1", "active", "customers/2024-01-01.csv"),
        ("C2", "churned", "customers/2024-02-01.csv"),
        ("C3", "active", "customers/2024-02-01.csv"),
    ]
    message = con.execute("SELECT message FROM meta.load_report WHERE rows_superseded = 1").fetchone()[0]
    assert "customers/2024-01-01.csv" in message
    assert conservation_problems(con, CUSTOMERS) == []

    again = _load(con, landing, CUSTOMERS, "run2")
    assert [f.status for f in again.files] == ["skipped_unchanged"] * 2
    assert con.execute("SELECT count(*) FROM raw_crm.customers").fetchone()[0] == 3

    # A third file later in the loader's order supersedes again; the earlier files' ledgers say so.
    _write(landing / "customers" / "2024-03-01.csv", _customers([("C1", "churned"), ("C2", "active")]))
    third = _load(con, landing, CUSTOMERS, "run3")
    assert [(f.source_file, f.rows_superseded) for f in third.files if f.status == "loaded"] == [
        ("customers/2024-03-01.csv", 2)
    ]
    assert con.execute("SELECT count(*) FROM raw_crm.customers").fetchone()[0] == 3
    replaced = con.execute("SELECT source_file, records_replaced FROM meta.ingestion_ledger ORDER BY 1").fetchall()
    assert replaced == [
        ("customers/2024-01-01.csv", 2),
        ("customers/2024-02-01.csv", 1),
        ("customers/2024-03-01.csv", 0),
    ]
    assert conservation_problems(con, CUSTOMERS) == []


def _raw(con):
    return con.execute("SELECT customer_id, status, _source_file FROM raw_crm.customers ORDER BY 1").fetchall()


def test_the_latest_file_in_path_order_wins_whatever_the_load_order_and_losing_rows_are_kept(lake):
    landing, con = lake
    early, late = landing / "customers" / "2023.csv", landing / "customers" / "2024.csv"
    _write(early, _customers([("C1", "active"), ("C2", "active")]))
    _write(late, _customers([("C1", "churned")]))
    _load(con, landing, CUSTOMERS, "run1")
    # A typo fixed in the EARLIER file reloads it: the later file's row for C1 still wins.
    _write(early, _customers([("C1", "active"), ("C2", "churned")]))
    again = _load(con, landing, CUSTOMERS, "run2")
    assert [(f.source_file, f.rows_superseded) for f in again.files if f.status == "loaded"] == [
        ("customers/2023.csv", 0)
    ]
    assert _raw(con) == [
        ("C1", "churned", "customers/2024.csv"),
        ("C2", "churned", "customers/2023.csv"),
    ]
    kept = con.execute("SELECT customer_id, status, _source_file FROM raw_crm.customers__superseded").fetchall()
    assert kept == [("C1", "active", "customers/2023.csv")]
    assert conservation_problems(con, CUSTOMERS) == []
    # The later file no longer holds C1: the earlier file's row comes back, nothing is lost.
    _write(late, _customers([("C3", "active")]))
    third = _load(con, landing, CUSTOMERS, "run3")
    assert _raw(con) == [
        ("C1", "active", "customers/2023.csv"),
        ("C2", "churned", "customers/2023.csv"),
        ("C3", "active", "customers/2024.csv"),
    ]
    assert "brought back" in next(f.message for f in third.files if f.status == "loaded")
    assert con.execute("SELECT count(*) FROM raw_crm.customers__superseded").fetchone()[0] == 0
    assert conservation_problems(con, CUSTOMERS) == []
    # Re-runs add nothing; a kept row deleted by hand is caught.
    assert {f.status for f in _load(con, landing, CUSTOMERS, "run4").files} == {"skipped_unchanged"}
    _write(late, _customers([("C1", "churned")]))
    _load(con, landing, CUSTOMERS, "run5")
    assert conservation_problems(con, CUSTOMERS) == []
    con.execute("DELETE FROM raw_crm.customers__superseded")
    assert [p[0] for p in conservation_problems(con, CUSTOMERS)] == ["customers/2023.csv"]


OLD_META = [
    """CREATE TABLE meta.ingestion_ledger (
        entity VARCHAR, source_file VARCHAR, fingerprint VARCHAR, mapping VARCHAR,
        rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT,
        load_id VARCHAR, loaded_at TIMESTAMP, PRIMARY KEY (entity, source_file))""",
    """CREATE TABLE meta.load_report (
        load_id VARCHAR, entity VARCHAR, source_file VARCHAR, mapping VARCHAR, status VARCHAR,
        rows_read BIGINT, rows_loaded BIGINT, rows_quarantined BIGINT, message VARCHAR, loaded_at TIMESTAMP)""",
    """CREATE TABLE meta.quarantine (
        load_id VARCHAR, entity VARCHAR, source_file VARCHAR, source_row BIGINT, column_name VARCHAR,
        reason VARCHAR, record VARCHAR, quarantined_at TIMESTAMP)""",
]


def test_a_lake_built_before_these_counts_keeps_working(lake):
    landing, con = lake
    # The lake as an earlier version left it: one file loaded (2 rows + 1 quarantined), old table shapes.
    con.execute("CREATE SCHEMA meta")
    for ddl in OLD_META:
        con.execute(ddl)
    con.execute("CREATE SCHEMA raw_crm")
    columns = ", ".join(f'"{c.name}" {c.duckdb_type}' for c in CUSTOMERS.columns)
    con.execute(
        f"CREATE TABLE raw_crm.customers ({columns}, _source_file VARCHAR, _source_row BIGINT, _load_id VARCHAR, "
        "_loaded_at TIMESTAMP)"
    )
    con.execute(
        "INSERT INTO raw_crm.customers (customer_id, segment, signup_date, _source_file) VALUES "
        "('C1', 'SMB', DATE '2024-01-05', 'customers/old.csv'), ('C2', 'SMB', DATE '2024-01-05', 'customers/old.csv')"
    )
    old = "'customers/old.csv'"
    con.execute(f"INSERT INTO meta.ingestion_ledger VALUES ('customers', {old}, 'x', 'identity', 3, 2, 1, 'r0', now())")
    con.execute(
        f"INSERT INTO meta.load_report VALUES ('r0', 'customers', {old}, 'identity', 'loaded', 3, 2, 1, '', now())"
    )
    con.execute(
        f"INSERT INTO meta.quarantine VALUES ('r0', 'customers', {old}, 4, 'segment', "
        "'segment: missing required value', NULL, now())"
    )

    # Later in path order than old.csv, so its C2 wins.
    _write(landing / "customers" / "recent.csv", _customers([("C2", "churned"), ("C9", "active")]))
    summary = _load(con, landing, CUSTOMERS, "run1")
    assert [(f.status, f.rows_superseded) for f in summary.files] == [("loaded", 1)]
    old_report = con.execute(
        "SELECT rows_excluded, rows_superseded, records_loaded FROM meta.load_report WHERE load_id = 'r0'"
    ).fetchone()
    assert old_report == (0, 0, 2)
    assert con.execute("SELECT source_lines FROM meta.quarantine").fetchall() == [(1,)]
    assert conservation_problems(con, CUSTOMERS) == []


# Each plant breaks one side of conservation; its undo restores the loaded state.
PLANTS = [
    (
        "DELETE FROM meta.load_exclusions WHERE reason = 'test orders'",
        "INSERT INTO meta.load_exclusions VALUES ('run', 'orders', 'shop/orders.csv', 'test orders', 1)",
    ),
    (
        "UPDATE meta.ingestion_ledger SET rows_read = rows_read + 1",
        "UPDATE meta.ingestion_ledger SET rows_read = rows_read - 1",
    ),
    (
        "UPDATE raw_crm.orders SET _source_file = 'elsewhere.csv'",
        "UPDATE raw_crm.orders SET _source_file = 'shop/orders.csv'",
    ),
    ("UPDATE meta.quarantine SET source_lines = 1", "UPDATE meta.quarantine SET source_lines = 2"),
    (
        "UPDATE meta.ingestion_ledger SET records_replaced = 1",
        "UPDATE meta.ingestion_ledger SET records_replaced = 0",
    ),
]


def test_conservation_fails_on_each_planted_inconsistency(lake):
    landing, con = lake
    _write(landing / "_mappings" / "shop.yml", SHOP_MAPPING)
    _write(landing / "shop" / "orders.csv", SHOP_HEADER + SHOP_LINES)
    _load(con, landing)
    assert conservation_problems(con, ORDERS) == []
    for plant, undo in PLANTS:
        con.execute(plant)
        problems = conservation_problems(con, ORDERS)
        assert [p[0] for p in problems] == ["shop/orders.csv"], plant
        con.execute(undo)
        assert conservation_problems(con, ORDERS) == [], undo


def test_a_window_function_in_a_derived_column_sees_the_rows_kept_after_exclusion(lake):
    landing, con = lake
    window = "platform: {sql: \"Source || '-' || count(*) OVER (PARTITION BY Source)\"}"
    _write(landing / "_mappings" / "reviews.yml", RUNTIME_MAPPING.replace("platform: Source", window))
    _write(landing / "reviews" / "a.csv", "Id,Source,Stars\nR1,web,4\nR2,internal,5\nR3,web,3\nR4,internal,1\n")
    summary = _load(con, landing, CONTRACT.entity("reviews"))
    assert (summary.rows_read, summary.rows_loaded, summary.rows_excluded) == (4, 2, 2)
    assert con.execute("SELECT DISTINCT platform FROM raw_brand.reviews").fetchall() == [("web-2",)]


def test_the_run_line_of_the_load_counts_excluded_and_replaced_rows_only_when_there_are_some():
    from dagster_project.run_output import StageState, describe_stage

    counts = {"files_loaded": 2, "files_unchanged": 1, "rows_loaded": 6, "rows_quarantined": 2}
    plain = describe_stage("load", StageState(total=1, counts=dict(counts)))
    assert "excluded" not in plain and "replaced" not in plain
    both = describe_stage("load", StageState(total=1, counts={**counts, "rows_excluded": 2, "rows_superseded": 3}))
    assert "6 rows in, 2 quarantined, 2 excluded by mappings, 3 earlier rows replaced" in both


def test_first_and_last_in_a_grouped_sql_expression_follow_file_order_and_skip_empty_lines(lake):
    from dagster_project.loading.sandbox import check_expression

    compiled = check_expression("coalesce(first(Email), last(Name))", "t", group_by=("Name",)).sql
    assert compiled.count("ORDER BY _source_row") == 2 and compiled.count("FILTER") == 2
    windowed = check_expression("first(Email) OVER (PARTITION BY Name)", "t").sql
    assert "_source_row" not in windowed  # a window keeps the order it states
    landing, con = lake
    _write(
        landing / "_mappings" / "shop.yml",
        SHOP_MAPPING.replace("{from: Email, agg: first}", '{sql: "first(Email)"}'),
    )
    # #1001's first line has no e-mail (Shopify fills order fields on one line only): the first non-empty wins.
    lines = "#1001,,2024-03-01 10:00:00,,5.50,1,completed\n#1001,ann@example.com,,,10.00,2,returned\n"
    _write(landing / "shop" / "orders.csv", SHOP_HEADER + lines)
    _load(con, landing)
    assert con.execute("SELECT customer_id FROM raw_crm.orders").fetchall() == [("ann@example.com",)]


def test_a_file_two_mappings_claim_for_one_entity_fails_once_instead_of_loading_twice(lake):
    landing, con = lake
    _write(landing / "_mappings" / "shop.yml", SHOP_MAPPING)
    _write(landing / "_mappings" / "shop2.yml", SHOP_MAPPING.replace("name: shop_orders", "name: shop_orders_2"))
    _write(landing / "shop" / "orders.csv", SHOP_HEADER + SHOP_LINES)
    for run in ("run1", "run2"):
        summary = _load(con, landing, load_id=run)
        assert [(f.source_file, f.status) for f in summary.files] == [("shop/orders.csv", "failed")]
        assert "shop_orders, shop_orders_2" in summary.files[0].message
    assert con.execute("SELECT count(*) FROM meta.ingestion_ledger").fetchone()[0] == 0


def test_a_lake_whose_superseded_rows_were_deleted_before_they_were_kept_stays_conserved(lake):
    landing, con = lake
    _write(landing / "customers" / "2024-01-01.csv", _customers([("C1", "active"), ("C2", "active")]))
    _write(landing / "customers" / "2024-02-01.csv", _customers([("C2", "churned")]))
    _load(con, landing, CUSTOMERS, "run1")
    # As the loader before kept superseded rows left it: the replaced row deleted, counted in records_replaced.
    con.execute("DROP TABLE raw_crm.customers__superseded")
    con.execute("ALTER TABLE meta.ingestion_ledger DROP COLUMN records_dropped")
    _write(landing / "customers" / "2024-03-01.csv", _customers([("C1", "churned")]))
    _load(con, landing, CUSTOMERS, "run2")
    assert conservation_problems(con, CUSTOMERS) == []
    replaced = con.execute("SELECT source_file, records_replaced FROM meta.ingestion_ledger ORDER BY 1").fetchall()
    assert [n for _, n in replaced] == [2, 0, 0]
