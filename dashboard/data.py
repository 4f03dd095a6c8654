"""Every query the dashboard runs: read-only, one short-lived connection per query, parameters bound.

The dashboard never opens the working warehouse: it reads the published copy, which a publish replaces by an
atomic rename — a query started before the swap finishes on the old file, the next one sees the new file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from planwatch.publish.published_copy import published_path
from planwatch.settings import get_settings


class NoPublishedData(Exception):
    pass


def published_file() -> Path:
    path = published_path(get_settings())
    if not path.exists():
        raise NoPublishedData(str(path))
    return path


def query(sql: str, params: list | None = None) -> pd.DataFrame:
    """Run one parameterised query on the published file and close the connection."""
    with duckdb.connect(str(published_file()), read_only=True) as con:
        return con.execute(sql, params or []).df()


# the current plan (dim_plan.is_current: the 14th plan for Jiangmen)
CURRENT_PLAN = "(select plan_code from marts.dim_plan where is_current)"
CURRENT_PLAN_REGION = "(select region_code from marts.dim_plan where is_current)"


def regions() -> pd.DataFrame:
    """The plan's region and the regions directly under it (Jiangmen and its 7 counties)."""
    return query("select region_code, name_zh, name_en, level from marts.dim_region "
                 f"where region_code = {CURRENT_PLAN_REGION} or parent_region_code = {CURRENT_PLAN_REGION} "
                 "order by region_code")


def plan_region() -> str:
    return str(query(f"select {CURRENT_PLAN_REGION} as region_code").region_code[0])


def plan_indicators() -> pd.DataFrame:
    return query(f"""
        select i.indicator_code, i.name_zh, i.name_en, i.unit, i.category, p.row_no
        from marts.dim_plan_indicator p join marts.dim_indicator i using (indicator_code)
        where p.plan_code = {CURRENT_PLAN} order by p.row_no
    """)


def scorecard(region_code: str) -> pd.DataFrame:
    """One row per 14th-plan indicator: its latest year with data (or its first plan year, shown as no data)."""
    return query("""
        select p.row_no, i.name_zh, i.name_en, i.category, i.unit, g.year, g.actual_value, g.measure_value,
               g.target_text, g.target_value, g.completion_text, g.completion_rate, g.progress_status,
               g.is_binding, g.measure_includes_synthetic as is_synthetic, g.required_yearly_pace,
               g.final_target_value, g.indicator_code
        from marts.fct_plan_progress g
        join marts.dim_indicator i on i.indicator_code = g.indicator_code
        join marts.dim_plan_indicator p on p.plan_code = g.plan_code and p.indicator_code = g.indicator_code
        where g.region_code = ?
        qualify row_number() over (partition by g.indicator_code
                                   order by g.is_latest_year_with_data desc, g.year) = 1
        order by p.row_no
    """, [region_code])


def progress_series(indicator_code: str, region_code: str) -> pd.DataFrame:
    return query("""
        select year, actual_value, measure_value, target_value, cumulative_actual, is_cumulative, completion_text,
               progress_status, required_yearly_pace, projected_final_value, final_target_value,
               actual_is_synthetic, target_text
        from marts.fct_plan_progress where indicator_code = ? and region_code = ? order by year
    """, [indicator_code, region_code])


def county_comparison(indicator_code: str, year: int, parent_region_code: str) -> pd.DataFrame:
    """The regions directly under one region (a city's counties), side by side."""
    return query("""
        select r.name_zh, r.name_en, g.actual_value, g.measure_value, g.completion_rate, g.progress_status,
               g.actual_is_synthetic
        from marts.fct_plan_progress g join marts.dim_region r using (region_code)
        where g.indicator_code = ? and g.year = ? and r.parent_region_code = ? order by r.region_code
    """, [indicator_code, year, parent_region_code])


def evaluation(plan_code: str, evaluation_kind: str | None = None) -> pd.DataFrame:
    sql = ("select evaluation, evaluation_year, name_zh, unit, target_text, actual_value, completion_text, "
           "printed_completion_text, is_met, attribute, data_basis, source_ref, indicator_code, target_code "
           "from marts.rpt_plan_evaluation where plan_code = ?")
    params = [plan_code]
    if evaluation_kind:
        sql += " and evaluation = ?"
        params.append(evaluation_kind)
    return query(sql + " order by evaluation, evaluation_year, source_ref", params)


def quality_results() -> pd.DataFrame:
    return query("select * from quality.quality_result order by validated_at desc, severity, success")


def provenance(indicator_code: str, region_code: str, year: int) -> pd.DataFrame:
    return query("""
        select vintage, is_latest, value, unit, status, is_synthetic, value_as_given, source_file, source_sheet,
               source_row, source_column, source_text, note, load_id, loaded_at
        from marts.fct_indicator_observation
        where indicator_code = ? and region_code = ? and year = ? order by vintage desc
    """, [indicator_code, region_code, year])
