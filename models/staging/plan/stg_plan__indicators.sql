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
    direction,
    target_kind,
    nullif(attribute, '') as attribute,
    coalesce(nullif(attribute, '') = '约束性', false) as is_binding,
    nullif(responsible_unit, '') as responsible_unit,
    source_ref,
    nullif(plan_code, '') as plan_code
from {{ ref('plan_indicators') }}
