-- Succession: each new plan's printed baseline (the year before it starts, 2025 for the 15th plan) beside what the
-- warehouse holds for the previous plan in that year — its final-year measure at the plan region (the period's
-- running total for a cumulative indicator, the year's value for a level). Real plans revise baselines, so a
-- difference is not an error of the data: the quality gate reports it as a warning, and the steward asks the
-- plan's drafters or the statistics which is right. The crosswalk says which previous indicator a series continues.
with

plans as (
    select * from {{ ref('int_plan__periods') }}
),

baselines as (
    select
        cells.plan_code,
        cells.indicator_code,
        cells.row_no,
        cells.year as baseline_year,
        cells.cell_text as baseline_text,
        cells.value as baseline_value,
        cells.is_cumulative,
        -- decimals printed: a value that agrees to them agrees
        case when trim(both '[] ' from cells.cell_text) like '%.%'
             then length(split_part(trim(both '[] ' from cells.cell_text), '.', 2)) else 0 end as printed_decimals
    from {{ ref('stg_plan__zl2_cells') }} as cells
    where cells.is_baseline
),

continued as (
    select
        baselines.*,
        crosswalk.previous_plan_code,
        crosswalk.previous_indicator_code,
        crosswalk.relation
    from baselines
    inner join {{ ref('stg_plan__crosswalk') }} as crosswalk
        on crosswalk.plan_code = baselines.plan_code and crosswalk.indicator_code = baselines.indicator_code
    where crosswalk.relation in ('same', 'renamed') and crosswalk.previous_indicator_code is not null
),

-- the previous plan's measure where it is monitored (its running total for a cumulative indicator); for a plan no
-- longer monitored, the loaded value of a level indicator in that year at its region (no running total is kept)
monitored_actuals as (
    select
        progress.plan_code,
        progress.indicator_code,
        progress.year,
        progress.measure_value,
        progress.measure_includes_synthetic
    from {{ ref('fct_plan_progress') }} as progress
    inner join plans on plans.plan_code = progress.plan_code and plans.region_code = progress.region_code
),

loaded_actuals as (
    select
        plans.plan_code,
        actuals.indicator_code,
        actuals.year,
        actuals.value as measure_value,
        actuals.is_synthetic as measure_includes_synthetic
    from {{ ref('int_observations__latest_yearly') }} as actuals
    inner join plans on plans.region_code = actuals.region_code and actuals.year = plans.end_year
    where not plans.is_monitored
),

previous_actuals as (
    select monitored_actuals.*, false as is_cumulative_only from monitored_actuals
    union all
    select loaded_actuals.*, true as is_cumulative_only from loaded_actuals
)

select
    continued.plan_code,
    continued.indicator_code,
    continued.row_no,
    continued.baseline_year,
    continued.baseline_text,
    cast(continued.baseline_value as decimal(24, 6)) as baseline_value,
    continued.previous_plan_code,
    continued.previous_indicator_code,
    continued.relation,
    cast(previous_actuals.measure_value as decimal(24, 6)) as previous_actual_value,
    coalesce(previous_actuals.measure_includes_synthetic, false) as previous_actual_is_synthetic,
    cast(continued.baseline_value - previous_actuals.measure_value as decimal(24, 6)) as difference,
    case
        when previous_actuals.measure_value is null then null
        else abs(continued.baseline_value - previous_actuals.measure_value)
             <= 0.5 * power(10, -continued.printed_decimals) + 0.000001
    end as agrees,
    case
        when previous_actuals.measure_value is null then
            '专栏2 第' || continued.row_no || '行 ' || continued.baseline_year || '年基数 ' || continued.baseline_text
            || '：上一规划 ' || continued.previous_plan_code || ' 没有该年的数值可核对'
        when abs(continued.baseline_value - previous_actuals.measure_value)
             <= 0.5 * power(10, -continued.printed_decimals) + 0.000001 then
            '专栏2 第' || continued.row_no || '行 ' || continued.baseline_year || '年基数 ' || continued.baseline_text
            || ' 与 ' || continued.previous_plan_code || ' 的实际值一致'
        else
            '专栏2 第' || continued.row_no || '行 ' || continued.baseline_year || '年基数 ' || continued.baseline_text
            || ' 与 ' || continued.previous_plan_code || ' 的实际值 '
            || {{ number_text('previous_actuals.measure_value') }} || ' 不一致，请核实'
    end as finding_zh
from continued
left join previous_actuals
    on previous_actuals.plan_code = continued.previous_plan_code
    and previous_actuals.indicator_code = continued.previous_indicator_code
    and previous_actuals.year = continued.baseline_year
    -- a loaded yearly value is no five-year total
    and not (previous_actuals.is_cumulative_only and continued.is_cumulative)
