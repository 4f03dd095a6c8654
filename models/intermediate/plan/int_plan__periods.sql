-- Every plan period with its place in the succession, decided once, here, from the plan data: its status as the
-- steward set it (current / evaluating / history, seeds/plans/*/…plan_periods.csv), whether its progress is
-- monitored (the current plan, and the plan before it while its final evaluation is written), the plan before it
-- (the latest plan of its region that ends before it starts). dim_plan publishes this, with the plan pages open on;
-- the progress models, the reports and the dashboard read it instead of deciding again. (No observation is read
-- here: this view is inlined wherever a plan is joined.)
with

periods as (
    select * from {{ ref('stg_plan__periods') }}
),

previous as (
    select
        later.plan_code,
        earlier.plan_code as previous_plan_code,
        row_number() over (partition by later.plan_code order by earlier.end_year desc) as nearness
    from periods as later
    inner join periods as earlier
        on earlier.region_code = later.region_code and earlier.end_year < later.start_year
)

select
    periods.plan_code,
    periods.region_code,
    periods.name_zh,
    periods.name_en,
    periods.period_label_zh,
    periods.start_year,
    periods.end_year,
    periods.source_ref,
    periods.status,
    periods.status = 'current' as is_current,
    periods.status in ('current', 'evaluating') as is_monitored,
    periods.is_example,
    previous.previous_plan_code
from periods
left join previous on previous.plan_code = periods.plan_code and previous.nearness = 1
