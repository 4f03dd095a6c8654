-- Where each 14th-plan indicator stands, for the city and every county, in every plan year: the measure, the
-- target it is judged against and the project's own status. fct_plan_progress publishes it with the headline
-- of the published methods (int_progress__assessed reads it too: a table, built once).
-- Method (README "How progress is judged"): cumulative indicators are judged on the running total since the
-- plan's first year against that year's cumulative target; levels, ceilings and floors on the year's value.
-- Completion follows 专栏1: measure ÷ target for counts, levels and floors; ceilings are "within / beyond the
-- target range"; ratios are not rated. Projection: cumulative = running total + average yearly flow ×
-- remaining years; level = value + average yearly change since the 2020 baseline × remaining years;
-- ceilings and floors = the latest value persists.
-- Incremental (macros/incremental_progress.sql): a build re-derives the plan × indicator slices whose spine rows
-- changed, from the first changed year on — a new year rebuilds that year, not every year of every region.
{{ config(
    materialized=progress_materialization(),
    file_format='parquet',
    incremental_strategy=none if target.type == 'spark' else 'delete+insert',
    unique_key=['plan_code', 'indicator_code', 'region_code', 'year'],
    on_schema_change='append_new_columns',
    post_hook=[] if target.type == 'spark' else ['{{ delete_rows_not_in(ref("int_plan_progress__spine")) }}', '{{ refresh_latest_year_flag() }}']
) }}
{% set tolerance = var('at_risk_tolerance') %}
with

{% if is_incremental() %}
rebuilt as (
    {{ progress_rebuild_slices(ref('int_plan_progress__spine'), this) }}
),

-- every year of a changed series (its running total starts in the plan's first year); rows before from_year are
-- only read
spine as (
    {{ rows_in_rebuilt_slices(ref('int_plan_progress__spine')) }}
),
{% else %}
spine as (
    select * from {{ ref('int_plan_progress__spine') }}
),
{% endif %}

-- the regions directly under each region (a city's counties, a province's prefectures), summed when all reported
county_rollup as (
    select
        parent.indicator_code,
        parent.year,
        parent.region_code,
        count(child.actual_value) as n_counties_reported,
        case when count(child.actual_value) = count(*) then sum(child.actual_value) end as county_sum_value
    from spine as parent
    inner join {{ ref('stg_plan__regions') }} as regions on regions.parent_region_code = parent.region_code
    inner join spine as child
        on child.indicator_code = parent.indicator_code and child.year = parent.year
        and child.region_code = regions.region_code
    where parent.is_additive{% if is_incremental() %} and parent.year >= parent.from_year{% endif %}
    group by parent.indicator_code, parent.year, parent.region_code
),

-- the other way round: each region's value of an additive indicator beside its parent's (a county beside the city)
parent_values as (
    select child.indicator_code, child.year, child.region_code, parent.actual_value as parent_actual_value
    from spine as child
    inner join {{ ref('stg_plan__regions') }} as regions on regions.region_code = child.region_code
    inner join spine as parent
        on parent.indicator_code = child.indicator_code and parent.year = child.year
        and parent.region_code = regions.parent_region_code
    where child.is_additive{% if is_incremental() %} and child.year >= child.from_year{% endif %}
),

scaled as (
    select
        spine.*,
        -- a region's targets are fixed at the 6 decimals they are published with, before anything is derived
        -- from them: each engine carries a product of decimals at its own precision (DuckDB as a double, Spark
        -- cut to 6 decimals, PostgreSQL exact), and the pace derived from them differed in the 6th decimal
        cast(spine.plan_region_target_value * spine.target_scale as decimal(24, 6)) as target_value,
        cast(spine.plan_region_final_target_value * spine.target_scale as decimal(24, 6)) as final_target_value,
        case when spine.is_plan_region then spine.baseline_value end as region_baseline_value,
        spine.year - spine.start_year + 1 as years_elapsed,
        spine.end_year - spine.year as years_remaining
    from spine
),

-- each row's running total since its plan's first year (a running total starts again with each plan: the 15th
-- plan's [8.4] counts from 2026): the earlier rows of its series summed. A self-join rather than a window, so an
-- incremental build sums only the rows it rebuilds (a window sorted every year of every changed series with all
-- its columns: 5 of a new year's 8 seconds at national scale)
running_totals as (
    select
        later.plan_code,
        later.indicator_code,
        later.region_code,
        later.year,
        sum(earlier.actual_value) as running_total,
        count(earlier.actual_value) as years_reported,
        coalesce(bool_or(earlier.actual_is_synthetic), false) as running_includes_synthetic
    from spine as later
    inner join spine as earlier
        on earlier.plan_code = later.plan_code and earlier.indicator_code = later.indicator_code
        and earlier.region_code = later.region_code and earlier.year <= later.year
    {%- if is_incremental() %}
    where later.year >= later.from_year
    {%- endif %}
    group by later.plan_code, later.indicator_code, later.region_code, later.year
),

running as (
    select
        scaled.*,
        running_totals.running_total,
        running_totals.years_reported,
        running_totals.running_includes_synthetic
    from scaled
    inner join running_totals using (plan_code, indicator_code, region_code, year)
),

measured as (
    select
        *,
        case when is_cumulative and years_reported = years_elapsed then running_total end as cumulative_actual,
        case when is_cumulative then running_includes_synthetic else coalesce(actual_is_synthetic, false) end
            as measure_includes_synthetic,
        case
            when is_cumulative then case when years_reported = years_elapsed then running_total end
            else actual_value
        end as measure
    from running
),

projected as (
    select
        *,
        case
            when measure is null then null
            when is_cumulative then measure + {{ divide_to_6_decimals('measure * years_remaining', 'years_elapsed') }}
            when target_kind in ('ceiling', 'floor') then measure
            when region_baseline_value is not null
                then measure + {{ divide_to_6_decimals('(measure - region_baseline_value) * years_remaining', 'years_elapsed') }}
            else measure
        end as projected_final_value,
        case comparator
            when '>=' then measure >= target_value
            when '>' then measure > target_value
            when '<=' then measure <= target_value
        end as is_met
    from measured
),

-- each series' latest year with a value (an aggregate joined back: a window carried every column through a sort)
latest_with_data as (
    select plan_code, indicator_code, region_code, max(case when actual_value is not null then year end) as year
    from spine
    group by plan_code, indicator_code, region_code
),

judged as (
    select
        *,
        case when measure is not null and target_value is not null and target_value <> 0
             then {{ percent_of('measure', 'target_value') }} end as percent_of_target,
        case comparator
            when '>=' then projected_final_value >= final_target_value
            when '>' then projected_final_value > final_target_value
            when '<=' then projected_final_value <= final_target_value
        end as projected_meets_final_target,
        case
            when actual_value is null then 'no_data'
            when target_value is null or target_kind = 'ratio' then 'no_target'
            when measure is null then 'incomplete_data'
            when target_kind in ('ceiling', 'floor') then
                case
                    when is_met then 'on_track'
                    when comparator = '<=' and measure <= target_value * (1 + {{ tolerance }}) then 'at_risk'
                    when comparator in ('>=', '>') and measure >= target_value * (1 - {{ tolerance }}) then 'at_risk'
                    else 'off_track'
                end
            else
                case
                    when is_met and coalesce(projected_final_value >= final_target_value, true) then 'on_track'
                    when is_met or measure >= target_value * (1 - {{ tolerance }}) then 'at_risk'
                    else 'off_track'
                end
        end as progress_status
    from projected
)

select
    judged.indicator_code,
    judged.region_code,
    judged.plan_code,
    judged.year,
    judged.is_county,
    judged.unit,
    cast(judged.actual_value as decimal(24, 6)) as actual_value,
    judged.actual_status,
    coalesce(judged.actual_is_synthetic, false) as actual_is_synthetic,
    cast(judged.target_value as decimal(24, 6)) as target_value,
    case
        when judged.target_basis = 'share_of_plan_region_target'
            then judged.target_text || ' × ' || {{ format_percent('judged.target_scale * 100') }}
        else judged.target_text
    end as target_text,
    judged.target_basis,
    judged.comparator,
    coalesce(judged.is_cumulative, false) as is_cumulative,
    cast(judged.cumulative_actual as decimal(24, 6)) as cumulative_actual,
    cast(judged.measure as decimal(24, 6)) as measure_value,
    judged.measure_includes_synthetic,
    cast(judged.years_reported as integer) as years_reported,
    case
        when judged.measure is null or judged.target_value is null or judged.target_kind in ('ceiling', 'ratio')
             or judged.target_value = 0 then null
        else cast(judged.percent_of_target as decimal(9, 2))
    end as completion_rate,
    case
        when judged.actual_value is null then '无数据'
        when judged.target_kind = 'ratio' or judged.target_value is null then '——'
        when judged.measure is null then '数据不全'
        when judged.target_kind = 'ceiling' then
            case when judged.is_met then '控制在目标范围内' else '超出目标范围' end
        when judged.target_value = 0 then '目标为零'
        else {{ format_percent('judged.percent_of_target') }}
    end as completion_text,
    judged.is_met,
    judged.progress_status,
    coalesce(judged.year = latest_with_data.year, false) as is_latest_year_with_data,
    cast(judged.final_target_value as decimal(24, 6)) as final_target_value,
    cast(case
        when judged.measure is null or judged.final_target_value is null or judged.target_kind = 'ratio' then null
        when judged.comparator = '<=' then greatest(judged.measure - judged.final_target_value, 0)
        else greatest(judged.final_target_value - judged.measure, 0)
    end as decimal(24, 6)) as gap_to_final_target,
    cast(case
        when judged.measure is null or judged.final_target_value is null or judged.years_remaining = 0
             or judged.target_kind in ('ceiling', 'floor', 'ratio') then null
        else {{ divide_to_6_decimals('greatest(judged.final_target_value - judged.measure, 0)', 'judged.years_remaining') }}
    end as decimal(24, 6)) as required_yearly_pace,
    cast(judged.projected_final_value as decimal(24, 6)) as projected_final_value,
    judged.projected_meets_final_target,
    judged.is_binding,
    cast(county_rollup.county_sum_value as decimal(24, 6)) as county_sum_value,
    cast(county_rollup.n_counties_reported as integer) as n_counties_reported,
    cast(judged.actual_value - county_rollup.county_sum_value as decimal(24, 6)) as county_sum_difference,
    cast(case when parent_values.parent_actual_value <> 0
              then {{ percent_of('judged.actual_value', 'parent_values.parent_actual_value') }} end
         as decimal(9, 2)) as share_of_parent_region,
    -- what the published progress methods read (int_progress__assessed)
    judged.is_plan_region,
    judged.target_kind,
    judged.direction,
    judged.value_type,
    judged.start_year,
    judged.end_year,
    cast(judged.region_baseline_value as decimal(24, 6)) as plan_baseline_value,
    case judged.comparator
        when '>=' then judged.measure >= judged.final_target_value
        when '>' then judged.measure > judged.final_target_value
        when '<=' then judged.measure <= judged.final_target_value
    end as meets_final_target,
    judged.input_fingerprint
from judged
left join county_rollup using (indicator_code, region_code, year)
left join parent_values using (indicator_code, region_code, year)
left join latest_with_data
    on latest_with_data.plan_code = judged.plan_code and latest_with_data.indicator_code = judged.indicator_code
    and latest_with_data.region_code = judged.region_code
{% if is_incremental() %}
where judged.year >= judged.from_year
{% endif %}

-- stored by region: a dashboard asks for one region (or one region's series), and DuckDB then skips the rest
order by judged.region_code, judged.indicator_code, judged.year
