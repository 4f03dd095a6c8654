select
    load_id,
    file_name as source_file,
    file_sha256 as source_file_sha256,
    sheet as source_sheet,
    source_row,
    column_name as source_column,
    raw_value,
    reason_code,
    reason_zh,
    reason_en,
    loaded_at
from {{ source('raw', 'quarantine') }}
