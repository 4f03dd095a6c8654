-- One row per indicator, region and year that a plan table sets a target for.
with

targets as (
    select * from {{ ref('int_plan_targets__unioned') }}
),

indicators as (
    select * from {{ ref('stg_plan__indicators') }}
)

select
    targets.indicator_code,
    targets.region_code,
    targets.plan_code,
    targets.year,
    targets.target_value,
    targets.target_text,
    targets.comparator,
    targets.comparator_source,
    targets.is_cumulative,
    targets.cumulative_from_year,
    indicators.unit,
    indicators.unit_multiplier,
    cast(targets.target_value * indicators.unit_multiplier as decimal(24, 4)) as target_value_in_base_unit,
    targets.baseline_year,
    targets.baseline_value,
    targets.baseline_text,
    targets.source_table,
    targets.source_row
from targets
inner join indicators using (indicator_code)
