-- One row per submission (a load): its sender and where it stands — the last step of its history, or
-- `superseded` once a later submission from the same region corrects it. A returned submission's rows are never
-- released, superseded or not. Loads recorded before submissions existed have no history: they count as accepted.
with

events as (
    select * from {{ ref('stg_raw__submission_events') }}
),

loads as (
    select * from {{ ref('stg_raw__load_files') }}
),

ordered as (
    select
        *,
        row_number() over (partition by load_id order by happened_at desc) as step_from_last,
        min(happened_at) over (partition by load_id) as received_at
    from events
),

last_step as (
    select * from ordered where step_from_last = 1
),

superseding as (
    select supersedes as load_id, min(load_id) as superseded_by
    from events
    where supersedes is not null
    group by supersedes
),

open_holds as (
    select load_id, count(*) as open_queries
    from {{ ref('int_submissions__held_values') }}
    where is_open
    group by load_id
),

findings as (
    select load_id, cast(count(*) as integer) as findings
    from {{ ref('stg_raw__submission_findings') }}
    group by load_id
)

select
    loads.load_id,
    loads.file_name,
    loads.file_sha256,
    last_step.region_code,
    coalesce(last_step.sender, 'unknown') as sender,
    coalesce(last_step.received_at, loads.loaded_at) as received_at,
    coalesce(last_step.happened_at, loads.loaded_at) as status_at,
    case
        when superseding.superseded_by is not null then 'superseded'
        when last_step.status in ('queried', 'published') and open_holds.open_queries is not null then 'queried'
        when last_step.status = 'queried' then 'accepted'  -- every query answered: released by the next build
        else coalesce(last_step.status, 'accepted')
    end as status,
    coalesce(last_step.status, 'accepted') = 'returned' as is_returned,
    last_step.supersedes,
    superseding.superseded_by,
    loads.rows_read,
    loads.rows_loaded,
    loads.rows_duplicate,
    loads.rows_quarantined,
    coalesce(findings.findings, 0) as findings,
    last_step.note_zh,
    last_step.note_en
from loads
left join last_step on last_step.load_id = loads.load_id
left join superseding on superseding.load_id = loads.load_id
left join findings on findings.load_id = loads.load_id
left join open_holds on open_holds.load_id = loads.load_id
