-- 专栏1: the 13th plan's targets and results as printed
select
    plan_code,
    row_no,
    indicator_code,
    name_printed,
    unit_printed,
    target_text,
    target_value,
    target_comparator,
    actual_text,
    actual_value,
    completion_text,
    completion_rate_pct,
    attribute,
    is_cumulative
from ({{ plan_pack_union('plan_zl1_results') }}) as seeded
