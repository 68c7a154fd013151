{#-
    declared_columns(): the columns the current model's yml declares, in the yml's order, one a
    line, for the select of its final CTE. The yml is where a model's columns are listed (and
    described, and tested); the SQL then does not list them again:

        final as (
            select
                {{ declared_columns() }}
            from checked
        )

    Read from the node, as pii_type_of reads column meta. Where the node carries no columns,
    every column (`*`): at parse time (the yml is not attached yet), in a unit test (whose node
    has neither the model's columns nor the graph; it compares only the columns its `expect`
    names) and in an analysis (the macro lint's harness). A model whose yml declares no column
    is a compile error: declare them, with their descriptions.
-#}
{% macro declared_columns(indent=8) -%}
    {%- if not execute or model.resource_type in ('unit_test', 'analysis') -%}
        {{ return('*') }}
    {%- endif -%}
    {%- set names = model.columns.keys() | list -%}
    {%- if not names -%}
        {{ exceptions.raise_compiler_error(
            "declared_columns: " ~ model.name ~ " declares no columns in its yml; declare and "
            ~ "describe them there, the model selects what its yml declares"
        ) }}
    {%- endif -%}
    {{ return(names | join(',\n' ~ ' ' * indent)) }}
{%- endmacro %}
