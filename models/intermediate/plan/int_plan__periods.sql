-- Every plan period with its place in the succession, decided once, here, from the plan data: the current
-- plan is the one with the latest start year. dim_plan publishes this;
-- the progress models and the reports read is_current instead of deciding again.
with

periods as (
    select * from {{ ref('stg_plan__periods') }}
),

ordered as (
    select
        periods.*,
        cast(rank() over (order by periods.start_year desc) as integer) as recency_rank
    from periods
)

select
    plan_code,
    region_code,
    name_zh,
    name_en,
    period_label_zh,
    start_year,
    end_year,
    source_ref,
    recency_rank = 1 as is_current
from ordered
