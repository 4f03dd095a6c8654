-- Every target the plan tables set, one row per indicator × plan × year: each plan's own indicator table
-- (专栏2 of the 14th plan: 2021–2025, with the 2020 baseline beside it) and, for a plan whose own table is not in
-- the pack, the targets a later plan prints with its results (专栏1 of the 14th plan: the 13th plan, judged at
-- 2020). A plan's own table wins: the 15th plan's review of the 14th does not set the 14th plan's targets again.
with

periods as (
    select * from {{ ref('stg_plan__periods') }}
),

zl2_cells as (
    select * from {{ ref('stg_plan__zl2_cells') }}
),

zl2_baselines as (
    select
        plan_code,
        indicator_code,
        year as baseline_year,
        value as baseline_value,
        cell_text as baseline_text
    from zl2_cells
    where is_baseline
),

zl2_targets as (
    select
        cells.plan_code,
        cells.indicator_code,
        cells.year,
        cells.value as target_value,
        cells.cell_text as target_text,
        cells.comparator,
        cells.comparator_source,
        cells.is_cumulative,
        cells.cumulative_from_year,
        baselines.baseline_year,
        baselines.baseline_value,
        baselines.baseline_text,
        '专栏2' as source_table,
        cells.row_no as source_row
    from zl2_cells as cells
    left join zl2_baselines as baselines using (plan_code, indicator_code)
    where not cells.is_baseline
),

zl1_targets as (
    select
        zl1.plan_code,
        zl1.indicator_code,
        periods.end_year as year,
        zl1.target_value,
        zl1.target_text,
        zl1.target_comparator as comparator,
        case
            when zl1.target_text like '>%' or zl1.target_text like '%以内' then 'printed'
            when zl1.target_value is null then 'ratio'
            else 'implied_by_direction'
        end as comparator_source,
        zl1.is_cumulative,
        case when zl1.is_cumulative then periods.start_year end as cumulative_from_year,
        cast(null as integer) as baseline_year,
        cast(null as decimal(18, 4)) as baseline_value,
        cast(null as {{ text_type() }}) as baseline_text,
        '专栏1' as source_table,
        zl1.row_no as source_row
    from {{ ref('stg_plan__zl1_results') }} as zl1
    inner join periods using (plan_code)
    where zl1.plan_code not in (select plan_code from zl2_cells)
),

unioned as (
    select * from zl2_targets
    union all
    select * from zl1_targets
)

select
    unioned.*,
    periods.region_code
from unioned
inner join periods using (plan_code)
