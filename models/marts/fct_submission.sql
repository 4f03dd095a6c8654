-- One row per submission (报送): who sent which file, what became of it, and the counts that account for
-- every record (rows_read = rows_loaded + rows_duplicate + rows_quarantined).
select
    load_id,
    file_name,
    file_sha256,
    region_code,
    sender,
    received_at,
    status_at,
    status,
    case status
        when 'accepted' then '已接受'
        when 'returned' then '已退回'
        when 'queried' then '待说明'
        when 'published' then '已发布'
        when 'superseded' then '已由更正版本替代'
        when 'checked' then '已检查'
        else '已接收'
    end as status_zh,
    is_returned,
    supersedes,
    superseded_by,
    rows_read,
    rows_loaded,
    rows_duplicate,
    rows_quarantined,
    findings,
    note_zh,
    note_en
from {{ ref('int_submissions__status') }}
