select
    plan_code,
    name_zh,
    name_en,
    period_label_zh,
    start_year,
    end_year,
    region_code,
    plan_code = {{ current_plan_code() }} as is_current
from {{ ref('stg_plan__periods') }}
