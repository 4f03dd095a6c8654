{#- The folder's schema name as is (staging, intermediate, marts, seeds) on planwatch's own targets (var
    production_targets: duckdb, postgres, spark — the targets `planwatch` runs): these names are the interface BI
    tools connect to, so they carry no prefix. Any other target — a developer's `postgres_dev` against the
    office's server — builds in `<target schema>_<folder>` (dev_alice_marts), so two people building against one
    server never share or overwrite schemas. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set production = var('production_targets', ['duckdb', 'postgres', 'spark']) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif target.name in production -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ target.schema }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
