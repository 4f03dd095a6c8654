-- What went back to the senders: every quarantined record and every impossible value that returned a
-- submission, with the cell (sheet, row, column, value) and the reason in Chinese and English — the rows of
-- each submission's error list (错误清单).
with

quarantined as (
    select
        load_id, source_file, source_sheet, source_row, source_column, raw_value,
        'quarantined' as action, reason_code, reason_zh, reason_en
    from {{ ref('stg_raw__quarantine') }}
),

returned as (
    select
        findings.load_id, loads.file_name as source_file, findings.source_sheet, findings.source_row,
        findings.source_column, findings.raw_value,
        'returned' as action, findings.finding_code as reason_code, findings.reason_zh, findings.reason_en
    from {{ ref('stg_raw__submission_findings') }} as findings
    inner join {{ ref('stg_raw__load_files') }} as loads on loads.load_id = findings.load_id
)

select * from quarantined
union all
select * from returned
