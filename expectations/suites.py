"""Every quality check, as code. A check names its table, its family, its severity and a Chinese title.

Severity: "error" blocks publication; "warning" is reported and published with the data. Cross-table rules
are GE UnexpectedRowsExpectations: SQL that returns the offending rows, run inside the target warehouse (DuckDB,
PostgreSQL or Spark), so it is plain SQL. GE renders `{batch}` as a parenthesised subquery *without* an alias in a
query that joins and *with* one otherwise: joining queries therefore write `{batch} as o`, the others
`(select * from {batch}) as o` (PostgreSQL 15 rejects an unaliased subquery).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar
from datetime import date

import great_expectations.expectations as gxe
from great_expectations.render import LegacyDiagnosticRendererType, RenderedTableContent
from great_expectations.render.renderer.renderer import renderer

from expectations.gate_scope import KEY, LOAD, WHOLE
from planwatch.plan_pack import regions_in_plans, seed_rows
from planwatch.publish.column_labels import COLUMN_ZH
from planwatch.settings import get_settings

ERROR, WARNING = "error", "warning"
# a fixed-point column as each target's GE engine names it: DuckDB by type class, PostgreSQL by the declared type
# (raw.observation.value is decimal(24, 6) in planwatch/ingest/schema.py), Spark by its pyspark type class
DECIMAL_TYPE_NAMES = ["NUMERIC", "DECIMAL", "NUMERIC(24, 6)", "DecimalType"]
GX_SEVERITY = {ERROR: "critical", WARNING: "warning"}


@dataclass(frozen=True)
class Check:
    name: str  # stable id: the Dagster asset-check name and the quality-history key
    suite: str  # raw_loads / staging / marts
    table: str  # schema.table the check validates
    family: str
    severity: str
    title_zh: str
    expectation: gxe.Expectation
    scope: str = WHOLE  # which rows a pipeline run's scoped gate gives it (expectations/gate_scope.py)


# the scoped gate: a table's checks read the rows of the submissions in scope (load) or every row of the keys they
# touch (key); the checks named here always read the whole table — cheap invariants and plan-wide rules
TABLE_SCOPE = {"raw.observation": LOAD, "staging.stg_raw__observations": LOAD,
               "marts.fct_indicator_observation": KEY, "marts.fct_plan_progress": KEY}
ALWAYS_WHOLE = {"raw_observation_columns", "raw_observation_value_is_decimal", "raw_observation_key_unique",
                "marts_expected_year_present"}


def _seed_column(seed: str, column: str) -> list[str]:
    return sorted({row[column] for row in seed_rows(get_settings().seeds, seed)})


def expected_year() -> int:
    """The latest year whose figures should be in: last year (the bulletin of year Y appears in Y+1)."""
    import os

    return int(os.environ.get("PLANWATCH_EXPECTED_YEAR", date.today().year - 1))


class ExpectNoUnexpectedRows(gxe.UnexpectedRowsExpectation):
    """GE's UnexpectedRowsExpectation, whose Data Docs show the failing rows themselves: GE renders only their
    count for it, and a steward needs to see which file and row to send back. The rows come with the result
    (result_format COMPLETE); the first MAX_SHOWN are drawn as a table under the expectation."""

    MAX_SHOWN: ClassVar[int] = 20

    @classmethod
    @renderer(renderer_type=LegacyDiagnosticRendererType.UNEXPECTED_TABLE)
    def _diagnostic_unexpected_table_renderer(cls, configuration=None, result=None, runtime_configuration=None):
        rows = (((result.result if result else None) or {}).get("details") or {}).get("unexpected_rows") or []
        if not rows:
            return None
        header = list(rows[0])
        table = [["" if row.get(column) is None else str(row.get(column)) for column in header]
                 for row in rows[:cls.MAX_SHOWN]]
        shown = f"first {cls.MAX_SHOWN} of {len(rows)}" if len(rows) > cls.MAX_SHOWN else f"all {len(rows)}"
        return [RenderedTableContent(
            content_block_type="table", table=table, header_row=header,
            header={"content_block_type": "string_template",
                    "string_template": {"template": f"Failing rows ({shown}) / 未通过的行", "tag": "h6"}},
            styling={"body": {"classes": ["table-bordered", "table-sm", "mt-3"]}})]


def _rows(query: str, description: str) -> ExpectNoUnexpectedRows:
    # COMPLETE: the offending rows travel with the result, so the steward sees which rows failed
    return ExpectNoUnexpectedRows(unexpected_rows_query=query, description=description, result_format="COMPLETE")


def _values_outside(value_type: str, condition: str, description: str) -> ExpectNoUnexpectedRows:
    """Observations of one value type (count / rate) that break `condition`, with their file and row."""
    return _rows("select o.indicator_code, o.region_code, o.year, o.value, o.source_file, o.source_row "
                 "from {batch} as o join marts.dim_indicator i using (indicator_code) "
                 f"where i.value_type = '{value_type}' and ({condition})", description)


def _codes_outside(column: str, codes: list[str], description: str) -> ExpectNoUnexpectedRows:
    """Rows whose code is not one of `codes`, as an anti-join on a VALUES list. (GE's ExpectColumnValuesToBeInSet
    binds every code as a parameter of one IN list, tested row by row: with the national pack's 3 209 regions
    that alone took 65 s over 19 million rows; the anti-join takes well under a second.)"""
    values = ", ".join("('" + code.replace("'", "''") + "')" for code in codes)
    return _rows(f"select o.{column}, o.source_row, o.file_name from (select * from {{batch}}) as o "
                 f"where o.{column} not in (select code from (values {values}) as known(code))", description)


def build_checks() -> list[Check]:
    indicators = _seed_column("plan_indicators", "indicator_code")
    regions = regions_in_plans(get_settings().seeds)
    observation_keys = ["indicator_code", "region_code", "period_start_year", "year", "vintage"]
    checks = [
        # ---- raw loads ------------------------------------------------------------------------------
        Check("raw_observation_columns", "raw_loads", "raw.observation", "columns_and_types", ERROR,
              "原始观测表包含必需的列",
              gxe.ExpectTableColumnsToMatchSet(column_set=observation_keys + [
                  "value", "unit", "status", "load_id", "file_name", "file_sha256", "source_row", "loaded_at"],
                  exact_match=False)),
        Check("raw_observation_value_is_decimal", "raw_loads", "raw.observation", "columns_and_types", ERROR,
              "数值列为定点小数类型",
              gxe.ExpectColumnValuesToBeInTypeList(column="value", type_list=DECIMAL_TYPE_NAMES)),
        Check("raw_observation_key_unique", "raw_loads", "raw.observation", "keys", ERROR,
              "指标×地区×期间×版本 唯一", gxe.ExpectCompoundColumnsToBeUnique(column_list=observation_keys)),
        *[Check(f"raw_observation_{column}_not_null", "raw_loads", "raw.observation", "keys", ERROR,
                f"{COLUMN_ZH[column]}不为空", gxe.ExpectColumnValuesToNotBeNull(column=column))
          for column in ("indicator_code", "region_code", "year", "value", "vintage", "load_id")],
        Check("raw_observation_indicator_known", "raw_loads", "raw.observation", "codes_known", ERROR,
              "指标代码都在指标登记表中", _codes_outside("indicator_code", indicators,
                                                "every indicator code is in the registry")),
        Check("raw_observation_region_known", "raw_loads", "raw.observation", "codes_known", ERROR,
              "地区代码都是规划地区（江门市）或其下级地区", _codes_outside(
                  "region_code", regions, "every region is the plan's region or a region under it")),
        Check("raw_observation_year_in_window", "raw_loads", "raw.observation", "years", ERROR,
              "年份在 2016–2030 之间", gxe.ExpectColumnValuesToBeBetween(column="year", min_value=2016,
                                                                    max_value=2030)),
        Check("raw_load_file_rows_accounted", "raw_loads", "raw.load_file", "accounting", ERROR,
              "每个文件：读取 = 加载 + 重复 + 隔离",
              _rows("select * from {batch} where rows_read <> rows_loaded + rows_duplicate + rows_quarantined",
                    "every record of every file is loaded, skipped as a duplicate or quarantined")),
        # ---- staging ----------------------------------------------------------------------------------
        Check("staging_units_match_registry", "staging", "staging.stg_raw__observations", "units", ERROR,
              "观测值单位与指标登记单位一致",
              _rows("select o.indicator_code, o.unit, i.unit as registry_unit, o.source_file, o.source_row from {batch} as o join staging.stg_plan__indicators i using (indicator_code) "
                    "where o.unit <> i.unit", "every value is stored in its indicator's registry unit")),
        Check("staging_status_known", "staging", "staging.stg_raw__observations", "codes_known", ERROR,
              "状态为 初步/最终/修订/合成",
              gxe.ExpectColumnValuesToBeInSet(column="status",
                                              value_set=["preliminary", "final", "revised", "synthetic"])),
        # ---- marts --------------------------------------------------------------------------------------
        Check("marts_counts_non_negative", "marts", "marts.fct_indicator_observation", "ranges", ERROR,
              "人数、人次不为负数", _values_outside("count", "o.value < 0", "counts are never negative")),
        Check("marts_rates_within_0_100", "marts", "marts.fct_indicator_observation", "ranges", ERROR,
              "比率在 0–100 之间",
              _values_outside("rate", "o.value < 0 or o.value > 100", "rates lie within 0–100")),
        Check("marts_year_on_year_plausible", "marts", "marts.fct_indicator_observation", "jumps", WARNING,
              "同比变化在合理范围内（人数变化不超过 50%，比率变化不超过 10 个百分点）",
              _rows("""
                  with yearly as (
                      select o.*, i.value_type,
                             lag(o.value) over (partition by o.indicator_code, o.region_code order by o.year) as previous
                      from {batch} as o join marts.dim_indicator i using (indicator_code)
                      where o.is_latest and not o.is_multi_year_total
                  )
                  select indicator_code, region_code, year, previous, value, source_file from yearly
                  where previous is not null and (
                      (value_type = 'count' and previous <> 0 and abs(value / previous - 1) > 0.5)
                      or (value_type = 'rate' and abs(value - previous) > 10))
              """, "no implausible jump from one year to the next")),
        Check("marts_expected_year_present", "marts", "marts.fct_indicator_observation", "freshness", WARNING,
              f"专栏2 各指标已有最新年份（{expected_year()} 年）的规划地区（全市）数据",
              _rows(f"""
                  select p.indicator_code, {expected_year()} as expected_year
                  from marts.dim_plan_indicator p
                  inner join marts.dim_plan d on d.plan_code = p.plan_code
                  where p.source_table = '专栏2' and {expected_year()} between d.start_year and d.end_year
                    and not exists (
                      select 1 from (select * from {{batch}}) as o
                      where o.indicator_code = p.indicator_code and o.region_code = d.region_code
                        and o.year = {expected_year()} and o.is_latest)
              """, "the latest expected year is in for every 专栏2 indicator")),
        Check("marts_cumulative_never_decreasing", "marts", "marts.fct_plan_progress", "cumulative", ERROR,
              "累计值逐年不减",
              _rows("""
                  select indicator_code, region_code, year, previous_cumulative, cumulative_actual from (
                      select *, lag(cumulative_actual) over (partition by plan_code, indicator_code, region_code
                                                             order by year) as previous_cumulative
                      from {batch} where is_cumulative
                  ) as running where cumulative_actual < previous_cumulative
              """, "a running total never decreases")),
        # a warning, not an error: a city total often includes city-level units (市本级/市直) no county reports,
        # and which of two figures stands is the steward's judgement — it must not hold every other figure back
        Check("marts_county_sum_matches_city", "marts", "marts.fct_plan_progress", "county_sum", WARNING,
              "可加总指标：下级地区（县、市、区）之和与上级数相符（误差 1% 以内），不符时请核实哪个数字准确",
              # county_sum_value is set only when every region under this one reported
              _rows("select indicator_code, region_code, year, actual_value, county_sum_value, county_sum_difference "
                    "from {batch} where county_sum_value is not null "
                    "and abs(county_sum_difference) > 0.01 * abs(actual_value)",
                    "for additive indicators the regions under a region add up to it within 1%")),
        Check("marts_every_zl2_indicator_year_has_target", "marts", "marts.fct_plan_target", "targets", ERROR,
              "专栏2 每个指标每年都有目标值",
              _rows("""
                  select p.indicator_code, y.year
                  from marts.dim_plan_indicator p
                  join marts.dim_year y on y.plan_code = p.plan_code
                  where p.source_table = '专栏2' and not exists (
                      select 1 from {batch} as t where t.indicator_code = p.indicator_code
                        and t.plan_code = p.plan_code and t.year = y.year)
              """, "every 专栏2 indicator has a target in every plan year")),
        Check("marts_plan_text_agrees_with_tables", "marts", "marts.rpt_plan_consistency", "plan_consistency",
              WARNING, "规划正文所述目标与专栏表格一致",
              _rows("select target_code, cell_ref, finding_zh from {batch} where not values_agree",
                    "targets stated in the text agree with the 专栏 tables")),
        # a new plan's printed baseline against the previous plan's actual: real plans revise baselines, so a
        # difference is the steward's query (to the drafters or the statistics), not the data's error
        Check("marts_plan_baseline_agrees", "marts", "marts.rpt_plan_baseline_check", "plan_consistency", WARNING,
              "新规划印出的基数与上一规划的实际值一致",
              _rows("select plan_code, indicator_code, baseline_text, previous_actual_value, finding_zh from {batch} "
                    "where not agrees", "a new plan's printed baselines agree with the previous plan's actuals")),
    ]
    checks = [replace(c, scope=WHOLE if c.name in ALWAYS_WHOLE else TABLE_SCOPE.get(c.table, WHOLE)) for c in checks]
    for check in checks:
        check.expectation.severity = GX_SEVERITY[check.severity]
        check.expectation.meta = {"check": check.name, "family": check.family, "severity": check.severity,
                                  "title_zh": check.title_zh}
    return checks
