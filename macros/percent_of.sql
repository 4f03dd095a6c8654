{#- A completion rate the way the plan prints it (专栏1): part ÷ whole × 100, rounded half up to 2 decimals.
    Division yields a double; it is fixed at 6 decimals first so 117.525 rounds to 117.53, as printed. -#}
{% macro percent_of(part, whole) -%}
    round(cast({{ part }} / {{ whole }} * 100 as decimal(18, 6)), 2)
{%- endmacro %}
