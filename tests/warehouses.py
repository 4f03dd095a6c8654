"""Comparing the marts of two warehouses row for row (the same dbt project on DuckDB, PostgreSQL and Spark)."""

from __future__ import annotations

import decimal

MARTS = ["dim_indicator", "dim_plan", "dim_plan_indicator", "dim_region", "dim_year", "fct_indicator_observation",
         "fct_plan_progress", "fct_plan_target", "fct_plan_text_target", "rpt_plan_consistency", "rpt_plan_evaluation",
         "fct_submission", "fct_submission_issue", "fct_progress_assessment", "rpt_early_warning", "time_spine_daily",
         "rpt_plan_baseline_check"]
# empty for the bundled data (nothing quarantined or returned): compared all the same
MAY_BE_EMPTY = {"fct_submission_issue"}
# when a load ran (timestamps and an id made from one), not what it holds; how an engine fingerprints a row's inputs
# (DuckDB's hash(), md5 elsewhere: macros/incremental_progress.sql)
VOLATILE = {"loaded_at", "load_id", "received_at", "status_at", "supersedes", "superseded_by", "input_fingerprint"}
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


def assert_same_marts(other, duckdb_con) -> None:
    """Every mart of `other` (a DuckDB connection to another target's published copy) equals the DuckDB build's,
    row for row, and none is empty that should hold rows."""
    for mart in MARTS:
        select = mart_select(duckdb_con, mart)
        theirs = normalised(other.execute(select).fetchall())
        ours = normalised(duckdb_con.execute(select).fetchall())
        assert len(theirs) == len(ours) and (ours or mart in MAY_BE_EMPTY), mart
        assert theirs == ours, mart


def assert_spark_published_as_duckdb(home, built_home) -> None:
    """A Spark run's publication (`home`) against the DuckDB build (`built_home`): Parquet per mart and the quality
    history under spark/published (what Spark jobs and BI tools read), every mart of the published copy equal to
    DuckDB's, and the gate's history there — every check run on Spark, no error-level one failed."""
    import duckdb

    from expectations.suites import build_checks

    published = home / "spark" / "published"
    assert {p.name for p in published.iterdir()} == {*(f"marts.{m}" for m in MARTS), "quality.quality_result"}
    with duckdb.connect(str(home / "published" / "planwatch.duckdb"), read_only=True) as from_spark, \
            duckdb.connect(str(built_home / "warehouse" / "planwatch.duckdb"), read_only=True) as dd:
        assert_same_marts(from_spark, dd)
        n_results, n_failed_errors = from_spark.execute(
            "select count(*), count(*) filter (where severity = 'error' and not success) "
            "from quality.quality_result").fetchone()
        assert n_results == len(build_checks()) and n_failed_errors == 0


# The incremental progress models (macros/incremental_progress.sql) and a submission that touches each of their
# dependencies: a county's first plan year (its share of the city, so every year of its series), a later year (the
# running totals, the city's county sum), the city's rate, a county's own baseline year, the 15th plan's first year.
PROGRESS_MODELS = ("intermediate.int_plan_progress__judged", "intermediate.int_progress__assessed",
                   "marts.fct_plan_progress", "marts.fct_progress_assessment")
PROGRESS_REVISIONS = ("指标,地区,年份,数值,单位,状态\n"
                      "城镇新增就业人数,蓬江区,2021,0.95,万人,修订\n"
                      "城镇新增就业人数,江海区,2023,0.5,万人,修订\n"
                      "城镇登记失业率,江门市,2024,2.99,%,修订\n"
                      "社会保障卡持卡人数,蓬江区,2020,60,万人,最终\n"
                      "城镇新增就业人数,蓬江区,2026,1.11,万人,初步\n")
# a row of an indicator the revisions leave alone, and one they touch: an incremental build rewrites the second only
UNTOUCHED_ROW = "indicator_code = 'PENSION_INS_RATE' and region_code = '440700' and year = 2023"
TOUCHED_ROW = "indicator_code = 'URBAN_NEW_JOBS' and region_code = '440703' and year = 2022"
