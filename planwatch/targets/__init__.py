"""Where dbt builds, the gate validates and publishing happens: the embedded DuckDB file (default), a PostgreSQL
server or Spark — PLANWATCH_DBT_TARGET (planwatch/settings.py). Loads always run in the DuckDB working file;
`sync_raw` then hands them to the target."""

from __future__ import annotations

from planwatch.settings import Settings


def sync_raw(settings: Settings) -> list[str]:
    """Copy the loads the target does not have yet into its `raw` schema; returns the load ids copied (none on
    DuckDB, where the loads already are)."""
    if settings.target == "postgres":
        from planwatch.targets.postgres import sync_raw as sync_postgres

        return sync_postgres(settings)
    if settings.target == "spark":
        from planwatch.targets.spark import sync_raw as sync_spark

        return sync_spark(settings)
    return []
