-- Plan evaluations in the shape of 专栏1: the 13th plan's final evaluation recomputed from its printed
-- target and actual (beside the printed completion), the 14th plan's mid-term (2023) and final (2025)
-- evaluations from loaded data, and every text target of 专栏3–16 with its status where data exists.
with

plan_rows as (
    select * from {{ ref('dim_plan_indicator') }}
),

indicators as (
    select * from {{ ref('dim_indicator') }}
),

plans as (
    select * from {{ ref('dim_plan') }}
),

-- 13th plan: 专栏1 as printed, completion recomputed the plan's way ------------------------------------
zl1 as (
    select
        zl1.*,
        plan_rows.target_kind,
        plan_rows.is_binding,
        plans.end_year,
        case when zl1.target_value <> 0 then {{ percent_of('zl1.actual_value', 'zl1.target_value') }} end
            as percent_of_target,
        -- decimals of the printed actual: the recomputed rate may differ from the printed one by the
        -- rounding of the printed inputs, no more
        case when trim(both '[]' from zl1.actual_text) like '%.%'
             then length(split_part(trim(both '[]' from zl1.actual_text), '.', 2)) else 0 end as actual_decimals
    from {{ ref('stg_plan__zl1_results') }} as zl1
    inner join plan_rows using (plan_code, indicator_code)
    inner join plans using (plan_code)
),

thirteenth as (
    select
        plan_code,
        'final' as evaluation,
        end_year as evaluation_year,
        indicator_code,
        cast(null as {{ text_type() }}) as target_code,
        name_printed as name_zh,
        unit_printed as unit,
        target_text,
        target_value,
        actual_value,
        case when target_kind in ('ceiling', 'ratio') or target_value = 0 then null
             else percent_of_target end as completion_rate,
        case
            when target_kind = 'ratio' then '——'
            when target_kind = 'ceiling' then
                case when actual_value <= target_value then '控制在目标范围内' else '超出目标范围' end
            else {{ format_percent('percent_of_target') }}
        end as completion_text,
        case target_comparator
            when '>=' then actual_value >= target_value
            when '>' then actual_value > target_value
            when '<=' then actual_value <= target_value
        end as is_met,
        attribute,
        is_binding,
        'plan_printed' as data_basis,
        completion_text as printed_completion_text,
        case
            when completion_rate_pct is null then null
            else abs(percent_of_target - completion_rate_pct)
                 <= 0.5 * power(10, -actual_decimals) / target_value * 100 + 0.005
        end as completion_within_rounding,
        '专栏1 第' || row_no || '行' as source_ref
    from zl1
),

-- 14th plan: mid-term (2023) and final (2025) from the progress mart -----------------------------------
fourteenth as (
    select
        progress.plan_code,
        case when progress.year = plans.end_year then 'final' else 'mid_term' end as evaluation,
        progress.year as evaluation_year,
        progress.indicator_code,
        cast(null as {{ text_type() }}) as target_code,
        plan_rows.name_printed as name_zh,
        plan_rows.unit_printed as unit,
        progress.target_text,
        progress.target_value,
        progress.measure_value as actual_value,
        progress.completion_rate,
        progress.completion_text,
        progress.is_met,
        plan_rows.attribute,
        progress.is_binding,
        case
            when progress.measure_value is null then 'no_data'
            when progress.measure_includes_synthetic then 'synthetic'
            else 'loaded'
        end as data_basis,
        cast(null as {{ text_type() }}) as printed_completion_text,
        cast(null as boolean) as completion_within_rounding,
        '专栏2 第' || plan_rows.row_no || '行' as source_ref
    from {{ ref('fct_plan_progress') }} as progress
    inner join plans using (plan_code)
    inner join plan_rows using (plan_code, indicator_code)
    where progress.region_code = plans.region_code
      and progress.year in ({{ var('mid_term_year', 2023) }}, plans.end_year)
),

-- text targets: judged over their own period where the target names a registry indicator ---------------
observations as (
    select * from {{ ref('int_observations__latest_yearly') }}
),

text_targets as (
    select * from {{ ref('fct_plan_text_target') }}
),

text_actuals as (
    select
        text_targets.target_code,
        count(observations.value) as years_reported,
        text_targets.period_end_year - text_targets.period_start_year + 1 as years_in_period,
        sum(observations.value * indicators.unit_multiplier) as total_in_base_unit,
        min(observations.value * indicators.unit_multiplier) as lowest_in_base_unit,
        max(observations.value * indicators.unit_multiplier) as highest_in_base_unit,
        max(observations.value * indicators.unit_multiplier)
            filter (where observations.year = text_targets.period_end_year) as final_year_in_base_unit,
        coalesce(bool_or(observations.is_synthetic), false) as includes_synthetic
    from text_targets
    inner join indicators using (indicator_code)
    left join observations
        on observations.indicator_code = text_targets.indicator_code
        and observations.region_code = text_targets.region_code
        and observations.year between text_targets.period_start_year and text_targets.period_end_year
    group by text_targets.target_code, text_targets.period_start_year, text_targets.period_end_year
),

text_measured as (
    select
        text_targets.*,
        text_actuals.includes_synthetic,
        text_actuals.years_reported,
        case
            when text_targets.indicator_code is null then null
            when text_targets.frequency = 'end_of_period' then text_actuals.final_year_in_base_unit
            when text_actuals.years_reported < text_actuals.years_in_period then null
            when text_targets.is_cumulative then text_actuals.total_in_base_unit
            when text_targets.comparator = '<=' then text_actuals.highest_in_base_unit
            else text_actuals.lowest_in_base_unit
        end / text_targets.unit_multiplier as actual_value
    from text_targets
    left join text_actuals using (target_code)
),

text_rated as (
    select
        *,
        case when quantity <> 0 then {{ percent_of('actual_value', 'quantity') }} end as percent_of_target
    from text_measured
),

text_evaluated as (
    select
        plan_code,
        'text_target' as evaluation,
        period_end_year as evaluation_year,
        indicator_code,
        target_code,
        subject_zh as name_zh,
        unit,
        case
            when quantity_text is null then comparator_text || ' ' || period_end_year || '年'
            when comparator_text in ('以上', '以内', '以上/年') then quantity_text || unit || comparator_text
            else coalesce(comparator_text, '') || quantity_text || unit
        end as target_text,
        quantity as target_value,
        actual_value,
        case when actual_value is null or comparator = '<=' or quantity = 0 then null
             else percent_of_target end as completion_rate,
        case
            when indicator_code is null then '无对应指标数据'
            when actual_value is null then '无数据'
            when comparator = '<=' then case when actual_value <= quantity then '控制在目标范围内' else '超出目标范围' end
            else {{ format_percent('percent_of_target') }}
        end as completion_text,
        case comparator
            when '>=' then actual_value >= quantity
            when '>' then actual_value > quantity
            when '<=' then actual_value <= quantity
            when '=' then actual_value >= quantity
        end as is_met,
        cast(null as {{ text_type() }}) as attribute,
        false as is_binding,
        case
            when actual_value is null then 'no_data'
            when includes_synthetic then 'synthetic'
            else 'loaded'
        end as data_basis,
        cast(null as {{ text_type() }}) as printed_completion_text,
        cast(null as boolean) as completion_within_rounding,
        section || coalesce(' 第' || item_no || '项', '') || '：' || source_phrase as source_ref
    from text_rated
),

{%- set evaluation_columns = ['plan_code', 'evaluation', 'evaluation_year', 'indicator_code', 'target_code',
    'name_zh', 'unit', 'target_text', 'target_value', 'actual_value', 'completion_rate', 'completion_text', 'is_met',
    'attribute', 'is_binding', 'data_basis', 'printed_completion_text', 'completion_within_rounding',
    'source_ref'] %}

unioned as (
    select {{ evaluation_columns | join(', ') }} from thirteenth
    union all
    select {{ evaluation_columns | join(', ') }} from fourteenth
    union all
    select {{ evaluation_columns | join(', ') }} from text_evaluated
)

select
    plan_code || ':' || evaluation || ':' || evaluation_year || ':' || coalesce(target_code, indicator_code)
        as evaluation_item_id,
    plan_code,
    evaluation,
    cast(evaluation_year as integer) as evaluation_year,
    indicator_code,
    target_code,
    name_zh,
    unit,
    target_text,
    cast(target_value as decimal(24, 6)) as target_value,
    cast(actual_value as decimal(24, 6)) as actual_value,
    cast(completion_rate as decimal(9, 2)) as completion_rate,
    completion_text,
    is_met,
    attribute,
    is_binding,
    data_basis,
    printed_completion_text,
    completion_within_rounding,
    source_ref
from unioned
