select
    plan_code,
    source_table,
    row_no,
    indicator_code,
    name_printed,
    unit_printed,
    attribute,
    coalesce(attribute = '约束性', false) as is_binding,
    target_kind,
    nullif(responsible_unit, '') as responsible_unit,
    nullif(responsible_unit_evidence, '') as responsible_unit_evidence
from ({{ plan_pack_union('plan_table_rows') }}) as seeded
