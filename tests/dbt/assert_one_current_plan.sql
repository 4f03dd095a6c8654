-- Exactly one plan is current (status, set by the steward in the plan folders): the default view and the reports
-- read it, and a second one would make "the plan in force" ambiguous.
select count(*) as current_plans
from {{ ref('int_plan__periods') }}
where is_current
having count(*) <> 1
