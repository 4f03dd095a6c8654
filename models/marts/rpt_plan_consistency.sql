-- The plan against itself: each target stated in the text beside the 专栏2 cell that sets the same thing.
-- A steward reads which sentence disagrees with which cell; the quality gate reports disagreements as
-- warnings (they are the plan's own, not the data's).
with

text_targets as (
    select * from {{ ref('stg_plan__text_targets') }} where indicator_code is not null or ratio_of is not null
),

targets as (
    select * from {{ ref('fct_plan_target') }}
),

plan_rows as (
    select * from {{ ref('dim_plan_indicator') }} where source_table = '专栏2'
),

-- the yearly step of a cumulative path: what one year must add
steps as (
    select
        targets.*,
        targets.target_value_in_base_unit - coalesce(lag(targets.target_value_in_base_unit) over (
            partition by targets.indicator_code, targets.plan_code order by targets.year), 0) as step_in_base_unit
    from targets
    inner join {{ ref('dim_plan') }} as plans on plans.plan_code = targets.plan_code and plans.is_monitored
),

-- totals and levels at the target's deadline
at_deadline as (
    select
        text_targets.target_code,
        targets.year,
        targets.target_text as cell_text,
        targets.target_value_in_base_unit as table_value,
        targets.comparator as table_comparator
    from text_targets
    inner join targets
        on targets.indicator_code = text_targets.indicator_code and targets.plan_code = text_targets.plan_code
        and targets.year = text_targets.period_end_year
    where text_targets.frequency in ('period', 'end_of_period', 'deadline')
),

-- "…以上/年" against every yearly step in its period; "each year" against every year's cell
per_year as (
    select
        text_targets.target_code,
        steps.year,
        steps.target_text as cell_text,
        case when text_targets.frequency = 'per_year' then steps.step_in_base_unit
             else steps.target_value_in_base_unit end as table_value,
        steps.comparator as table_comparator
    from text_targets
    inner join steps
        on steps.indicator_code = text_targets.indicator_code
        and steps.year between text_targets.period_start_year and text_targets.period_end_year
    where text_targets.frequency in ('per_year', 'each_year')
),

-- a share stated in the text against the ratio of two 专栏2 targets in the deadline year
ratios as (
    select
        text_targets.target_code,
        numerator.year,
        numerator.target_text || ' ÷ ' || denominator.target_text as cell_text,
        round(numerator.target_value_in_base_unit / denominator.target_value_in_base_unit * 100, 2) as table_value,
        '=' as table_comparator
    from text_targets
    inner join targets as numerator
        on numerator.indicator_code = split_part(text_targets.ratio_of, '/', 1)
        and numerator.plan_code = text_targets.plan_code and numerator.year = text_targets.period_end_year
    inner join targets as denominator
        on denominator.indicator_code = split_part(text_targets.ratio_of, '/', 2)
        and denominator.plan_code = text_targets.plan_code and denominator.year = numerator.year
),

compared as (
    select * from at_deadline
    union all select * from per_year
    union all select * from ratios
)

select
    text_targets.target_code,
    compared.year,
    text_targets.section,
    text_targets.source_phrase as sentence,
    coalesce(text_targets.indicator_code, split_part(text_targets.ratio_of, '/', 1)) as indicator_code,
    '专栏2 第' || plan_rows.row_no || '行 ' || compared.year || '年' as cell_ref,
    compared.cell_text,
    cast(text_targets.quantity_in_base_unit as decimal(24, 4)) as text_value,
    cast(compared.table_value as decimal(24, 4)) as table_value,
    text_targets.comparator as text_comparator,
    compared.table_comparator,
    case
        when text_targets.frequency = 'per_year' then compared.table_value >= text_targets.quantity_in_base_unit
        else compared.table_value = text_targets.quantity_in_base_unit
    end as values_agree,
    text_targets.section || '“' || text_targets.source_phrase || '”与' || '专栏2 第' || plan_rows.row_no || '行 '
        || compared.year || '年（' || compared.cell_text || '）'
        || case
               when (text_targets.frequency = 'per_year' and compared.table_value >= text_targets.quantity_in_base_unit)
                    or (text_targets.frequency <> 'per_year' and compared.table_value = text_targets.quantity_in_base_unit)
                   then '一致'
               else '不一致：文本 ' || {{ number_text('text_targets.quantity_in_base_unit') }} || '，表格 '
                    || {{ number_text('compared.table_value') }}
           end as finding_zh
from compared
inner join text_targets using (target_code)
inner join plan_rows
    on plan_rows.indicator_code = coalesce(text_targets.indicator_code, split_part(text_targets.ratio_of, '/', 1))
    and plan_rows.plan_code = text_targets.plan_code
