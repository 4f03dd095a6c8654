{#- The plan a plan pack's tables belong to, from plan_periods rather than a hard-coded code: the targets table
    (专栏2) is the current plan's (the latest start year), the results table (专栏1) the previous plan's. The
    same models then serve the Jiangmen plan and the generated national benchmark plan. -#}
{% macro current_plan_code() -%}
    (select plan_code from {{ ref('stg_plan__periods') }} order by start_year desc limit 1)
{%- endmacro %}

{% macro previous_plan_code() -%}
    (select plan_code from {{ ref('stg_plan__periods') }} order by start_year desc limit 1 offset 1)
{%- endmacro %}
