"""Every rule that turns a statistician's cell into a warehouse value, in one module.

Header names, statuses, units and reasons live here as data; `PARSE_SQL` applies them to a whole file at
once inside DuckDB. A reader only has to deliver rows of raw text (see readers.py).
"""

from __future__ import annotations

import re

FIRST_YEAR, LAST_YEAR = 2016, 2030
DEFAULT_STATUS = "final"  # a file without a status column is taken as final figures (documented in templates)

# header cell → role. Cells are compared after lower-casing and removing spaces, brackets and "/"-separated
# translations, so "指标 indicator", "指标（代码或名称）" and "Indicator" all name the indicator column.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "indicator": ("指标", "指标代码", "指标名称", "指标代码或名称", "indicator", "indicator_code", "indicatorcode",
                  "indicator_name", "indicator_name_zh", "指标名"),
    "region": ("地区", "地区代码", "地区名称", "区域", "行政区划", "行政区划代码", "region", "region_code",
               "region_name", "region_name_zh", "area"),
    "year": ("年份", "年度", "年", "统计年度", "year", "period"),
    "value": ("数值", "值", "数据", "指标值", "value", "obs_value"),
    "unit": ("单位", "计量单位", "unit"),
    "status": ("状态", "数据状态", "status"),
    "source": ("来源", "数据来源", "资料来源", "source", "source_title"),
    "note": ("备注", "注释", "note", "notes", "remark", "remarks"),
}
REQUIRED_LONG = ("indicator", "region", "year", "value")
REQUIRED_WIDE = ("indicator",)
INSTRUCTION_SHEET = re.compile(r"^(说明|填写说明|instructions?|readme|notes?)", re.IGNORECASE)
# a year column's header: 2021, 2021年, 2021年（预计） (the bracket gives the column's status), 2024* (a footnote
# mark); anything else that names a year (2023年1-6月) is not a year column, and its cells are quarantined
YEAR_HEADER = re.compile(r"^\s*(\d{4})\s*年?\s*(?:[（(]\s*([^）)]*?)\s*[）)]|[*＊※†]+)?\s*$")
NAMES_A_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?!\d)")

STATUS_ALIASES: dict[str, tuple[str, ...]] = {
    "preliminary": ("preliminary", "prelim", "初步", "初步数", "快报", "快报数", "预计", "预计数"),
    "final": ("final", "最终", "最终数", "正式", "正式数", "终值", "确定数"),
    "revised": ("revised", "修订", "修订数", "修正", "修正数", "调整", "调整数"),
    "synthetic": ("synthetic", "demo", "合成", "示例", "示例数据", "模拟", "模拟数据"),
}

# printed unit → (base unit, multiplier). A value may be typed in any unit with the registry unit's base.
UNITS: dict[str, tuple[str, int]] = {
    "人": ("人", 1), "万人": ("人", 10000), "人次": ("人次", 1), "万人次": ("人次", 10000), "%": ("%", 1),
}

# reason code → (column role it concerns, Chinese, English). A statistician reads these.
REASONS: dict[str, tuple[str | None, str, str]] = {
    "missing_value": ("value", "数值为空", "the value is empty"),
    "formula_cell": ("value", "单元格是公式，请粘贴为数值后重新提交",
                     "the cell holds a formula; paste it as a value and send the file again"),
    "not_a_number": ("value", "数值无法识别为数字", "the value is not a number"),
    "bad_thousands_separator": ("value", "逗号只能用作千位分隔符（如 1,234）",
                                "a comma may only separate thousands (as in 1,234)"),
    "unknown_indicator": ("indicator", "指标代码或名称不在指标登记表中",
                          "the indicator code or name is not in the indicator registry"),
    "unknown_region": ("region", "地区代码或名称不是江门市或其 7 个县（市、区）",
                       "the region code or name is not Jiangmen or one of its 7 counties"),
    "bad_year": ("year", "年份无法识别（应为 2021、2021年 或 2016-2020）",
                 "the year is not recognised (use 2021, 2021年 or 2016-2020)"),
    "year_out_of_range": ("year", f"年份不在 {FIRST_YEAR}–{LAST_YEAR} 之间",
                          f"the year is outside {FIRST_YEAR}–{LAST_YEAR}"),
    "unit_conflict": ("unit", "数值中的单位与单位列不一致", "the unit in the value contradicts the unit column"),
    "unknown_unit": ("unit", "单位无法识别", "the unit is not recognised"),
    "unit_mismatch": ("unit", "单位与该指标登记的单位不相容（如把 % 用于人数）",
                      "the unit does not fit the indicator's registered unit (e.g. % for a count)"),
    "unknown_status": ("status", "状态应为 初步/最终/修订/合成（preliminary/final/revised/synthetic）",
                       "the status must be preliminary, final, revised or synthetic"),
    "rate_over_period": ("year", "比率只能按年份报送，不能按多年期间（如 2021-2025）报送",
                         "a rate is given by year, never for a multi-year period (such as 2021-2025)"),
    "control_character": (None, "单元格含有 NUL 控制字符（文件可能已损坏），无法保存",
                          "a cell holds a NUL control character (the file may be damaged) and cannot be stored"),
    "conflicting_duplicate": ("value", "同一文件中同一指标、地区、年份出现不同数值",
                              "the same indicator, region and year appear with different values in this file"),
}


def canonical_header(cell: object) -> str:
    text = "" if cell is None else str(cell)
    text = re.sub(r"[（(].*?[)）]", "", text)  # drop bracketed explanations
    return re.sub(r"[\s_\-:：*]+", "", text.lower())


def header_role(cell: object) -> str | None:
    """The role of a header cell: its canonical form, or any space- or slash-separated part of it."""
    raw = "" if cell is None else str(cell)
    candidates = {canonical_header(raw)} | {canonical_header(p) for p in re.split(r"[\s/|]+", raw) if p}
    for role, aliases in HEADER_ALIASES.items():
        names = {canonical_header(a) for a in aliases}
        if candidates & names:
            return role
    return None


def year_header(cell: object) -> tuple[int | None, str | None]:
    """(year, status its annotation gives) of a year column's header; (None, None) for any other cell."""
    if cell is None:
        return None, None
    if isinstance(cell, (int, float)) and float(cell).is_integer():
        cell = str(int(cell))
    m = YEAR_HEADER.match(str(cell))
    if not m:
        return None, None
    if m.group(2) is None:
        return int(m.group(1)), None
    status = next((s for s, aliases in STATUS_ALIASES.items() if m.group(2).lower() in aliases), None)
    return (int(m.group(1)), status) if status else (None, None)


def names_a_year(cell: object) -> bool:
    return cell is not None and bool(NAMES_A_YEAR.search(str(cell)))


# -------------------------------------------------------------------------------------------------- SQL
# Lookup tables are built from the same seed files dbt loads, so the loader and the marts agree.
LOOKUP_SQL = """
create or replace temp macro pw_clean(s) as nullif(regexp_replace(
    translate(coalesce(cast(s as varchar), ''), '０１２３４５６７８９．，％－＋：（）　\u00a0',
              '0123456789.,%-+:()  '),
    '\\s+', '', 'g'), '');
create or replace temp macro pw_name_key(s) as lower(regexp_replace(pw_clean(s), '^其中[:：]|[“”"‘’''「」『』]', '', 'g'));

-- every plan folder's registry rows; an indicator is described by the latest plan that lists it (as
-- stg_plan__indicators keeps it), and is recognised by the names of every plan (a renamed indicator by both)
create or replace temp table pw_indicator_all as
select registry.*, try_cast(periods.start_year as integer) as plan_start_year
from read_csv($indicators, header = true, all_varchar = true) as registry
left join read_csv($periods, header = true, all_varchar = true) as periods using (plan_code);

create or replace temp table pw_indicator as
select * exclude (plan_start_year) from pw_indicator_all
qualify row_number() over (partition by indicator_code order by plan_start_year desc nulls last) = 1;

-- a key naming two indicators would be a guess: such keys are left out, so they do not match at all
create or replace temp table pw_indicator_lookup as
select distinct lookup_key, indicator_code from (
    select lower(indicator_code) as lookup_key, indicator_code from pw_indicator
    union all select pw_name_key(name_zh), indicator_code from pw_indicator_all
    union all select pw_name_key(name_en), indicator_code from pw_indicator_all
    union all select pw_name_key(alias_zh), indicator_code
              from read_csv($aliases, header = true, all_varchar = true)
)
where lookup_key is not null
qualify count(distinct indicator_code) over (partition by lookup_key) = 1;

-- only the plans' regions and the regions under them: the province above a city plan is a parent in
-- dim_region, not a region we load
create or replace temp table pw_region_lookup as
select distinct lookup_key, region_code from (
    select lower(region_code) as lookup_key, region_code from read_csv($regions, header = true, all_varchar = true)
    union all select pw_name_key(name_zh), region_code from read_csv($regions, header = true, all_varchar = true)
    union all select pw_name_key(name_en), region_code from read_csv($regions, header = true, all_varchar = true)
)
where region_code in (select unnest($regions_in_plans)) and lookup_key is not null
qualify count(distinct region_code) over (partition by lookup_key) = 1;

create or replace temp table pw_unit (unit varchar, base_unit varchar, multiplier bigint);
create or replace temp table pw_status (alias varchar, status varchar);
create or replace temp table pw_reason (reason_code varchar, role varchar, reason_zh varchar, reason_en varchar);
"""

# Applied to temp table pw_input(sheet, source_row, source_column, indicator_raw, region_raw, year_raw,
# value_raw, unit_raw, status_raw, source_raw, note_raw) holding one file; yields pw_checked.
PARSE_SQL = f"""
create or replace temp table pw_parsed as
with

-- Text is cleaned and matched once per distinct value, not once per row: a national file repeats 200
-- indicator names and a few thousand region names over hundreds of thousands of rows. Each dictionary maps a
-- raw text (null kept as its own key through coalesce) to what it means.

-- bulletins often print the unit after the name: 城镇新增就业人数（万人）
indicator_dictionary as (
    select
        indicator_raw,
        lower(pw_clean(indicator_raw)) as indicator_code_key,
        case when name_with_unit.unit in (select unit from pw_unit) then name_with_unit.unit end as unit_in_name,
        pw_name_key(case when name_with_unit.unit in (select unit from pw_unit) then name_with_unit.name
                         else indicator_raw end) as indicator_name_key
    from (
        select indicator_raw,
               regexp_extract(pw_clean(indicator_raw), '^(.+?)[(]([^()]+)[)]$', ['name', 'unit']) as name_with_unit
        from (select distinct indicator_raw from pw_input)
    )
),

indicator_matches as (
    select
        dictionary.indicator_raw,
        dictionary.unit_in_name,
        indicator.indicator_code,
        indicator.unit as registry_unit,
        indicator.value_type
    from indicator_dictionary as dictionary
    -- equi-joins on precomputed keys (by code, then by name), never a join on an expression list
    left join pw_indicator_lookup as indicator_by_code on indicator_by_code.lookup_key = dictionary.indicator_code_key
    left join pw_indicator_lookup as indicator_by_name on indicator_by_name.lookup_key = dictionary.indicator_name_key
    left join pw_indicator as indicator
        on indicator.indicator_code = coalesce(indicator_by_code.indicator_code, indicator_by_name.indicator_code)
),

region_matches as (
    select distinct_regions.region_raw, coalesce(region_by_code.region_code, region_by_name.region_code) as region_code
    from (select distinct region_raw from pw_input) as distinct_regions
    left join pw_region_lookup as region_by_code on region_by_code.lookup_key = lower(pw_clean(distinct_regions.region_raw))
    left join pw_region_lookup as region_by_name on region_by_name.lookup_key = pw_name_key(distinct_regions.region_raw)
),

year_dictionary as (
    select year_raw, regexp_replace(pw_clean(year_raw), '年度?$', '') as year_clean
    from (select distinct year_raw from pw_input)
),

year_matches as (
    select
        year_raw,
        year_clean,
        case
            when regexp_full_match(year_clean, '[0-9]{{4}}') then cast(year_clean as integer)
            when regexp_full_match(year_clean, '[0-9]{{4}}[-–—~至到][0-9]{{4}}') then cast(right(year_clean, 4) as integer)
        end as year,
        case
            when regexp_full_match(year_clean, '[0-9]{{4}}') then cast(year_clean as integer)
            when regexp_full_match(year_clean, '[0-9]{{4}}[-–—~至到][0-9]{{4}}') then cast(left(year_clean, 4) as integer)
        end as period_start_year
    from year_dictionary
),

status_matches as (
    select distinct_statuses.status_raw, lower(pw_clean(distinct_statuses.status_raw)) as status_clean,
           coalesce(status_alias.status,
                    case when pw_clean(distinct_statuses.status_raw) is null then '{DEFAULT_STATUS}' end) as status
    from (select distinct status_raw from pw_input) as distinct_statuses
    left join pw_status as status_alias on status_alias.alias = lower(pw_clean(distinct_statuses.status_raw))
),

unit_matches as (
    select unit_raw, pw_clean(unit_raw) as unit_clean from (select distinct unit_raw from pw_input)
),

-- the value is the one column that differs on every row: a plain number (what machine-written files hold)
-- takes the short path; anything else is cleaned and split into number and unit
value_cleaned as (
    select
        pw_input.*,
        regexp_full_match(value_raw, '-?[0-9]+(\\.[0-9]+)?') as is_plain_number,
        case when is_plain_number then value_raw else pw_clean(value_raw) end as value_clean
    from pw_input
),

split_value as (
    select
        value_cleaned.* exclude (is_plain_number),
        case when is_plain_number then {{'number': value_raw, 'unit': ''}}
             else regexp_extract(value_clean, '^([+-]?[0-9][0-9,]*(?:\\.[0-9]+)?)(.*)$', ['number', 'unit'])
        end as parts
    from value_cleaned
),

matched as (
    select
        split_value.* exclude (parts),
        nullif(parts.number, '') as number_text,
        nullif(parts.unit, '') as unit_in_value,
        try_cast(replace(parts.number, ',', '') as decimal(24, 6)) as number,
        coalesce(unit_matches.unit_clean, indicator_matches.unit_in_name) as unit_column,
        year_matches.year_clean,
        year_matches.year,
        year_matches.period_start_year,
        status_matches.status_clean,
        indicator_matches.indicator_code,
        indicator_matches.registry_unit,
        indicator_matches.value_type,
        region_matches.region_code,
        coalesce(nullif(parts.unit, ''), unit_matches.unit_clean, indicator_matches.unit_in_name,
                 indicator_matches.registry_unit) as effective_unit,
        status_matches.status
    from split_value
    left join indicator_matches on indicator_matches.indicator_raw is not distinct from split_value.indicator_raw
    left join region_matches on region_matches.region_raw is not distinct from split_value.region_raw
    left join year_matches on year_matches.year_raw is not distinct from split_value.year_raw
    left join status_matches on status_matches.status_raw is not distinct from split_value.status_raw
    left join unit_matches on unit_matches.unit_raw is not distinct from split_value.unit_raw
),

converted as (
    select
        matched.*,
        given_unit.base_unit as given_base_unit,
        registry_unit_row.base_unit as registry_base_unit,
        cast(number * given_unit.multiplier / registry_unit_row.multiplier as decimal(24, 6)) as value
    from matched
    left join pw_unit as given_unit on given_unit.unit = matched.effective_unit
    left join pw_unit as registry_unit_row on registry_unit_row.unit = matched.registry_unit
),

checked as (
    select
        *,
        case
            when contains(concat_ws('', indicator_raw, region_raw, year_raw, value_raw, unit_raw, status_raw,
                                    source_raw, note_raw), chr(0)) then 'control_character'
            when value_clean is null then 'missing_value'
            when value_clean like '=%' then 'formula_cell'
            when indicator_code is null then 'unknown_indicator'
            when region_code is null then 'unknown_region'
            when year is null then 'bad_year'
            when period_start_year < {FIRST_YEAR} or year > {LAST_YEAR} or period_start_year > year then 'year_out_of_range'
            when value_type = 'rate' and period_start_year < year then 'rate_over_period'
            when number_text is null or number is null then 'not_a_number'
            when number_text like '%,%' and not regexp_full_match(number_text, '[+-]?[0-9]{{1,3}}(,[0-9]{{3}})+(\\.[0-9]+)?')
                then 'bad_thousands_separator'
            when unit_in_value is not null and unit_column is not null and unit_in_value <> unit_column then 'unit_conflict'
            when given_base_unit is null then 'unknown_unit'
            when registry_base_unit is null or given_base_unit <> registry_base_unit then 'unit_mismatch'
            when status is null then 'unknown_status'
        end as reason_code
    from converted
)

-- what the checks needed and nothing after them reads is not kept: every column kept is copied for each record
-- into this table and again into the outcome (a national file's 640 000 records)
select * exclude (value_clean, number_text, number, year_clean, status_clean, given_base_unit, registry_base_unit)
from checked
"""

# Does any key come twice among the file's valid rows? Usually not — and then pw_checked is pw_parsed as it is.
REPEATED_KEYS_SQL = """
select exists (
    select 1 from pw_parsed where reason_code is null
    group by indicator_code, region_code, period_start_year, year having count(*) > 1
)
"""

PW_CHECKED_WITHOUT_REPEATS_SQL = """
create or replace temp view pw_checked as select *, false as is_duplicate_in_file from pw_parsed
"""

# The same key twice in one file: identical values are one value (the rest are duplicates); different values
# are a conflict nobody can resolve here, so every row of that key is quarantined. Counted per key with a
# GROUP BY; only the repeated keys get a row number (a window over every row would sort them all).
PW_CHECKED_WITH_REPEATS_SQL = """
create or replace temp view pw_checked as
with

checked as (
    select * from pw_parsed
),

key_counts as (
    select
        indicator_code, region_code, period_start_year, year,
        count(*) as n_valid_rows,
        count(distinct (value, status)) as n_distinct_values
    from checked
    where reason_code is null
    group by indicator_code, region_code, period_start_year, year
),

keyed as (
    select checked.*, key_counts.n_valid_rows, key_counts.n_distinct_values
    from checked
    left join key_counts
        on checked.reason_code is null
        and key_counts.indicator_code = checked.indicator_code and key_counts.region_code = checked.region_code
        and key_counts.period_start_year = checked.period_start_year and key_counts.year = checked.year
),

repeated as (
    select
        sheet, source_row, source_column,
        row_number() over (partition by indicator_code, region_code, period_start_year, year
                           order by sheet, source_row, source_column) as n_in_file
    from keyed
    where n_valid_rows > 1
)

select
    keyed.* exclude (reason_code, n_distinct_values, n_valid_rows),
    case when keyed.reason_code is null and keyed.n_distinct_values > 1 then 'conflicting_duplicate'
         else keyed.reason_code end as reason_code,
    coalesce(keyed.reason_code is null and keyed.n_distinct_values = 1 and repeated.n_in_file > 1, false)
        as is_duplicate_in_file
from keyed
left join repeated
    on repeated.sheet is not distinct from keyed.sheet and repeated.source_row = keyed.source_row
    and repeated.source_column is not distinct from keyed.source_column
"""


# ---------------------------------------------------------------------------------------------- submissions
# A submission whose own rows hold an impossible value goes back to its sender whole (退回修改): the value
# cannot be right, and which of its other figures were typed with the same mistake only the sender knows.
# Judgement calls (a big change on last year, counties against the city) are queries, not returns.
# finding code → (Chinese, English); the row, column and value are named beside it.
FINDINGS: dict[str, tuple[str, str]] = {
    "negative_value": ("数值为负数：人数、人次和比率不可能为负", "the value is negative: a count or a rate cannot be"),
    "rate_over_100": ("比率超过 100%", "the rate is over 100 %"),
    "cumulative_falls": ("累计数比同一起始年份、较早截止年份的累计数还小", "the running total is smaller than "
                         "the one this file gives for an earlier end year of the same period"),
    "unit_contradiction": ("单位与数值或指标登记的单位矛盾", "the unit contradicts the value or the indicator's "
                           "registered unit"),
}
UNIT_CONTRADICTIONS = ("unit_conflict", "unit_mismatch")

# pw_outcome (every record of the file, with its outcome) → the findings that return it, one row per cell
SUBMISSION_FINDINGS_SQL = """
create or replace temp table pw_finding as
with

values_read as (
    select outcome.*, indicator.target_kind
    from pw_outcome as outcome
    left join pw_indicator as indicator using (indicator_code)
    where outcome.outcome <> 'quarantined'
),

running_totals as (
    select
        *,
        lag(value) over (partition by indicator_code, region_code, period_start_year order by year)
            as earlier_total
    from values_read
    where period_start_year < year and target_kind = 'cumulative'
),

found as (
    select 'negative_value' as finding_code, * exclude (target_kind) from values_read
    where value < 0 and value_type in ('count', 'rate')
    union all
    select 'rate_over_100', * exclude (target_kind) from values_read where value_type = 'rate' and value > 100
    union all
    select 'cumulative_falls', * exclude (target_kind, earlier_total) from running_totals where value < earlier_total
    union all
    select 'unit_contradiction', * from pw_outcome
    where outcome = 'quarantined' and reason_code in ('unit_conflict', 'unit_mismatch')
)

select
    finding_code, found.sheet, source_row,
    coalesce(source_column, value_header.header) as column_name,
    case when finding_code = 'unit_contradiction' then coalesce(unit_raw, value_raw) else value_raw end as raw_value,
    indicator_code, region_code, year
from found
left join pw_headers as value_header
    on value_header.sheet is not distinct from found.sheet and value_header.role = 'value'
"""


# A value that moved more than the rule on the same period last year (同比) needs a written explanation before it
# is released: counts by more than $count_change (a share, 0.30 = 30 %), rates by more than $rate_points
# percentage points. Last year's value is the file's own, else the latest released one in the warehouse. A demo
# value against a real one (or the reverse) says nothing about either: not compared.
YEAR_ON_YEAR_SQL = """
create or replace temp table pw_query as
with

sent as (
    select indicator_code, region_code, year, value, status, value_type, sheet, source_row, outcome
    from pw_outcome
    where outcome <> 'quarantined' and period_start_year = year
),

released as (
    select indicator_code, region_code, year, value, status, file_name
    from raw.observation
    semi join (select distinct indicator_code, region_code, year - 1 as year from sent) as wanted
        using (indicator_code, region_code, year)
    where period_start_year = year and load_id not in (select load_id from pw_returned_load)
    qualify row_number() over (partition by indicator_code, region_code, year order by vintage desc) = 1
),

compared as (
    select
        new.*,
        coalesce(in_file.value, before.value) as previous_value,
        coalesce(in_file.status, before.status) as previous_status,
        case when in_file.value is not null then $file_name else before.file_name end as previous_file
    from sent as new
    left join sent as in_file
        on in_file.indicator_code = new.indicator_code and in_file.region_code = new.region_code
        and in_file.year = new.year - 1
    left join released as before
        on before.indicator_code = new.indicator_code and before.region_code = new.region_code
        and before.year = new.year - 1
    where new.outcome = 'loaded'
)

select
    indicator_code, region_code, year, value, previous_value, previous_file, sheet, source_row, value_type,
    case when value_type = 'rate' then value - previous_value
         else round(100 * (value - previous_value) / abs(previous_value), 1) end as change
from compared
where previous_value is not null
  and (status = 'synthetic') = (previous_status = 'synthetic')
  and ((value_type = 'count' and previous_value <> 0 and abs(value - previous_value) > $count_change * abs(previous_value))
       or (value_type = 'rate' and abs(value - previous_value) > $rate_points))
"""


# What a load may not make current on its own (each a query, raw.review_query with holds = true: the value is kept as
# history and stays out of the release until the sender answers or the steward accepts):
# - year_on_year: the rule above;
# - status_downgrade: a value whose status ranks below the current one's (synthetic < preliminary < final,
#   revised): an old preliminary file re-sent after the final figure must not silently become current again;
# - batch_conflict: two files of one call that give one key different values — neither "the later name wins"
#   nor the earlier: both are held, and the value released before the call stays current.
STATUS_RANK_SQL = "case {0} when 'synthetic' then 0 when 'preliminary' then 1 else 2 end"

HOLDS_SQL = f"""
create or replace temp table pw_hold as
with

yearly as (
    select
        'year_on_year' as kind, $load_id as load_id, indicator_code, region_code, year as period_start_year, year,
        format('与上年同期相比变化 {{}}{{}}（上年 {{}}，{{}}）：请报送单位说明原因，说明前仍发布上年版本的数值',
               case when change > 0 then '+' else '' end,
               case when value_type = 'rate' then change::varchar || ' 个百分点' else change::varchar || '%' end,
               previous_value::double, previous_file) as detail_zh,
        format('changed {{}}{{}} on the same period last year ({{}} in {{}}): the sender explains it; until then the '
               'previous vintage stays current',
               case when change > 0 then '+' else '' end,
               case when value_type = 'rate' then change::varchar || ' points' else change::varchar || ' %' end,
               previous_value::double, previous_file) as detail_en
    from pw_query
),

downgrades as (
    select
        'status_downgrade', $load_id, indicator_code, region_code, period_start_year, year,
        format('报送的{{}}数值 {{}} 晚于已发布的{{}}数值：作为历史保留，不作为当前值；如确为修订，请报送“修订”状态或由审核人接受',
               status, value::double, current_status),
        format('a {{}} value ({{}}) arrived after the {{}} one already released: kept as history, not made current; '
               'a real revision is sent with status revised, or the steward accepts it',
               status, value::double, current_status)
    from pw_outcome
    where outcome = 'loaded' and current_status is not null
      and {STATUS_RANK_SQL.format('status')} < {STATUS_RANK_SQL.format('current_status')}
),

other_files as (
    -- only the keys this file loads, in only this call's other loads (empty for a call of one file)
    select load_id, indicator_code, region_code, period_start_year, year, value, status, file_name
    from raw.observation
    semi join (select indicator_code, region_code, period_start_year, year from pw_outcome where outcome = 'loaded')
        using (indicator_code, region_code, period_start_year, year)
    where load_id in (select unnest($batch::varchar[]))
),

conflicts as (
    select new.indicator_code, new.region_code, new.period_start_year, new.year, new.value,
           other.load_id as other_load_id, other.value as other_value, other.file_name as other_file
    from pw_outcome as new
    join other_files as other using (indicator_code, region_code, period_start_year, year)
    where new.outcome = 'loaded' and (other.value, other.status) is distinct from (new.value, new.status)
),

batch_conflicts as (
    select 'batch_conflict', $load_id, indicator_code, region_code, period_start_year, year,
           format('同一次报送的文件 {{}} 对同一指标、地区、年份给出不同数值（{{}} 与 {{}}）：两个数值都暂不发布，请报送单位确认',
                  other_file, other_value::double, value::double),
           format('file {{}} of the same call gives this indicator, region and year a different value ({{}} against '
                  '{{}}): neither is released until the sender confirms one', other_file, other_value::double,
                  value::double)
    from conflicts
    union all
    select distinct 'batch_conflict', other_load_id, indicator_code, region_code, period_start_year, year,
           format('同一次报送的另一个文件对同一指标、地区、年份给出不同数值（{{}}）：两个数值都暂不发布，请报送单位确认', value::double),
           format('another file of the same call gives this indicator, region and year a different value ({{}}): '
                  'neither is released until the sender confirms one', value::double)
    from conflicts
),

holds as (
    select * from yearly
    union all select * from downgrades
    union all select * from batch_conflicts
)

-- one hold per load and key and kind (a key three files of one call disagree on meets two others)
select * from holds
qualify row_number() over (partition by kind, load_id, indicator_code, region_code, period_start_year, year
                           order by detail_zh) = 1
"""
