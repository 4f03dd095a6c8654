-- Plan evaluations in the shape of 专栏1: the 13th plan's final evaluation recomputed from its printed
-- target and actual (beside the printed completion), each monitored plan's mid-term (its middle year: 2023 for
-- the 14th plan, 2028 for the 15th) and final evaluations from loaded data, and every text target of 专栏3–16
-- with its status where data exists.
with

plan_rows as (
    select * from {{ ref('dim_plan_indicator') }}
),

plans as (
    select * from {{ ref('dim_plan') }}
),

-- monitored plans: mid-term and final from the progress mart ----------------------------------------
monitored as (
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
      and progress.year in (plans.start_year + cast((plans.end_year - plans.start_year) / 2 as integer), plans.end_year)
),

unioned as (
    select * from {{ ref('int_evaluation__thirteenth_plan') }}
    union all
    {{ evaluation_columns('monitored') }}
    union all
    select * from {{ ref('int_evaluation__text_targets') }}
)

select
    plan_code || ':' || evaluation || ':' || evaluation_year || ':' || coalesce(target_code, indicator_code)
        as evaluation_item_id,
    unioned.*
from unioned
