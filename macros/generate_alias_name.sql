{#- The relation a model is built as. A public mart is versioned (models/marts/*.yml: latest_version, versions):
    its latest version keeps the plain name BI tools and saved queries use (marts.fct_plan_progress), and an
    older version kept through its deprecation window is built beside it with the version suffix
    (marts.fct_plan_progress_v1), so a contract change never breaks a reader overnight. dbt's own default names
    every version with its suffix, which would rename the whole BI interface at the first version. -#}
{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
    {%- if custom_alias_name -%}
        {{ custom_alias_name | trim }}
    {%- elif node.version and node.version | string != node.latest_version | string -%}
        {{ node.name }}_v{{ node.version | replace('.', '_') }}
    {%- else -%}
        {{ node.name }}
    {%- endif -%}
{%- endmacro %}
