-- Quantified targets stated in the plan's text and in 专栏3–16, each with the phrase that states it.
select
    text_targets.target_code,
    text_targets.plan_code,
    plans.region_code,
    text_targets.section,
    text_targets.item_no,
    text_targets.subject_zh,
    text_targets.subject_en,
    text_targets.indicator_code,
    text_targets.quantity_text,
    text_targets.quantity,
    text_targets.unit,
    text_targets.unit_multiplier,
    text_targets.quantity_in_base_unit,
    text_targets.comparator_text,
    text_targets.comparator,
    text_targets.period_start_year,
    text_targets.period_end_year,
    text_targets.is_cumulative,
    text_targets.frequency,
    text_targets.target_type,
    text_targets.source_phrase
from {{ ref('stg_plan__text_targets') }} as text_targets
inner join {{ ref('stg_plan__periods') }} as plans using (plan_code)
