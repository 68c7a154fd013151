{#-
    Use a folder's custom schema name as it is ("staging", "marts", ...), so that every target
    builds the schemas DESIGN.md names; models without one land in the target's own schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
