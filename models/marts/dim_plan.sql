-- Every plan with its status (int_plan__periods), and the plan pages open on (is_default_view): the current plan
-- once it has a value for one of its indicators in its own period, until then the plan being evaluated (in the
-- 15th plan's first year the office writes the 14th plan's final evaluation, and the 15th has no actual yet).
-- Decided here, once per build, because it reads the observations; readers switch plans themselves.
with

plans as (
    select * from {{ ref('int_plan__periods') }}
),

-- plans with a value for one of their indicators in their own period (a join, not EXISTS in the select list,
-- which Spark does not take)
plans_with_values as (
    select distinct plans.plan_code
    from plans
    inner join {{ ref('stg_plan__table_rows') }} as plan_rows on plan_rows.plan_code = plans.plan_code
    inner join {{ ref('int_observations__latest_yearly') }} as actuals
        on actuals.indicator_code = plan_rows.indicator_code and actuals.region_code = plans.region_code
        and actuals.year between plans.start_year and plans.end_year
),

with_values as (
    select plans.*, plans_with_values.plan_code is not null as has_values
    from plans
    left join plans_with_values on plans_with_values.plan_code = plans.plan_code
),

ranked as (
    select
        with_values.*,
        row_number() over (
            order by case
                when is_current and has_values then 0
                when status = 'evaluating' then 1
                when is_current then 2
                else 3
            end, start_year desc
        ) as preference
    from with_values
)

select
    plan_code,
    name_zh,
    name_en,
    period_label_zh,
    start_year,
    end_year,
    region_code,
    is_current,
    status,
    is_monitored,
    is_example,
    previous_plan_code,
    preference = 1 as is_default_view
from ranked
