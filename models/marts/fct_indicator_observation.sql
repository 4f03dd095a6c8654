-- Every loaded value and every vintage of it, with where it came from. is_latest marks the value the marts
-- use: the highest vintage of each indicator × region × period. "What did we know on date D?" is the highest
-- vintage with loaded_at <= D (README).
with

observations as (
    select * from {{ ref('stg_raw__observations') }}
)

select
    indicator_code,
    region_code,
    year,
    period_start_year,
    period_start_year < year as is_multi_year_total,
    value,
    unit,
    status,
    is_synthetic,
    vintage,
    vintage = max(vintage) over (partition by indicator_code, region_code, period_start_year, year) as is_latest,
    load_id,
    source_file,
    source_file_sha256,
    source_sheet,
    source_row,
    source_column,
    value_as_given,
    unit_as_given,
    source_text,
    note,
    loaded_at
from observations
