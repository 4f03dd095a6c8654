-- Calendar years the warehouse accepts (2016–2030), each with the plan period it falls in, if any.
select
    year,
    plan_code,
    plan_year_index,
    is_plan_final_year
from {{ ref('int_plan__years') }}
