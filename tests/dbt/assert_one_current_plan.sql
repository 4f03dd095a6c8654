-- Exactly one plan is current: two plans starting in the same year would make "the current plan" ambiguous,
-- and every progress model reads int_plan__periods.is_current.
select count(*) as current_plans
from {{ ref('int_plan__periods') }}
where is_current
having count(*) <> 1
