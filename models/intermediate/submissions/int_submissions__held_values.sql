-- The values a year-on-year query holds back: its submission's value for that key stays out of the release (the
-- previous vintage stays current) until the sender answers or the steward accepts. `is_open` false: released.
select
    queries.query_id,
    queries.load_id,
    queries.indicator_code,
    queries.region_code,
    queries.period_start_year,
    queries.year,
    not exists (
        select 1 from {{ ref('stg_raw__review_answers') }} as answers where answers.query_id = queries.query_id
    ) as is_open
from {{ ref('stg_raw__review_queries') }} as queries
where queries.holds
