-- Which indicators each plan table sets, with the table's own attribute (an indicator can be binding in
-- one plan and anticipatory in the next: 劳动保障监察举报投诉案件结案率).
select
    plan_code,
    indicator_code,
    source_table,
    row_no,
    name_printed,
    unit_printed,
    attribute,
    is_binding,
    target_kind,
    responsible_unit,
    responsible_unit_evidence
from {{ ref('stg_plan__table_rows') }}
