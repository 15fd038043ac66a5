"""Empathy Lake pipeline: landing files -> DuckDB raw tables -> dbt marts -> checks -> published warehouse."""
