-- One row per indicator of each monitored plan (current or evaluating) × region × plan year, with the actual (or
-- none) and the target that applies. Regions are the plan's region and every region under it, at any depth (a city plan: the city
-- and its counties; a national plan: provinces, prefectures and counties). The plan region is judged against
-- the printed target; a region under it against the plan region's standard for rates, or against the plan
-- region's count target apportioned by the region's share of the plan region in the first plan year both
-- reported.
-- A table, not a view: int_plan_progress__judged reads it three times (the rows, each region's children, each
-- region's parent); as a view its joins over the observations ran three times in one statement and, at national
-- scale (3.2 million rows), that statement ran out of DuckDB's memory limit (measured 2026-12-04: 2.7 of 2.7 GiB).
-- input_fingerprint is what the incremental progress models compare to know which slices to rebuild
-- (macros/incremental_progress.sql): every value a row's judgement depends on that is not in another row of the
-- same plan and indicator, the thresholds, and the progress models' SQL (a change in it rebuilds every row once).
{{ config(materialized='table', file_format='parquet') }}

with

plan as (
    select * from {{ ref('int_plan__periods') }} where is_monitored
),

plan_years as (
    select years.year, plan.plan_code, plan.start_year, plan.end_year, plan.region_code as plan_region_code
    from {{ ref('int_plan__years') }} as years
    inner join plan on years.plan_code = plan.plan_code
),

targets as (
    select * from {{ ref('int_plan_targets__unioned') }}
),

indicators as (
    select
        plan_rows.plan_code,
        plan_rows.indicator_code,
        plan_rows.is_binding,
        plan_rows.target_kind,
        registry.direction,
        registry.value_type,
        registry.is_additive,
        registry.unit
    from {{ ref('stg_plan__table_rows') }} as plan_rows
    inner join {{ ref('stg_plan__indicators') }} as registry using (indicator_code)
),

-- each region with its ancestors (four levels: nation, province, prefecture, county) — plain self-joins, so
-- the SQL stays portable
regions as (
    select
        region.region_code,
        region.is_county,
        region.parent_region_code,
        parent.parent_region_code as grandparent_region_code,
        grandparent.parent_region_code as great_grandparent_region_code
    from {{ ref('stg_plan__regions') }} as region
    left join {{ ref('stg_plan__regions') }} as parent on parent.region_code = region.parent_region_code
    left join {{ ref('stg_plan__regions') }} as grandparent on grandparent.region_code = parent.parent_region_code
),

actuals as (
    select * from {{ ref('int_observations__latest_yearly') }}
),

spine as (
    select
        indicators.*,
        regions.region_code,
        regions.is_county,
        regions.region_code = plan_years.plan_region_code as is_plan_region,
        regions.parent_region_code,
        plan_years.year,
        plan_years.start_year,
        plan_years.end_year,
        plan_years.plan_region_code
    from indicators
    inner join plan_years using (plan_code)
    inner join regions
        on plan_years.plan_region_code in (regions.region_code, regions.parent_region_code,
                                           regions.grandparent_region_code, regions.great_grandparent_region_code)
),

-- a region's share of the plan region for count indicators, fixed in the first year of the plan where both report
region_shares as (
    select
        plan_years.plan_code,
        region.indicator_code,
        region.region_code,
        {{ value_at_min('region.value / plan_region.value', 'region.year') }} as share_of_plan_region
    from actuals as region
    inner join plan_years on plan_years.year = region.year
    inner join actuals as plan_region
        on plan_region.indicator_code = region.indicator_code and plan_region.year = region.year
        and plan_region.region_code = plan_years.plan_region_code
    where plan_region.value <> 0 and region.region_code <> plan_years.plan_region_code
    group by plan_years.plan_code, region.indicator_code, region.region_code
),

spine_rows as (
    select
        spine.plan_code,
        spine.indicator_code,
        spine.region_code,
        spine.year,
        spine.start_year,
        spine.end_year,
        spine.is_county,
        spine.is_plan_region,
        spine.is_binding,
        spine.target_kind,
        spine.direction,
        spine.value_type,
        spine.is_additive,
        spine.unit,
        actuals.value as actual_value,
        actuals.status as actual_status,
        actuals.is_synthetic as actual_is_synthetic,
        targets.target_value as plan_region_target_value,
        targets.target_text,
        targets.comparator,
        targets.is_cumulative,
        targets.baseline_value,
        final_targets.target_value as plan_region_final_target_value,
        case
            when spine.is_plan_region then 'plan'
            when spine.value_type = 'rate' then 'plan_region_standard'
            when region_shares.share_of_plan_region is not null then 'share_of_plan_region_target'
        end as target_basis,
        case
            when spine.is_plan_region or spine.value_type = 'rate' then 1
            else region_shares.share_of_plan_region
        end as target_scale,
        -- read by the judgements but not carried here: the parent (county sums) and the region's own value in the
        -- year before the plan (the progress methods' baseline when none is printed)
        spine.parent_region_code,
        own_baseline.value as own_baseline_value,
        own_baseline.is_synthetic as own_baseline_is_synthetic
    from spine
    left join actuals using (indicator_code, region_code, year)
    left join targets
        on targets.indicator_code = spine.indicator_code and targets.plan_code = spine.plan_code
        and targets.year = spine.year and targets.region_code = spine.plan_region_code
    left join targets as final_targets
        on final_targets.indicator_code = spine.indicator_code and final_targets.plan_code = spine.plan_code
        and final_targets.year = spine.end_year and final_targets.region_code = spine.plan_region_code
    left join region_shares
        on region_shares.plan_code = spine.plan_code and region_shares.indicator_code = spine.indicator_code
        and region_shares.region_code = spine.region_code
    left join actuals as own_baseline
        on own_baseline.indicator_code = spine.indicator_code and own_baseline.region_code = spine.region_code
        and own_baseline.year = spine.start_year - 1
)

select
    plan_code, indicator_code, region_code, year, start_year, end_year, is_county, is_plan_region, is_binding,
    target_kind, direction, value_type, is_additive, unit, actual_value, actual_status, actual_is_synthetic,
    plan_region_target_value, target_text, comparator, is_cumulative, baseline_value, plan_region_final_target_value,
    target_basis, target_scale,
    {{ row_fingerprint([
        'start_year', 'end_year', 'is_county', 'is_plan_region', 'is_binding', 'target_kind', 'direction',
        'value_type', 'is_additive', 'unit', 'actual_value', 'actual_status', 'actual_is_synthetic',
        'plan_region_target_value', 'target_text', 'comparator', 'is_cumulative', 'baseline_value',
        'plan_region_final_target_value', 'target_basis', 'target_scale', 'parent_region_code',
        'own_baseline_value', 'own_baseline_is_synthetic',
        "'" ~ var('at_risk_tolerance') ~ "'", "'" ~ var('time_elapsed_in_line_points') ~ "'",
        "'" ~ progress_code_version() ~ "'"]) }} as input_fingerprint
from spine_rows
