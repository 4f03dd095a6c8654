select
    plan_code,
    region_code,
    name_zh,
    name_en,
    period_label_zh,
    start_year,
    end_year,
    source_ref
from {{ ref('plan_periods') }}
