"""Warehouses beyond the embedded DuckDB file (issue 9, in progress): PostgreSQL first."""
