-- How each indicator of a plan relates to the previous plan's (same, renamed, split, merged, new,
-- discontinued), as the newer plan's folder records it: the series of an indicator continues across plans
-- through this, and the new plan's printed baselines are checked against the old plan's actuals.
select
    plan_code,
    indicator_code,
    nullif(previous_plan_code, '') as previous_plan_code,
    nullif(previous_indicator_code, '') as previous_indicator_code,
    relation,
    nullif(note, '') as note
from ({{ plan_pack_union('indicator_crosswalk') }}) as seeded
