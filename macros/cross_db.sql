{#- Cross-database pieces dbt's own macros do not cover, dispatched per adapter so one project builds on
    DuckDB, PostgreSQL and Spark. -#}

{#- "12.34%": a number formatted with two decimals and a percent sign (DuckDB printf('%.2f%%', x)) -#}
{% macro format_percent(expression) -%}
    {{ return(adapter.dispatch('format_percent', 'planwatch')(expression)) }}
{%- endmacro %}

{% macro default__format_percent(expression) -%}
    printf('%.2f%%', {{ expression }})
{%- endmacro %}

{% macro postgres__format_percent(expression) -%}
    (to_char(round(({{ expression }})::numeric, 2), 'FM999999999999990.00') || '%')
{%- endmacro %}

{% macro spark__format_percent(expression) -%}
    format_string('%.2f%%', {{ expression }})
{%- endmacro %}

{#- the value of `value_expression` on the row where `order_expression` is smallest -#}
{% macro value_at_min(value_expression, order_expression) -%}
    {{ return(adapter.dispatch("value_at_min", "planwatch")(value_expression, order_expression)) }}
{%- endmacro %}

{% macro default__value_at_min(value_expression, order_expression) -%}
    arg_min({{ value_expression }}, {{ order_expression }})
{%- endmacro %}

{% macro postgres__value_at_min(value_expression, order_expression) -%}
    (array_agg({{ value_expression }} order by {{ order_expression }}))[1]
{%- endmacro %}

{% macro spark__value_at_min(value_expression, order_expression) -%}
    min_by({{ value_expression }}, {{ order_expression }})
{%- endmacro %}

{#- a number as text the same way on every database: no trailing zeros, no trailing point (30, 0.8, 8000) -#}
{% macro number_text(expression) -%}
    trim(trailing '.' from trim(trailing '0' from cast(cast({{ expression }} as decimal(24, 6)) as {{ dbt.type_string() }})))
{%- endmacro %}
