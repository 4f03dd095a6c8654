select
    plan_code,
    region_code,
    name_zh,
    name_en,
    period_label_zh,
    start_year,
    end_year,
    source_ref,
    status,
    coalesce(is_example, false) as is_example
from ({{ plan_pack_union('plan_periods') }}) as seeded
