-- MetricFlow's time spine for the semantic layer (models/marts/_marts__semantic.yml): one row per day of the
-- years the warehouse accepts. MetricFlow requires a daily spine; the plan's statistics are yearly and are
-- queried at metric_time__year.
with

days as (
    {{ integer_series('day_offset', 0, (var('last_year', 2030) - var('first_year', 2016) + 1) * 366) }}
)

select
    cast({{ add_days('make_date(' ~ var('first_year', 2016) ~ ', 1, 1)', 'days.day_offset') }} as date) as date_day
from days
where {{ add_days('make_date(' ~ var('first_year', 2016) ~ ', 1, 1)', 'days.day_offset') }}
      <= make_date({{ var('last_year', 2030) }}, 12, 31)
