"""Great Expectations suites (expectations/*.json) run as blocking Dagster asset checks.

GX validates pandas frames read from DuckDB, not DuckDB through SQL: GX's SQL data source returns no
rows on DuckDB and every expectation errors (docs/data_checks.md, docs/stack_pitfalls.md #2).
"""
