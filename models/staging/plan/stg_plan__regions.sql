select
    region_code,
    name_zh,
    name_en,
    level,
    nullif(trim(parent_region_code), '') as parent_region_code,
    level = 'county' as is_county
from {{ ref('regions') }}
