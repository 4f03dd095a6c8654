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


def query(sql: str, params: list | dict | None = None) -> pd.DataFrame:
    """Run one parameterised query on the published file and close the connection."""
    with duckdb.connect(str(published_file()), read_only=True) as con:
        return con.execute(sql, params or []).df()


def plans() -> pd.DataFrame:
    """Every monitored plan (current and being evaluated), the one pages open on first (dim_plan.is_default_view),
    then the newest."""
    return query("select plan_code, name_zh, name_en, status, start_year, end_year, is_example, is_default_view "
                 "from marts.dim_plan where is_monitored order by is_default_view desc, start_year desc")


def shown_plan() -> str:
    """The plan this reader's pages show: the one picked in the sidebar's plan switcher (session state, or the
    `plan` query parameter of a shared link), if it is a monitored plan of the published copy; else the default."""
    import streamlit as st

    known = plans()
    wanted = st.session_state.get("plan_code") or st.query_params.get("plan")
    if wanted in set(known.plan_code):
        return str(wanted)
    return str(known.plan_code[0])


# the plan shown and its region, as bound parameters of the queries below
PLAN = "$plan"
PLAN_REGION = "(select region_code from marts.dim_plan where plan_code = $plan)"


def current_release() -> tuple | None:
    """The published copy's release: number, when it was signed (naive UTC) and by whom (None before the first)."""
    try:
        rows = query("select release_no, approved_at, approved_by from review.release order by release_no desc limit 1")
    except (NoPublishedData, duckdb.CatalogException):
        return None
    return None if rows.empty else (int(rows.release_no[0]), rows.approved_at[0].to_pydatetime(), rows.approved_by[0])


def catalog_tables() -> pd.DataFrame:
    """The published copy's tables with their descriptions (the database's own comments)."""
    return query("select schema_name, table_name, comment from duckdb_tables() order by schema_name, table_name")


def catalog_columns(schema: str, table: str) -> pd.DataFrame:
    return query("select column_name, data_type, comment from duckdb_columns() where schema_name = ? and "
                 "table_name = ? order by column_index", [schema, table])


def regions() -> pd.DataFrame:
    """The plan's region and the regions directly under it (Jiangmen and its 7 counties)."""
    return query("select region_code, name_zh, name_en, level from marts.dim_region "
                 f"where region_code = {PLAN_REGION} or parent_region_code = {PLAN_REGION} "
                 "order by region_code", {"plan": shown_plan()})


def plan_region() -> str:
    return str(query(f"select {PLAN_REGION} as region_code", {"plan": shown_plan()}).region_code[0])


def plan_indicators() -> pd.DataFrame:
    return query(f"""
        select i.indicator_code, p.name_printed as name_zh, i.name_en, i.unit, i.category, i.direction, i.is_additive,
               p.row_no
        from marts.dim_plan_indicator p join marts.dim_indicator i using (indicator_code)
        where p.plan_code = {PLAN} order by p.row_no
    """, {"plan": shown_plan()})


def scorecard(region_code: str) -> pd.DataFrame:
    """One row per current-plan indicator: its latest year with data (or its first plan year, shown as no data),
    with what the screen needs to say it right — the direction (for the arrow), the previous year's own figure (for
    the change), whether the measure is a running total from the plan's first year, the value's status."""
    return query(f"""
        with progress as (
            select g.*, lag(g.actual_value) over (partition by g.indicator_code order by g.year) as previous_actual
            from marts.fct_plan_progress g
            where g.region_code = $region and g.plan_code = {PLAN}
        )
        select p.row_no, p.name_printed as name_zh, i.name_en, i.category, i.unit, i.direction, g.year, g.actual_value,
               g.measure_value, g.previous_actual, g.is_cumulative, d.start_year,
               g.target_text, g.target_value, g.completion_text, g.completion_rate, g.progress_status,
               g.is_binding, g.measure_includes_synthetic as is_synthetic, g.actual_status, g.required_yearly_pace,
               g.final_target_value, g.indicator_code
        from progress g
        join marts.dim_indicator i on i.indicator_code = g.indicator_code
        join marts.dim_plan_indicator p on p.plan_code = g.plan_code and p.indicator_code = g.indicator_code
        join marts.dim_plan d on d.plan_code = g.plan_code
        qualify row_number() over (partition by g.indicator_code
                                   order by g.is_latest_year_with_data desc, g.year) = 1
        order by p.row_no
    """, {"region": region_code, "plan": shown_plan()})


def progress_series(indicator_code: str, region_code: str) -> pd.DataFrame:
    return query(f"""
        select year, actual_value, measure_value, target_value, cumulative_actual, is_cumulative, completion_text,
               progress_status, required_yearly_pace, projected_final_value, final_target_value,
               actual_is_synthetic, actual_status, target_text
        from marts.fct_plan_progress where indicator_code = $indicator and region_code = $region and plan_code = {PLAN}
        order by year
    """, {"indicator": indicator_code, "region": region_code, "plan": shown_plan()})


def county_comparison(indicator_code: str, year: int, parent_region_code: str) -> pd.DataFrame:
    """The regions directly under one region (a city's counties), side by side."""
    return query(f"""
        select r.region_code, r.name_zh, r.name_en, g.actual_value, g.measure_value, g.completion_rate,
               g.progress_status, g.actual_is_synthetic, g.actual_status
        from marts.fct_plan_progress g join marts.dim_region r using (region_code)
        where g.indicator_code = $indicator and g.year = $year and r.parent_region_code = $parent
          and g.plan_code = {PLAN}
        order by r.region_code
    """, {"indicator": indicator_code, "year": year, "parent": parent_region_code, "plan": shown_plan()})


def county_matrix(year: int) -> pd.DataFrame:
    """Every current-plan indicator × the plan region and its counties in one year: the measure and its status
    (the page draws each county's share of the counties' sum from these measures)."""
    return query(f"""
        select p.row_no, g.indicator_code, p.name_printed as indicator_zh, i.name_en as indicator_en, i.unit,
               i.direction, i.is_additive, g.region_code, r.name_zh, r.name_en, g.is_county, g.measure_value,
               g.actual_status, g.measure_includes_synthetic as is_synthetic, g.progress_status, g.completion_text
        from marts.fct_plan_progress g
        join marts.dim_region r using (region_code)
        join marts.dim_indicator i on i.indicator_code = g.indicator_code
        join marts.dim_plan_indicator p on p.plan_code = g.plan_code and p.indicator_code = g.indicator_code
        where g.plan_code = {PLAN} and g.year = $year
          and (g.region_code = {PLAN_REGION} or r.parent_region_code = {PLAN_REGION})
        order by p.row_no, g.region_code
    """, {"year": year, "plan": shown_plan()})


def years_with_data() -> list[int]:
    return [int(y) for y in query(f"select distinct year from marts.fct_plan_progress where plan_code = {PLAN} "
                                  "and actual_value is not null order by year", {"plan": shown_plan()}).year]


def evaluation(plan_code: str, evaluation_kind: str | None = None) -> pd.DataFrame:
    sql = ("select evaluation, evaluation_year, name_zh, unit, target_text, actual_value, completion_text, "
           "printed_completion_text, is_met, attribute, data_basis, source_ref, indicator_code, target_code "
           "from marts.rpt_plan_evaluation where plan_code = ?")
    params = [plan_code]
    if evaluation_kind:
        sql += " and evaluation = ?"
        params.append(evaluation_kind)
    # rows in the plan's order: 专栏1 第2行 before 第10行 (numbers, not text)
    return query(sql + " order by evaluation, evaluation_year, "
                 "try_cast(regexp_extract(source_ref, '专栏(\\d+)', 1) as integer) nulls last, "
                 "try_cast(regexp_extract(source_ref, '第(\\d+)行', 1) as integer) nulls last, target_code, source_ref",
                 params)


def quality_results() -> pd.DataFrame:
    return query("select * from quality.quality_result order by validated_at desc, severity, success")


def provenance(indicator_code: str, region_code: str, year: int) -> pd.DataFrame:
    return query("""
        select vintage, is_latest, value, unit, status, is_synthetic, value_as_given, source_file, source_sheet,
               source_row, source_column, source_text, note, load_id, loaded_at
        from marts.fct_indicator_observation
        where indicator_code = ? and region_code = ? and year = ? order by vintage desc
    """, [indicator_code, region_code, year])
