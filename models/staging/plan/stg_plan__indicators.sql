-- The indicator registry: one row per indicator concept. Each plan folder lists the indicators its document
-- defines (an indicator can belong to several plans); the row of the latest plan that defines it gives its
-- name, unit and attributes (a plan may rename an indicator or change it from 预期性 to 约束性), so the registry
-- stays one row per code when a plan is added.
with

registry as (
    select * from ({{ plan_pack_union('plan_indicators') }}) as seeded
),

periods as (
    select plan_code, start_year from ({{ plan_pack_union('plan_periods') }}) as seeded
),

ranked as (
    select
        registry.*,
        row_number() over (
            partition by registry.indicator_code
            order by case when periods.start_year is null then 1 else 0 end, periods.start_year desc
        ) as recency_rank
    from registry
    left join periods on periods.plan_code = nullif(registry.plan_code, '')
)

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
from ranked
where recency_rank = 1
