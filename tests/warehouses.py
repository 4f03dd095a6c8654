"""Comparing the marts of two warehouses row for row (the same dbt project on DuckDB, PostgreSQL and Spark)."""

from __future__ import annotations

import decimal

MARTS = ["dim_indicator", "dim_plan", "dim_plan_indicator", "dim_region", "dim_year", "fct_indicator_observation",
         "fct_plan_progress", "fct_plan_target", "fct_plan_text_target", "rpt_plan_consistency", "rpt_plan_evaluation",
         "fct_submission", "fct_submission_issue", "fct_progress_assessment", "rpt_early_warning", "time_spine_daily",
         "rpt_plan_baseline_check"]
# empty for the bundled data (nothing quarantined or returned): compared all the same
MAY_BE_EMPTY = {"fct_submission_issue"}
# when a load ran (timestamps and an id made from one), not what it holds
VOLATILE = {"loaded_at", "load_id", "received_at", "status_at", "supersedes", "superseded_by"}
# where a submission's history has got to — `published` once a release carried it — depends on how many runs a
# home has seen, not on the engine
VOLATILE_IN = {"fct_submission": {"status", "status_zh", "note_zh", "note_en"}}


def normalised(rows: list[tuple]) -> list[tuple]:
    """Rows in a fixed order, decimals compared by value (decimal(24,6) 1.500000 equals 1.5)."""
    def value(v):
        if isinstance(v, (decimal.Decimal, float)):
            return round(decimal.Decimal(str(v)), 6).normalize()
        return v
    return sorted((tuple(value(v) for v in row) for row in rows), key=repr)


def mart_select(duckdb_con, mart: str) -> str:
    """`select <every stable column> from marts.<mart>`, the columns as the DuckDB build has them."""
    columns = [r[0] for r in duckdb_con.execute(
        "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
        "order by column_index", [mart]).fetchall() if r[0] not in VOLATILE | VOLATILE_IN.get(mart, set())]
    return f"select {', '.join(columns)} from marts.{mart}"
