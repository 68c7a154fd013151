{#-
    declared_yml_columns(macro_name): the columns the current model's yml declares (a dict,
    name to column, in the yml's order), for the select lists the macros below write from
    them; empty where the node carries no columns: at parse time (the yml is not attached
    yet), in a unit test (whose node has neither the model's columns nor the graph) and in an
    analysis (the macro lint's harness), where those macros select `*`. A model whose yml
    declares no column is a compile error naming the macro that asked: declare them there,
    with their descriptions.
-#}
{% macro declared_yml_columns(macro_name) -%}
    {%- if not execute or model.resource_type in ('unit_test', 'analysis') -%}
        {{ return({}) }}
    {%- endif -%}
    {%- if not model.columns -%}
        {{ exceptions.raise_compiler_error(
            macro_name ~ ": " ~ model.name ~ " declares no columns in its yml; declare and "
            ~ "describe them there, the model selects what its yml declares"
        ) }}
    {%- endif -%}
    {{ return(model.columns) }}
{%- endmacro %}


{#-
    declared_columns(): the columns the current model's yml declares, in the yml's order, one a
    line, for the select of its final CTE. The yml is where a model's columns are listed (and
    described, and tested); the SQL then does not list them again:

        final as (
            select
                {{ declared_columns() }}
            from checked
        )

    Read from the node, as pii_type_of reads column meta. Where the node carries no columns
    (declared_yml_columns), every column (`*`): a unit test compares only the columns its
    `expect` names.
-#}
{% macro declared_columns(indent=8) -%}
    {%- set names = tributary.declared_yml_columns('declared_columns').keys() | list -%}
    {{ return(names | join(',\n' ~ ' ' * indent) or '*') }}
{%- endmacro %}


{#-
    contract_columns(): the columns of the current model's contract, each cast to the
    data_type its yml declares, in the yml's order, one a line: the select of a public mart's
    final CTE. The yml lists, types and describes a mart's columns once; the SQL computes each
    of them, under its contract name, in the CTEs before `final`, which only casts:

        final as (
            select
                {{ contract_columns() }}
            from joined
        )

    compiles to `cast(order_id as bigint) as order_id,` and so on, a column a line.

    Where the node carries no columns (declared_yml_columns): every column of that CTE, uncast
    (`*`). A unit test, whose node has neither the model's columns nor the graph, then checks
    the values the model's CTEs compute (the columns its `expect` names), the contract checks
    their types on every build. So a rounding that is the model's logic (an average amount
    at cents) is written in those CTEs, and a unit test writes an expected amount with its
    scale ('25.00'): PostgreSQL tells 25.0 from 25.00 when the column is not cast to the
    contract's type. A declared column without a data_type is a compile error.
-#}
{% macro contract_columns(indent=8) -%}
    {%- set casts = [] -%}
    {%- for column in tributary.declared_yml_columns('contract_columns').values() -%}
        {%- if not column.data_type -%}
            {{ exceptions.raise_compiler_error(
                "contract_columns: column '" ~ column.name ~ "' of " ~ model.name
                ~ " has no data_type in its yml; the contract's type is what the mart casts to"
            ) }}
        {%- endif -%}
        {%- do casts.append(
            'cast(' ~ column.name ~ ' as ' ~ column.data_type ~ ') as ' ~ column.name
        ) -%}
    {%- endfor -%}
    {{ return(casts | join(',\n' ~ ' ' * indent) or '*') }}
{%- endmacro %}
