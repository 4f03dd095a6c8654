-- The value the marts use for each indicator × region × year: the latest vintage of a yearly value
-- (multi-year totals such as the plan's 2016–2020 figures are not yearly values and are left out here).
select
    indicator_code,
    region_code,
    year,
    value,
    status,
    is_synthetic,
    vintage,
    load_id,
    source_file,
    source_row
from {{ ref('int_observations__vintages') }}
where is_latest and not is_multi_year_total
