select
    plan_code,
    name_zh,
    name_en,
    period_label_zh,
    start_year,
    end_year,
    region_code,
    is_current
from {{ ref('int_plan__periods') }}
