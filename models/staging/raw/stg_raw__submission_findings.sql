select
    load_id,
    finding_code,
    sheet as source_sheet,
    source_row,
    column_name as source_column,
    raw_value,
    indicator_code,
    region_code,
    year,
    reason_zh,
    reason_en,
    found_at
from {{ source('raw', 'submission_finding') }}
