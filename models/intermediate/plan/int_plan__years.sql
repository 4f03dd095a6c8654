-- Calendar years the warehouse accepts (vars first_year–last_year, 2016–2030), each with the plan period it
-- falls in, if any.
with

years as (
    {{ integer_series('year', var('first_year', 2016), var('last_year', 2030)) }}
),

periods as (
    select * from {{ ref('int_plan__periods') }}
)

select
    years.year,
    periods.plan_code,
    cast(years.year - periods.start_year + 1 as integer) as plan_year_index,
    coalesce(years.year = periods.end_year, false) as is_plan_final_year
from years
left join periods on years.year between periods.start_year and periods.end_year
