select
    load_id,
    file_name,
    file_sha256,
    file_bytes,
    file_format,
    encoding,
    layouts,
    loaded_at,
    rows_read,
    rows_loaded,
    rows_duplicate,
    rows_quarantined
from {{ source('raw', 'load_file') }}
