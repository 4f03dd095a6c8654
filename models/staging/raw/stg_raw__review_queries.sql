select
    query_id,
    kind,
    load_id,
    indicator_code,
    region_code,
    period_start_year,
    year,
    holds,
    detail_zh,
    detail_en,
    opened_by,
    opened_at
from {{ source('raw', 'review_query') }}
