select
    region_code,
    name_zh,
    name_en,
    level,
    parent_region_code,
    is_county
from {{ ref('stg_plan__regions') }}
