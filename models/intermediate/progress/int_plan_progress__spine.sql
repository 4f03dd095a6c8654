-- One row per 专栏2 indicator × region (city and counties) × plan year, with the actual (or none) and the
-- target that applies: the printed city target; for a county, the city's standard for rates, or the city's
-- count target apportioned by the county's share of the city in the first plan year both reported.
with

plan as (
    select * from {{ ref('dim_plan') }} where plan_code = '{{ var("progress_plan_code", "JM_HRSS_14") }}'
),

plan_years as (
    select dim_year.year, plan.plan_code, plan.start_year, plan.end_year, plan.region_code as plan_region_code
    from {{ ref('dim_year') }} as dim_year
    inner join plan on dim_year.plan_code = plan.plan_code
),

targets as (
    select * from {{ ref('fct_plan_target') }}
),

indicators as (
    select
        plan_rows.plan_code,
        plan_rows.indicator_code,
        plan_rows.is_binding,
        plan_rows.target_kind,
        dim_indicator.direction,
        dim_indicator.value_type,
        dim_indicator.is_additive,
        dim_indicator.unit
    from {{ ref('dim_plan_indicator') }} as plan_rows
    inner join {{ ref('dim_indicator') }} as dim_indicator using (indicator_code)
),

regions as (
    select region_code, parent_region_code, is_county from {{ ref('dim_region') }}
),

actuals as (
    select * from {{ ref('int_observations__latest_yearly') }}
),

spine as (
    select
        indicators.*,
        regions.region_code,
        regions.is_county,
        plan_years.year,
        plan_years.start_year,
        plan_years.end_year,
        plan_years.plan_region_code
    from indicators
    inner join plan_years using (plan_code)
    inner join regions
        on regions.region_code = plan_years.plan_region_code
        or regions.parent_region_code = plan_years.plan_region_code
),

-- a county's share of the city for count indicators, fixed in the first plan year where both report
county_shares as (
    select
        county.indicator_code,
        county.region_code,
        arg_min(county.value / nullif(city.value, 0), county.year) as share_of_city
    from actuals as county
    inner join regions on regions.region_code = county.region_code and regions.is_county
    inner join actuals as city
        on city.indicator_code = county.indicator_code and city.year = county.year
        and city.region_code = regions.parent_region_code
    inner join plan_years on plan_years.year = county.year
    where city.value <> 0
    group by all
)

select
    spine.plan_code,
    spine.indicator_code,
    spine.region_code,
    spine.year,
    spine.start_year,
    spine.end_year,
    spine.is_county,
    spine.is_binding,
    spine.target_kind,
    spine.direction,
    spine.value_type,
    spine.is_additive,
    spine.unit,
    actuals.value as actual_value,
    actuals.status as actual_status,
    actuals.is_synthetic as actual_is_synthetic,
    targets.target_value as city_target_value,
    targets.target_text,
    targets.comparator,
    targets.is_cumulative,
    targets.baseline_value,
    final_targets.target_value as city_final_target_value,
    case
        when not spine.is_county then 'plan'
        when spine.value_type = 'rate' then 'city_standard'
        when county_shares.share_of_city is not null then 'county_share_of_city_target'
    end as target_basis,
    case
        when not spine.is_county or spine.value_type = 'rate' then 1
        else county_shares.share_of_city
    end as target_scale
from spine
left join actuals using (indicator_code, region_code, year)
left join targets
    on targets.indicator_code = spine.indicator_code and targets.plan_code = spine.plan_code
    and targets.year = spine.year and targets.region_code = spine.plan_region_code
left join targets as final_targets
    on final_targets.indicator_code = spine.indicator_code and final_targets.plan_code = spine.plan_code
    and final_targets.year = spine.end_year and final_targets.region_code = spine.plan_region_code
left join county_shares
    on county_shares.indicator_code = spine.indicator_code and county_shares.region_code = spine.region_code
