{#-
    The docs site's catalog on DuckDB (`dbt docs generate`), with what a stakeholder asks first
    of a table: who owns it and how fresh it is.

    dbt-duckdb's own catalog leaves the owner empty and gives no statistics. This one takes
    dbt-duckdb's tables and columns as they are and adds, per relation:
    - the owner: the team its `meta.owner` names (a source's table, or its source's), shown in
      the Owner field of every model, seed, snapshot and source page;
    - two statistics, shown under the page's Details: `Last loaded`, the newest time a row of
      it was loaded (a source's `loaded_at_field`, the same expression its freshness check
      reads; a table model's `_loaded_at`), and `Rows` (tables and sources; a view's rows are
      its source's).
    The numbers are as of the `dbt docs generate` that wrote the catalog.
-#}
{% macro duckdb__get_catalog(information_schema, schemas) -%}
    {{ return(docs_catalog(
        information_schema, duckdb__get_catalog_schemas_where_clause_sql(schemas)
    )) }}
{%- endmacro %}


{% macro duckdb__get_catalog_relations(information_schema, relations) -%}
    {{ return(docs_catalog(
        information_schema, duckdb__get_catalog_relations_where_clause_sql(relations)
    )) }}
{%- endmacro %}


{#- What the project's yml says of each relation: its owner and its loaded-at expression. -#}
{% macro docs_catalog_declarations() -%}
    {%- set declared = [] -%}
    {%- for node in graph.get('nodes', {}).values()
        if node.resource_type in ('model', 'seed', 'snapshot') -%}
        {%- do declared.append({
            'schema': node.schema, 'name': node.alias or node.name,
            'owner': node.config.meta.get('owner'), 'loaded_at': none,
        }) -%}
    {%- endfor -%}
    {%- for source in graph.get('sources', {}).values() -%}
        {%- do declared.append({
            'schema': source.schema, 'name': source.identifier,
            'owner': source.meta.get('owner') or source.source_meta.get('owner'),
            'loaded_at': source.loaded_at_field,
        }) -%}
    {%- endfor -%}
    {{ return(declared) }}
{%- endmacro %}


{#-
    The relations with something to measure, so that a missing relation or column is never
    queried: those that exist as tables, each with its loaded-at expression (a source's, or a
    model's `_loaded_at` column; none: rows only).
-#}
{% macro docs_catalog_measured(information_schema, declared) -%}
    {%- set found = run_query(
        "select t.schema_name, t.table_name, bool_or(c.column_name = '_loaded_at')"
        ~ " from duckdb_tables() as t inner join duckdb_columns() as c using (table_oid)"
        ~ " where upper(t.database_name) = upper('" ~ information_schema.database ~ "')"
        ~ " group by all"
    ) -%}
    {%- set tables = {} -%}
    {%- for row in found.rows -%}
        {%- do tables.update({(row[0] | lower, row[1] | lower): row[2]}) -%}
    {%- endfor -%}
    {%- set measured = [] -%}
    {%- for each in declared if (each.schema | lower, each.name | lower) in tables -%}
        {%- set has_loaded_at = tables[(each.schema | lower, each.name | lower)] -%}
        {%- do measured.append({
            'schema': each.schema, 'name': each.name,
            'loaded_at': each.loaded_at or ('_loaded_at' if has_loaded_at else none),
        }) -%}
    {%- endfor -%}
    {{ return(measured) }}
{%- endmacro %}


{% macro docs_catalog(information_schema, where_clause) -%}
    {%- set declared = docs_catalog_declarations() -%}
    {%- set measured = docs_catalog_measured(information_schema, declared) -%}
    {{ return(run_query(docs_catalog_sql(information_schema, where_clause, declared, measured))) }}
{%- endmacro %}


{% macro docs_catalog_sql(information_schema, where_clause, declared, measured) -%}
with

tables as (
    {{ duckdb__get_catalog_tables_sql(information_schema) }}
    {{ where_clause }}
),

columns as (
    {{ duckdb__get_catalog_columns_sql(information_schema) }}
    {{ where_clause }}
),

owners (table_schema, table_name, table_owner) as (
    values
    {%- for each in declared %}
    (
        {{ dbt.string_literal(each.schema | lower) }},
        {{ dbt.string_literal(each.name | lower) }},
        {{ dbt.string_literal(each.owner) if each.owner else 'null' }}
    ){% if not loop.last %},{% endif %}
    {%- endfor %}
),

measures as (
    select
        null as table_schema,
        null as table_name,
        null as row_count,
        null as last_loaded_epoch
    where false
    {%- for each in measured %}
    union all
    select
        {{ dbt.string_literal(each.schema | lower) }} as table_schema,
        {{ dbt.string_literal(each.name | lower) }} as table_name,
        count(*) as row_count,
        -- epoch seconds: the same instant whether the column is a UTC timestamp or
        -- one with a time zone
        {{ 'epoch(max(' ~ each.loaded_at ~ '))' if each.loaded_at else 'null' }}
            as last_loaded_epoch
    from {{ '"' ~ information_schema.database ~ '"."' ~ each.schema ~ '"."' ~ each.name ~ '"' }}
    {%- endfor %}
)

select
    tables.table_database,
    tables.table_schema,
    tables.table_name,
    tables.table_type,
    tables.table_comment,
    columns.column_name,
    columns.column_index,
    columns.column_type,
    columns.column_comment,
    owners.table_owner,
    measures.row_count as "stats:row_count:value",  -- noqa: RF05
    'Rows' as "stats:row_count:label",  -- noqa: RF05
    'Its rows, as of the docs build' as "stats:row_count:description",  -- noqa: RF05
    'Last loaded' as "stats:last_loaded:label",  -- noqa: RF05
    'The newest time a row of it was loaded, as of the docs build'
        as "stats:last_loaded:description",  -- noqa: RF05
    measures.row_count is not null as "stats:row_count:include",  -- noqa: RF05
    measures.last_loaded_epoch is not null as "stats:last_loaded:include",  -- noqa: RF05
    strftime(
        make_timestamp(cast(measures.last_loaded_epoch * 1000000 as bigint)),
        '%Y-%m-%d %H:%M UTC'
    ) as "stats:last_loaded:value"  -- noqa: RF05
from tables
inner join columns using (table_database, table_schema, table_name)
left join owners
    on
        lower(tables.table_schema) = owners.table_schema
        and lower(tables.table_name) = owners.table_name
left join measures
    on
        lower(tables.table_schema) = measures.table_schema
        and lower(tables.table_name) = measures.table_name
order by tables.table_schema, tables.table_name, columns.column_index
{%- endmacro %}
