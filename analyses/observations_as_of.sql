-- What did we know on date D? The value of every key as the warehouse held it at the end of the day given
-- (var as_of, default the end of January 2026): the highest vintage loaded by then. Compile it to SQL for any
-- engine with `planwatch dbt compile --select observations_as_of --vars '{as_of: "2026-01-31 23:59:59"}'`
-- (target/compiled/planwatch/analyses/observations_as_of.sql); the README quotes it.
with

vintages as (
    select * from {{ ref('fct_indicator_observation') }}
    where loaded_at <= cast('{{ var("as_of", "2026-01-31 23:59:59") }}' as timestamp)
),

ranked as (
    select
        vintages.*,
        row_number() over (partition by indicator_code, region_code, period_start_year, year
                           order by vintage desc) as recency
    from vintages
)

select indicator_code, region_code, period_start_year, year, value, status, vintage, source_file, loaded_at
from ranked
where recency = 1
