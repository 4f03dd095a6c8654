select
    indicator_code,
    name_zh,
    name_en,
    category,
    unit,
    unit_multiplier,
    base_unit,
    value_type,
    is_additive,
    attribute,
    is_binding,
    direction,
    target_kind,
    responsible_unit,
    source_ref,
    plan_code
from {{ ref('stg_plan__indicators') }}
