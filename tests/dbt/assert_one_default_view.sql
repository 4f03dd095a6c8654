-- Exactly one plan is the one pages, reports and BI views open on (dim_plan.is_default_view).
select count(*) as default_plans
from {{ ref('dim_plan') }}
where is_default_view
having count(*) <> 1
