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
    {#- Spark's format_string('%.2f') refuses decimals: round as a decimal (half up, as PostgreSQL) and print it -#}
    concat(cast(round(cast(({{ expression }}) as decimal(38, 6)), 2) as string), '%')
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
    trim(trailing '.' from trim(trailing '0' from cast(cast({{ expression }} as decimal(24, 6)) as {{ text_type() }})))
{%- endmacro %}

{#- the text type a column is declared or cast as: varchar, except on Spark, whose varchar needs a length
    (the YAML files say the same with their *text anchor) -#}
{% macro text_type() -%}
    {{ return(adapter.dispatch('text_type', 'planwatch')()) }}
{%- endmacro %}

{% macro default__text_type() -%}varchar{%- endmacro %}

{% macro spark__text_type() -%}string{%- endmacro %}

{#- select the integers first..last (inclusive) as one column `name` -#}
{% macro integer_series(name, first, last) -%}
    {{ return(adapter.dispatch('integer_series', 'planwatch')(name, first, last)) }}
{%- endmacro %}

{% macro default__integer_series(name, first, last) -%}
    select cast(series.n as integer) as {{ name }} from generate_series({{ first }}, {{ last }}) as series(n)
{%- endmacro %}

{% macro spark__integer_series(name, first, last) -%}
    select cast(n as integer) as {{ name }} from (select explode(sequence({{ first }}, {{ last }})) as n) as series
{%- endmacro %}

{#- numerator ÷ a positive integer denominator, rounded half away from zero to 6 decimals, exactly on every
    engine. PostgreSQL and Spark divide decimals exactly and round on the cast; DuckDB divides decimals as
    doubles, so a result ending in exactly 5 in the 7th decimal (524.9974755) could round either way there
    (it gave …475 where PostgreSQL and Spark give …476): DuckDB computes it in whole millionths instead. -#}
{% macro divide_to_6_decimals(numerator, denominator) -%}
    {{ return(adapter.dispatch('divide_to_6_decimals', 'planwatch')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__divide_to_6_decimals(numerator, denominator) -%}
    cast(({{ numerator }}) / ({{ denominator }}) as decimal(24, 6))
{%- endmacro %}

{% macro duckdb__divide_to_6_decimals(numerator, denominator) -%}
    cast(cast(sign({{ numerator }}) * ((abs(cast(round(({{ numerator }}) * 1000000) as hugeint)) * 2 + ({{ denominator }}))
        // (2 * ({{ denominator }}))) as decimal(38, 0)) * cast(0.000001 as decimal(7, 6)) as decimal(24, 6))
{%- endmacro %}


{#- An 8-byte floating-point type: `double` on DuckDB and Spark, `double precision` on PostgreSQL (dbt's
    type_float is a 4-byte `float` on DuckDB). The growth methods compute in it: power() of decimals is not
    portable. -#}
{% macro double_type() -%}
    {{ return(adapter.dispatch('double_type', 'planwatch')()) }}
{%- endmacro %}

{% macro default__double_type() -%}double precision{%- endmacro %}

{% macro duckdb__double_type() -%}double{%- endmacro %}

{% macro spark__double_type() -%}double{%- endmacro %}
{#- a date `n` days after `date_expr` (DuckDB and PostgreSQL add an integer to a date; Spark has date_add) -#}
{% macro add_days(date_expr, n) -%}
    {{ return(adapter.dispatch('add_days', 'planwatch')(date_expr, n)) }}
{%- endmacro %}

{% macro default__add_days(date_expr, n) -%}
    ({{ date_expr }} + {{ n }})
{%- endmacro %}

{% macro spark__add_days(date_expr, n) -%}
    date_add({{ date_expr }}, {{ n }})
{%- endmacro %}
