select
    query_id,
    decision,
    actor,
    note,
    answered_at
from {{ source('raw', 'review_answer') }}
