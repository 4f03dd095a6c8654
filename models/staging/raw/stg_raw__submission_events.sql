select
    load_id,
    status,
    region_code,
    sender,
    actor,
    supersedes,
    note_zh,
    note_en,
    happened_at
from {{ source('raw', 'submission_event') }}
