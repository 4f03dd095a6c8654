select
    achievement_code,
    plan_code,
    section,
    subject_zh,
    nullif(indicator_code, '') as indicator_code,
    value_text,
    value,
    unit,
    unit_multiplier,
    base_unit,
    value_in_base_unit,
    period_start_year,
    period_end_year,
    is_cumulative,
    is_indicator_value,
    source_phrase
from ({{ plan_pack_union('plan_achievements') }}) as seeded
