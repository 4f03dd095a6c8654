"""The plan as it lands in DuckDB after a real `planwatch run`: every printed cell, row and text target."""

from __future__ import annotations

import re

import plan_document as doc
from conftest import planwatch_cli

YEARS = list(range(2020, 2026))


def test_run_reports_in_chinese_and_english(built_home):
    out = (built_home / "run_stdout.txt").read_text(encoding="utf-8")
    assert "完成：" in out and "Done:" in out
    # 专栏2 of the 14th plan (17 × 5 years), its 专栏1 for the 13th (14), the example 15th plan's table (13 × 5)
    assert re.search(r"(\d+) table targets", out).group(1) == str(17 * 5 + 14 + 13 * 5)


def test_marts_live_in_schema_marts_with_contract_types(warehouse):
    tables = {r[0] for r in warehouse.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}
    assert {"dim_indicator", "dim_region", "dim_year", "dim_plan", "fct_plan_target",
            "fct_plan_text_target", "dim_plan_indicator"} <= tables
    types = dict(warehouse.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'fct_plan_target'").fetchall())
    assert types["target_value"] == "DECIMAL(18,4)"
    assert types["year"] == "INTEGER"
    assert types["is_cumulative"] == "BOOLEAN"


def test_every_zl2_cell_is_in_the_warehouse_with_its_printed_text(warehouse):
    rows = {(r[0], r[1]): r[2:] for r in warehouse.execute("""
        select p.row_no, t.year, t.target_text, t.target_value, t.baseline_text, t.baseline_value
        from marts.fct_plan_target t
        join marts.dim_plan_indicator p using (plan_code, indicator_code)
        where t.plan_code = 'JM_HRSS_14' and t.region_code = '440700'
    """).fetchall()}
    assert len(rows) == 17 * 5
    for printed in doc.zl2_rows():
        for year, text in zip(YEARS, printed.cells):
            value, _, _ = doc.parse_printed_number(text)
            if year == 2020:
                target_text, target_value, baseline_text, baseline_value = rows[(printed.row_no, 2021)]
                assert re.sub(r"\s", "", baseline_text) == text and float(baseline_value) == value
            else:
                target_text, target_value, *_ = rows[(printed.row_no, year)]
                assert re.sub(r"\s", "", target_text) == text and float(target_value) == value


def test_every_zl1_row_is_in_the_warehouse(warehouse):
    rows = {r[0]: r[1:] for r in warehouse.execute("""
        select p.row_no, t.target_text, t.year
        from marts.fct_plan_target t
        join marts.dim_plan_indicator p using (plan_code, indicator_code)
        where t.plan_code = 'JM_HRSS_13'
    """).fetchall()}
    assert sorted(rows) == list(range(1, 15))
    for printed in doc.zl1_rows():
        assert rows[printed.row_no] == (printed.target, 2020)


def test_every_text_target_is_in_the_warehouse(warehouse, pack_seeds):
    stored = dict(warehouse.execute(
        "select target_code, source_phrase from marts.fct_plan_text_target").fetchall())
    assert stored == {r["target_code"]: r["source_phrase"] for r in pack_seeds["plan_text_targets"]}
    assert len(stored) == 59 + 13  # the 14th plan's and the example 15th's


def test_readme_query_2023_target_of_new_urban_jobs(warehouse):
    # the query printed in README.md
    row = warehouse.execute("""
        select t.target_value, t.target_text, t.unit, t.is_cumulative
        from marts.fct_plan_target t
        join marts.dim_indicator i using (indicator_code)
        where i.name_zh = '城镇新增就业人数' and t.year = 2023 and t.plan_code = 'JM_HRSS_14'
    """).fetchone()
    assert (float(row[0]), row[1], row[2], row[3]) == (12.0, "[12.0]", "万人", True)


def test_binding_indicators_follow_each_plan(warehouse):
    binding = warehouse.execute("""
        select plan_code, list(indicator_code order by indicator_code)
        from marts.dim_plan_indicator where is_binding group by plan_code order by plan_code
    """).fetchall()
    assert binding == [
        ("JM_HRSS_13", ["INJURY_INS_PARTICIPANTS", "INSPECTION_CLOSURE_RATE", "UNEMP_INS_PARTICIPANTS"]),
        ("JM_HRSS_14", ["INJURY_INS_PARTICIPANTS", "UNEMP_INS_PARTICIPANTS"]),
        # the example 15th plan makes the pension coverage rate binding
        ("JM_HRSS_15_EXAMPLE", ["INJURY_INS_PARTICIPANTS", "PENSION_INS_RATE", "UNEMP_INS_PARTICIPANTS"]),
    ]


def test_regions_and_years(warehouse):
    counties = warehouse.execute(
        "select list(name_zh order by region_code) from marts.dim_region where parent_region_code = '440700'"
    ).fetchone()[0]
    assert counties == ["蓬江区", "江海区", "新会区", "台山市", "开平市", "鹤山市", "恩平市"]
    assert warehouse.execute(
        "select plan_code, plan_year_index from marts.dim_year where year = 2023").fetchone() == ("JM_HRSS_14", 3)


def test_dagster_recorded_the_run(built_home):
    from dagster import DagsterInstance, DagsterRunStatus

    instance = DagsterInstance.from_config(str(built_home / "dagster"))
    runs = instance.get_runs()
    assert runs and runs[0].status == DagsterRunStatus.SUCCESS and runs[0].job_name == "planwatch_main"


def test_dbt_docs_generate(built_home):
    planwatch_cli("docs", home=built_home)
    target = built_home / "dbt" / "target"
    assert (target / "index.html").exists() and (target / "catalog.json").exists()


def test_help_is_bilingual(tmp_path):
    out = planwatch_cli("--help", home=tmp_path).stdout
    assert "五年规划" in out and "plan-monitoring" in out and "run" in out
