-- 预警: the indicators the responsible units must act on, binding (约束性) ones first — where 序时进度 says 滞后
-- (behind time elapsed) or the projection misses the final target, in the latest year with data — with the pace
-- still needed per remaining year. A region under the plan region is a reference (参考): the plan sets it no target.
with

progress as (
    select * from {{ ref('int_plan_progress__judged') }} where is_latest_year_with_data
),

time_elapsed as (
    select * from {{ ref('int_progress__assessed') }} where method = 'time_elapsed'
),

indicators as (
    select indicator_code, name_zh, name_en, unit, responsible_unit from {{ ref('dim_indicator') }}
),

warned as (
    select
        progress.plan_code,
        progress.indicator_code,
        progress.region_code,
        progress.year,
        progress.is_binding,
        not progress.is_plan_region as is_reference,
        indicators.name_zh,
        indicators.name_en,
        indicators.unit,
        indicators.responsible_unit,
        time_elapsed.category_code = 'behind' as is_behind_time_elapsed,
        coalesce(not progress.projected_meets_final_target, false) as projection_misses_target,
        time_elapsed.progress_share,
        time_elapsed.time_elapsed_share,
        progress.final_target_value,
        progress.projected_final_value,
        progress.required_yearly_pace,
        progress.end_year - progress.year as years_remaining,
        coalesce(progress.measure_includes_synthetic, false) or time_elapsed.is_synthetic_input as is_synthetic_input
    from progress
    inner join time_elapsed using (indicator_code, region_code, year)
    inner join indicators using (indicator_code)
    where progress.target_kind <> 'ratio'
      and (time_elapsed.category_code = 'behind' or not progress.projected_meets_final_target)
)

select
    *,
    -- binding indicators of the plan region first, then the rest; references last
    case when is_binding and not is_reference then 1 when not is_reference then 2 else 3 end as priority,
    name_zh || '（' || cast(year as {{ text_type() }}) || '年）：'
        || case when is_behind_time_elapsed then '滞后于序时进度' else '' end
        || case when is_behind_time_elapsed and projection_misses_target then '；' else '' end
        || case when projection_misses_target
                then '按目前趋势预计到' || cast(year + years_remaining as {{ text_type() }}) || '年达到 '
                     || {{ number_text('projected_final_value') }} || unit || '，未达目标 '
                     || {{ number_text('final_target_value') }} || unit
                else '' end
        || case when required_yearly_pace is not null and years_remaining > 0
                then '；剩余 ' || cast(years_remaining as {{ text_type() }}) || ' 年每年需完成 '
                     || {{ number_text('required_yearly_pace') }} || unit
                else '' end
        || case when is_reference then '（参考：规划未对该地区设定目标）' else '' end
        || case when is_synthetic_input then '（示例数据）' else '' end as warning_zh,
    name_en || ' (' || cast(year as {{ text_type() }}) || '): '
        || case when is_behind_time_elapsed then 'behind time elapsed' else '' end
        || case when is_behind_time_elapsed and projection_misses_target then '; ' else '' end
        || case when projection_misses_target
                then 'on the present trend ' || {{ number_text('projected_final_value') }} || ' ' || unit || ' by '
                     || cast(year + years_remaining as {{ text_type() }}) || ', short of the target '
                     || {{ number_text('final_target_value') }} || ' ' || unit
                else '' end
        || case when required_yearly_pace is not null and years_remaining > 0
                then '; ' || {{ number_text('required_yearly_pace') }} || ' ' || unit || ' a year still needed for '
                     || cast(years_remaining as {{ text_type() }}) || ' year(s)'
                else '' end
        || case when is_reference then ' (reference: the plan sets this region no target)' else '' end
        || case when is_synthetic_input then ' (synthetic demo data)' else '' end as warning_en
from warned
order by priority, indicator_code, region_code
