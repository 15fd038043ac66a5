"""Landing files -> DuckDB raw tables, validated against the contract, with quarantine and a ledger."""
