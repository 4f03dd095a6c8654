-- The public face of the observation store (int_observations__vintages, incremental): a view, so the store's
-- rows are kept once however large the warehouse grows; publishing copies it into the published file and
-- schema as a table like every other mart.
{{ config(materialized='view') }}
select
    indicator_code,
    region_code,
    year,
    period_start_year,
    is_multi_year_total,
    value,
    unit,
    status,
    is_synthetic,
    vintage,
    is_latest,
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
from {{ ref('int_observations__vintages') }}
