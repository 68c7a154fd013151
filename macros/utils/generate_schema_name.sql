{#-
    Use a folder's custom schema name as it is ("staging", "marts", ...), so that every target
    builds the schemas DESIGN.md names; models without one land in the target's own schema.
    The `pr` target (slim CI, `make ci-changed`) builds in the production warehouse, so its
    schemas get a `pr_` prefix ("pr_marts") and never replace a production relation.
    Elementary's models (monitoring, when its package is installed) go to `elementary`: set
    here rather than in dbt_project.yml, where a config path of a package that is not
    installed would warn on every command.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set prefix = 'pr_' if target.name == 'pr' else '' -%}
    {%- if node is not none and node.package_name == 'elementary' -%}
        {{ prefix }}elementary
    {%- elif custom_schema_name is none -%}
        {{ prefix }}{{ target.schema }}
    {%- else -%}
        {{ prefix }}{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
