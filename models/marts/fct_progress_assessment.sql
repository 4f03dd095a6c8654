-- Progress as the authorities judge it: one row per plan × indicator × region × year × method, with the
-- inputs each method used, its score and its category in Chinese and English. Methods, formulas, thresholds and
-- sources: _marts__progress_assessment.yml. A region under the plan region is judged by the plan region's
-- standard, which the plan does not set for it: its labels say 参考 / reference.
-- Incremental like int_plan_progress__judged (macros/incremental_progress.sql): the changed plan × indicator
-- slices from their first changed year, each build's rows inserted in region order.
{{ config(
    materialized=progress_materialization(),
    incremental_strategy=none if target.type == 'spark' else 'delete+insert',
    unique_key=['plan_code', 'indicator_code', 'region_code', 'year', 'method'],
    on_schema_change='append_new_columns',
    post_hook=[] if target.type == 'spark' else ['{{ delete_rows_not_in(ref("int_progress__assessed"), ["plan_code", "indicator_code", "region_code", "year", "method"]) }}']
) }}
with

{% if is_incremental() %}
rebuilt as (
    {{ progress_rebuild_slices(ref('int_progress__assessed'), this,
                               ['plan_code', 'indicator_code', 'region_code', 'year', 'method']) }}
),

assessed as (
    {{ rows_in_rebuilt_slices(ref('int_progress__assessed'), from_year_on=true) }}
),
{% else %}
assessed as (
    select * from {{ ref('int_progress__assessed') }}
),
{% endif %}

labels as (
    {% set rows = [
        ('time_elapsed', 'achieved_early', '提前实现', 'achieved ahead of time'),
        ('time_elapsed', 'achieved', '已实现', 'achieved'),
        ('time_elapsed', 'ahead', '快于预期', 'ahead of time elapsed'),
        ('time_elapsed', 'in_line', '基本符合预期', 'in line with time elapsed'),
        ('time_elapsed', 'behind', '滞后', 'behind time elapsed'),
        ('open_sdg', 'target_achieved', '目标已实现', 'target achieved'),
        ('open_sdg', 'on_track', '进展符合要求', 'on track'),
        ('open_sdg', 'acceleration_needed', '有进展，需加快', 'progress made but acceleration needed'),
        ('open_sdg', 'limited_progress', '进展有限', 'limited progress'),
        ('open_sdg', 'deterioration', '倒退', 'deterioration'),
        ('un_sdg', 'target_met', '目标已实现', 'target met'),
        ('un_sdg', 'on_track', '有望实现目标', 'on track to meet the target'),
        ('un_sdg', 'fair_progress', '取得一定进展，需加快', 'fair progress, acceleration needed'),
        ('un_sdg', 'stagnation_or_regression', '停滞或倒退', 'stagnation or regression'),
    ] %}
    {% for method, code, zh, en in rows %}
    select '{{ method }}' as method, '{{ code }}' as category_code, '{{ zh }}' as label_zh, '{{ en }}' as label_en
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

reasons as (
    {% set reasons = [
        ('ratio_indicator', '比例类指标不评价进度', 'a ratio indicator: progress is not rated'),
        ('no_target', '没有目标值', 'no target'),
        ('no_data', '当年无数据', 'no value for the year'),
        ('incomplete_data', '累计期内有年份缺数，累计数不完整', 'a year of the running total is missing'),
        ('no_baseline', '没有基期值（规划未印基数，也未报送基期数据）', 'no baseline value (none printed, none loaded)'),
        ('cumulative_target', '五年累计目标没有复合增长路径，见 time_elapsed', 'a five-year total has no compound growth path: see time_elapsed'),
        ('too_few_points', '数据不足两个年份', 'fewer than two years of data'),
        ('non_positive_values', '指数增长模型要求数值为正', 'the exponential model needs positive values'),
        ('target_equals_base', '目标值等于基期值，所需增长率为零', 'the target equals the base value: no growth is required'),
        ('zero_base', '基期值为零，无法计算增长率', 'the base value is zero: no growth rate'),
    ] %}
    {% for code, zh, en in reasons %}
    select '{{ code }}' as not_assessed_reason, '{{ zh }}' as reason_zh, '{{ en }}' as reason_en
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select
    assessed.plan_code,
    assessed.indicator_code,
    assessed.region_code,
    assessed.year,
    assessed.method,
    assessed.is_reference,
    assessed.is_binding,
    assessed.target_kind,
    assessed.target_basis,
    assessed.baseline_year,
    assessed.baseline_value,
    assessed.latest_year,
    assessed.latest_value,
    assessed.target_value,
    assessed.target_year,
    assessed.time_elapsed_share,
    assessed.progress_share,
    assessed.score,
    assessed.category_code,
    case
        when assessed.category_code = 'not_assessed' then '不评价：' || reasons.reason_zh
        when assessed.is_reference then labels.label_zh || '（参考）'
        else labels.label_zh
    end as category_zh,
    case
        when assessed.category_code = 'not_assessed' then 'not assessed: ' || reasons.reason_en
        when assessed.is_reference then labels.label_en || ' (reference)'
        else labels.label_en
    end as category_en,
    assessed.not_assessed_reason,
    assessed.is_synthetic_input,
    assessed.input_fingerprint
from assessed
left join labels using (method, category_code)
left join reasons using (not_assessed_reason)
order by assessed.region_code, assessed.indicator_code, assessed.year, assessed.method
