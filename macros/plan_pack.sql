{#- The plan pack's seeds of one kind, every plan folder's, as one relation (planwatch/plan_pack.py).

    dbt cannot have two seeds of one name, so each plan folder names its seeds after itself
    (seeds/plans/jm_hrss_14/jm_hrss_14__plan_zl2_cells.csv); planwatch hands dbt the seed names of each kind in
    PLANWATCH_PLAN_SEEDS (settings.export_env, read from the folders), so adding a plan folder needs no change
    here. Every seed of a kind has the kind's columns in the kind's order (checked by plan_pack.pack_seeds), so
    the union is by position. A kind no folder prints is an empty relation of text columns: only the optional,
    all-text crosswalk can be missing in practice (every pack prints periods, registry, table and cells). -#}
{% macro plan_pack_union(kind) -%}
    {%- set pack = fromjson(env_var('PLANWATCH_PLAN_SEEDS', '{}')) -%}
    {%- if kind not in pack -%}
        {{ exceptions.raise_compiler_error("PLANWATCH_PLAN_SEEDS has no seed kind " ~ kind ~ ": run dbt through planwatch (planwatch dbt …), which lists the plan pack's seeds") }}
    {%- endif -%}
    {%- set seeds = pack[kind]['seeds'] -%}
    {%- if seeds | length == 0 -%}
        select {% for column in pack[kind]['columns'] %}cast(null as {{ text_type() }}) as {{ column }}{% if not loop.last %}, {% endif %}{% endfor %}
        where 1 = 0
    {%- else -%}
        {%- for seed in seeds %}
        select * from {{ ref(seed) }}
        {%- if not loop.last %}
        union all
        {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
