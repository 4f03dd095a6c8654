"""What a report says, read from the published copy only (never the working file): one query per part.

A report is (kind, year, region): `annual` — the year's monitoring report (年度监测报告); `mid_term` — the mid-term
evaluation (中期评估, the year it judges, 2023 for 2021–2025); `final` — the final evaluation (总结评估, the plan's
last year). Every number comes from a published mart (fct_plan_progress, fct_progress_assessment,
rpt_early_warning, fct_indicator_observation) and the release log; nothing is recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
from planwatch.messages import Problem

KINDS = ("annual", "mid_term", "final")
TITLES = {"annual": ("年度监测报告", "annual monitoring report"), "mid_term": ("中期评估报告", "mid-term evaluation"),
          "final": ("总结评估报告", "final evaluation")}
CATEGORY_ORDER = ("achieved_early", "achieved", "ahead", "in_line", "behind", "not_assessed")


class ReportProblem(Problem):
    """The report cannot be written as asked (no published copy, a region or year the plan does not have)."""


@dataclass
class IndicatorRow:
    indicator_code: str
    category: str          # 类别 (就业, 社会保障 …)
    name_zh: str
    name_en: str
    unit: str
    attribute: str         # 约束性 / 预期性
    is_binding: bool
    target_kind: str
    baseline_value: float | None
    target_text: str | None
    final_target_value: float | None
    measure_value: float | None    # the running total for cumulative targets, else the year's value
    actual_value: float | None
    actual_status: str | None
    is_synthetic: bool
    completion_rate: float | None
    completion_text: str | None
    progress_share: float | None
    time_elapsed_share: float | None
    category_code: str
    category_zh: str
    category_en: str
    open_sdg_zh: str | None
    un_sdg_zh: str | None
    methods_disagree: bool
    projected_final_value: float | None
    projected_meets_final_target: bool | None
    required_yearly_pace: float | None
    is_cumulative: bool
    series: list[tuple[int, float | None]] = field(default_factory=list)  # (year, measure) from the baseline year


@dataclass
class ReportData:
    kind: str
    year: int
    region_code: str
    region_zh: str
    region_en: str
    is_plan_region: bool
    plan_code: str
    plan_zh: str
    plan_en: str
    start_year: int
    end_year: int
    release_no: int | None
    released_at: datetime | None
    rows: list[IndicatorRow]
    warnings: list[tuple[str, str]]                 # (zh, en), binding first
    counties: dict[str, list[tuple[str, float | None, bool]]]  # additive indicator → [(county, value, synthetic)]
    county_names: dict[str, str]
    quality_warnings: list[tuple[str, str]]         # (title, description) of the last gate's failed warnings
    open_queries: list[tuple[str, str]]             # (zh, en)
    published_file: Path


def _one(con, sql: str, params):
    return con.execute(sql, params).fetchone()


def read_report_data(published: Path, kind: str, year: int | None, region: str | None,
                     plan: str | None = None) -> ReportData:
    """The report of one plan (its code; default: the plan pages open on, dim_plan.is_default_view)."""
    if kind not in KINDS:
        raise ReportProblem(f"报告类型应为 {' / '.join(KINDS)}", f"the report kind must be one of {', '.join(KINDS)}")
    if not published.exists():
        raise ReportProblem("还没有已发布的数据：请先运行 planwatch run", "nothing is published yet: run `planwatch run` first")
    with duckdb.connect(str(published), read_only=True) as con:
        columns = "plan_code, name_zh, name_en, start_year, end_year, region_code, is_monitored"
        found = (_one(con, f"select {columns} from marts.dim_plan where plan_code = upper($p)", {"p": plan}) if plan
                 else _one(con, f"select {columns} from marts.dim_plan where is_default_view", []))
        if found is None:
            codes = ", ".join(r[0] for r in con.execute("select plan_code from marts.dim_plan order by start_year")
                              .fetchall())
            raise ReportProblem(f"没有规划 {plan}（已有：{codes}）", f"no plan {plan} (there are: {codes})")
        plan_code, plan_zh, plan_en, start_year, end_year, plan_region, monitored = found
        if not monitored:
            raise ReportProblem(f"{plan_code} 已是历史规划，不再监测：它的评估见十三五回顾页面",
                                f"{plan_code} is history and no longer monitored: its evaluation is on the review page")
        if year is None:
            year = {"final": end_year, "mid_term": start_year + (end_year - start_year) // 2}.get(kind) or _one(
                con, "select max(year) from marts.fct_plan_progress where plan_code = ? and actual_value is not null",
                [plan_code])[0] or start_year  # a plan with no value yet: its first year's monitoring
        if not start_year <= year <= end_year:
            raise ReportProblem(f"{year} 年不在规划期 {start_year}–{end_year} 内",
                                f"{year} is outside the plan period {start_year}–{end_year}")
        region_row = _one(con, "select region_code, name_zh, name_en from marts.dim_region where region_code = $r "
                               "or name_zh = $r or lower(name_en) = lower($r)", {"r": region}) \
            if region else _one(con, "select region_code, name_zh, name_en from marts.dim_region where region_code = ?",
                                [plan_region])
        if region_row is None or not _one(con, "select count(*) from marts.fct_plan_progress where region_code = ?",
                                          [region_row[0]])[0]:
            raise ReportProblem(f"地区“{region}”不是本规划的地区", f"region {region!r} is not a region of this plan")
        region_code, region_zh, region_en = region_row
        release = _one(con, "select release_no, approved_at from review.release order by release_no desc limit 1", []) \
            if _one(con, "select count(*) from information_schema.tables where table_schema = 'review' "
                         "and table_name = 'release'", [])[0] else None
        rows = _indicator_rows(con, plan_code, region_code, year, start_year)
        warnings = con.execute("select warning_zh, warning_en from marts.rpt_early_warning where region_code = ? "
                               "order by priority, indicator_code", [region_code]).fetchall()
        counties, county_names = {}, {}
        if region_code == plan_region:
            for code, name in con.execute("select region_code, name_zh from marts.dim_region "
                                          "where parent_region_code = ? order by region_code", [plan_region]).fetchall():
                county_names[code] = name
            for indicator_code, county, value, synthetic in con.execute("""
                    select p.indicator_code, p.region_code, p.measure_value, p.measure_includes_synthetic
                    from marts.fct_plan_progress p join marts.dim_indicator i using (indicator_code)
                    join marts.dim_region r on r.region_code = p.region_code
                    where p.year = ? and i.is_additive and r.parent_region_code = ?
                    order by p.indicator_code, p.region_code""", [year, plan_region]).fetchall():
                counties.setdefault(indicator_code, []).append((county, _f(value), bool(synthetic)))
        gate = con.execute("""
            select coalesce(title_zh, check_name), description from quality.quality_result
            where run_id = (select run_id from quality.quality_result order by validated_at desc limit 1)
              and not success and severity = 'warning' order by check_name""").fetchall()
        queries = con.execute("select detail_zh, detail_en from review.query where status = 'open' order by 1").fetchall() \
            if _one(con, "select count(*) from information_schema.tables where table_schema = 'review' "
                         "and table_name = 'query'", [])[0] else []
    return ReportData(kind, year, region_code, region_zh, region_en, region_code == plan_region, plan_code, plan_zh,
                      plan_en, start_year, end_year, release[0] if release else None, release[1] if release else None,
                      rows, warnings, counties, county_names, gate, queries, published)


def _f(value) -> float | None:
    return None if value is None else float(value)


INDICATOR_SQL = """
with progress as (
    select * from marts.fct_plan_progress where region_code = $region and year = $year
),
assessment as (
    select indicator_code,
           max(case when method = 'time_elapsed' then category_code end) as category_code,
           max(case when method = 'time_elapsed' then category_zh end) as category_zh,
           max(case when method = 'time_elapsed' then category_en end) as category_en,
           max(case when method = 'time_elapsed' then progress_share end) as progress_share,
           max(case when method = 'time_elapsed' then time_elapsed_share end) as time_elapsed_share,
           max(case when method = 'time_elapsed' then baseline_value end) as baseline_value,
           max(case when method = 'open_sdg' then category_zh end) as open_sdg_zh,
           max(case when method = 'un_sdg' then category_zh end) as un_sdg_zh
    from marts.fct_progress_assessment where region_code = $region and year = $year
    group by indicator_code
),
final_targets as (
    select indicator_code, target_text from marts.fct_plan_progress
    where region_code = $region and year = (select end_year from marts.dim_plan where plan_code = $plan)
)
select
    p.indicator_code, i.category, pi.name_printed as name_zh, i.name_en, i.unit, pi.attribute, pi.is_binding, pi.target_kind,
    a.baseline_value, f.target_text, p.final_target_value, p.measure_value, p.actual_value, p.actual_status,
    p.measure_includes_synthetic or p.actual_is_synthetic, p.completion_rate, p.completion_text, a.progress_share,
    a.time_elapsed_share, coalesce(a.category_code, 'not_assessed'), a.category_zh, a.category_en, a.open_sdg_zh,
    a.un_sdg_zh, p.methods_disagree, p.projected_final_value, p.projected_meets_final_target, p.required_yearly_pace,
    p.is_cumulative
from progress p
join marts.dim_indicator i using (indicator_code)
join marts.dim_plan_indicator pi on pi.indicator_code = p.indicator_code and pi.plan_code = p.plan_code
left join assessment a using (indicator_code)
left join final_targets f using (indicator_code)
order by pi.source_table desc, pi.row_no
"""


def _indicator_rows(con, plan_code: str, region_code: str, year: int, start_year: int) -> list[IndicatorRow]:
    rows = []
    for r in con.execute(INDICATOR_SQL, {"region": region_code, "year": year, "plan": plan_code}).fetchall():
        (code, category, name_zh, name_en, unit, attribute, binding, kind, baseline, target_text, final, measure,
         actual, status, synthetic, rate, rate_text, progress, elapsed, cat, cat_zh, cat_en, osdg, unsdg, disagree,
         projected, meets, pace, cumulative) = r
        series = con.execute("select year, measure_value from marts.fct_plan_progress where indicator_code = ? "
                             "and region_code = ? and year <= ? order by year", [code, region_code, year]).fetchall()
        start = [(start_year - 1, 0.0 if cumulative else _f(baseline))]
        rows.append(IndicatorRow(code, category, name_zh, name_en, unit, attribute, bool(binding), kind, _f(baseline),
                                 target_text, _f(final), _f(measure), _f(actual), status, bool(synthetic), _f(rate),
                                 rate_text, _f(progress), _f(elapsed), cat, cat_zh or "", cat_en or "", osdg, unsdg,
                                 bool(disagree), _f(projected), meets, _f(pace), bool(cumulative),
                                 start + [(y, _f(v)) for y, v in series]))
    return rows
