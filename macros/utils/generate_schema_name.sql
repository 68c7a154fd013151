{#-
    Use a folder's custom schema name as it is ("staging", "marts", ...), so that every target
    builds the schemas DESIGN.md names; models without one land in the target's own schema.
    Elementary's models (monitoring, when its package is installed) go to `elementary`: set
    here rather than in dbt_project.yml, where a config path of a package that is not
    installed would warn on every command.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if node is not none and node.package_name == 'elementary' -%}
        elementary
    {%- elif custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
