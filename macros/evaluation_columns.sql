{#- The columns of a plan evaluation row (rpt_plan_evaluation), in its order and at its types, selected from
    `relation`: the 13th plan's part, the 14th plan's and the text targets' each end with it, so the three
    union without a cast of their own and every engine carries one precision. -#}
{% macro evaluation_columns(relation) -%}
    select
        plan_code, evaluation, cast(evaluation_year as integer) as evaluation_year, indicator_code, target_code,
        name_zh, unit, target_text, cast(target_value as decimal(24, 6)) as target_value,
        cast(actual_value as decimal(24, 6)) as actual_value, cast(completion_rate as decimal(9, 2)) as completion_rate,
        completion_text, is_met, attribute, is_binding, data_basis, printed_completion_text,
        completion_within_rounding, source_ref
    from {{ relation }}
{%- endmacro %}
