-- Every quantified text target of the plan (专栏3–16 and the text) judged over its own period, where it names a
-- registry indicator: the period's total, lowest, highest or final-year value against the stated quantity
-- (rpt_plan_evaluation publishes it).
with

indicators as (
    select * from {{ ref('stg_plan__indicators') }}
),

observations as (
    select * from {{ ref('int_observations__latest_yearly') }}
),

text_targets as (
    select text_targets.*, plans.region_code
    from {{ ref('stg_plan__text_targets') }} as text_targets
    inner join {{ ref('stg_plan__periods') }} as plans using (plan_code)
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
)

-- the report's columns, at the report's types (macros/evaluation_columns.sql)
{{ evaluation_columns('text_evaluated') }}
