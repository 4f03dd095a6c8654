-- Every released value and every vintage of it, with where it came from — the warehouse's store of
-- observations, which marts.fct_indicator_observation publishes and the progress models read (through
-- int_observations__latest_yearly), so no intermediate model reads a mart. A returned submission's rows stay in
-- raw and in fct_submission_issue, never here (int_submissions__status decides; the post-hook removes the rows
-- of a submission a steward returned after it was released, also for a key no other load has). is_latest marks
-- the value the marts use: the highest vintage of each indicator × region × period. "What did we know on date
-- D?" is the highest vintage with loaded_at <= D (README).
--
-- Incremental: raw.observation only grows (a revision is a new vintage, never an update), so a build
-- re-derives just the keys that new loads touched — every vintage of each such key, so is_latest is right —
-- and replaces them (delete+insert on the key). A national warehouse receiving one new year rebuilds that
-- year, not 19 million rows (BENCHMARKS.md). `planwatch dbt build --full-refresh` rebuilds it all.
-- On Spark it is a table rebuilt whole: Spark's incremental strategies need Delta/Iceberg tables or partitions
-- (plain Parquet tables have neither delete+insert nor merge), and a Spark warehouse is rebuilt in batch.
{{ config(
    materialized='table' if target.type == 'spark' else 'incremental',
    file_format='parquet',
    incremental_strategy='delete+insert' if target.type != 'spark' else none,
    unique_key=['indicator_code', 'region_code', 'period_start_year', 'year'],
    on_schema_change='append_new_columns',
    post_hook=[] if target.type == 'spark' else [
        "delete from {{ this }} where load_id in "
        "(select load_id from {{ ref('int_submissions__status') }} where is_returned)"]
) }}
with

returned_loads as (
    select load_id from {{ ref('int_submissions__status') }} where is_returned
),

held_values as (
    select * from {{ ref('int_submissions__held_values') }}
),

observations as (
    select observations.* from {{ ref('stg_raw__observations') }} as observations
    where observations.load_id not in (select load_id from returned_loads)
      and not exists (
          select 1 from held_values
          where held_values.is_open and held_values.load_id = observations.load_id
            and held_values.indicator_code = observations.indicator_code
            and held_values.region_code = observations.region_code
            and held_values.period_start_year = observations.period_start_year
            and held_values.year = observations.year)
),

{% if is_incremental() %}
-- keys of the released loads this table has not seen yet, and of rows here whose submission was returned since.
-- Read from the key columns of staging, not from `observations`: a CTE read twice is materialized whole, and at
-- national scale that was every column of 19 million rows (5 of the 10 seconds this model took for a new year)
touched_keys as (
    select distinct indicator_code, region_code, period_start_year, year
    from {{ ref('stg_raw__observations') }}
    where load_id not in (select load_id from returned_loads)
      and load_id not in (select distinct load_id from {{ this }})
    union
    select distinct indicator_code, region_code, period_start_year, year
    from {{ this }}
    where load_id in (select load_id from returned_loads)
    union
    -- every key a query ever held: few, and a hold lifted since must release its value
    select distinct indicator_code, region_code, period_start_year, year
    from held_values
),

in_scope as (
    select observations.*
    from observations
    inner join touched_keys using (indicator_code, region_code, period_start_year, year)
)
{% else %}
in_scope as (
    select * from observations
)
{% endif %},

-- the highest vintage of each key: an aggregate joined back, not a window over every column (a window carries
-- the whole row through its sort: 16 against 11 seconds for 19 million rows)
latest as (
    select indicator_code, region_code, period_start_year, year, max(vintage) as vintage
    from in_scope
    group by indicator_code, region_code, period_start_year, year
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
    in_scope.vintage,
    in_scope.vintage = latest.vintage as is_latest,
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
from in_scope
inner join latest using (indicator_code, region_code, period_start_year, year)
