-- The 13th plan's final evaluation in the shape of 专栏1: the printed target and actual, the completion
-- recomputed the plan's way beside the printed one, and whether the two agree to the rounding of the printed
-- inputs (rpt_plan_evaluation publishes it with the 14th plan's evaluations and the text targets'). Only for plans
-- no longer monitored (history): a monitored plan's evaluation comes from the warehouse's own data, and what a
-- later plan prints about it (the 15th plan's review of the 14th) is compared with that, not put beside it.
with

plan_rows as (
    select * from {{ ref('stg_plan__table_rows') }}
),

plans as (
    select * from {{ ref('int_plan__periods') }}
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
    where not plans.is_monitored
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
)

-- the report's columns, at the report's types (macros/evaluation_columns.sql)
{{ evaluation_columns('thirteenth') }}
