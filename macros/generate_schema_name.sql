{#- Use the folder's schema name as is (staging, intermediate, marts, seeds): these names are the
    public interface BI tools connect to, so they must not carry a target prefix. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
