{#-
    unmasked_pii_scan(): a query over every text column of every relation outside the vault
    and the raw landing zone, returning one row per column that holds a readable email
    address or phone number (relation, column, kind, rows). Empty when masking holds.

    What it scans: every text (and JSON) column of every table and view in every schema of
    the target's database except `restricted` (the vault, whose point is readable data; on DuckDB it is another database file anyway), the `raw_*`
    schemas (dlt's landing zone: the sources' data as delivered, personal data included, read
    only by the runner; erasure and retention reach it, masking does not) and the catalogs.
    Staging, intermediate, marts, ml, snapshots, audit (failing-test rows included) and any
    schema added later are scanned without being listed here.

    The relations are listed at run time from information_schema (so it is a post-build
    check: `dbt test --select tag:post_build`); each relation is read once, all its text
    columns in one pass, and is one branch of the query. The patterns are written for RE2 and
    PostgreSQL alike:
      email  something@domain.tld
      phone  an international number ('+49 151 2345678', '+14155550101', '0049.151.2345678'),
             a NANP one ('(415) 555-0101', '415.555.0101') or a national one in groups
             ('0151 234 5678', '612 345 678')
    A salted hash is 64 hex digits without separators, so it matches neither; a partial mask
    ('***@example.com', '+49***') neither.
-#}
{% macro unmasked_pii_scan() -%}
    {%- set patterns = tributary.pii_scan_patterns() -%}
    {%- set columns_by_relation = tributary.text_columns_outside_vault() -%}
{%- if columns_by_relation | length == 0 %}
select
    cast(null as {{ dbt.type_string() }}) as relation_name,
    cast(null as {{ dbt.type_string() }}) as column_name,
    cast(null as {{ dbt.type_string() }}) as pii_kind,
    cast(null as {{ dbt.type_bigint() }}) as matching_rows
where 1 = 0
{%- else %}
select found.relation_name, found.column_name, found.pii_kind, found.matching_rows
from (
{%- for key, relation in columns_by_relation.items() %}
    {#- one pass over the relation; its counts turned into rows (column, kind) by a values
        list, so that the query has one branch per relation: a branch per column and kind
        made the plan of the whole scan take minutes -#}
    {%- set checks = [] %}
    {%- for column in relation['columns'] %}
    {%- for kind in patterns %}
    {%- do checks.append((column, kind)) %}
    {%- endfor %}
    {%- endfor %}
    select
        cast('{{ key }}' as {{ dbt.type_string() }}) as relation_name,
        checks.column_name,
        checks.pii_kind,
        case checks.check_index
            {%- for column, kind in checks %}
            when {{ loop.index }} then counts.c{{ loop.index }}
            {%- endfor %}
        end as matching_rows
    from (
        select
            {%- for column, kind in checks %}
            {%- set quoted = 'cast(' ~ adapter.quote(column) ~ ' as ' ~ dbt.type_string() ~ ')' %}
            sum(case when {{ tributary.matches_pattern(quoted, patterns[kind]) }} then 1 else 0 end)
                as c{{ loop.index }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ adapter.quote(relation['schema']) }}.{{ adapter.quote(relation['table']) }}
    ) as counts
    cross join (
        values
        {%- for column, kind in checks %}
            ({{ loop.index }}, '{{ column }}', '{{ kind }}'){{ "," if not loop.last }}
        {%- endfor %}
    ) as checks (check_index, column_name, pii_kind)
{{ "    union all" if not loop.last }}
{%- endfor %}
) as found
where found.matching_rows > 0
{%- endif %}
{%- endmacro %}


{#- The patterns of unmasked_pii_scan, by kind of personal data. -#}
{% macro pii_scan_patterns() -%}
    {%- set phone_alternatives = [
        '[+][0-9]{1,3}[ .-]?[0-9]{2,4}[ .-]?[0-9]{3,}',
        '[(][0-9]{3}[)] ?[0-9]{3}[ .-][0-9]{4}',
        '[0-9]{3}[ .][0-9]{3}[ .][0-9]{3,4}',
        '00[0-9]{1,3}[.][0-9]{3}[.][0-9]{4,}',
    ] -%}
    {{ return({
        'email': '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}',
        'phone': phone_alternatives | join('|'),
    }) }}
{%- endmacro %}


{#-
    Every text or JSON column of every relation in the target's database outside the vault,
    the raw landing zone and the catalogs, as {'schema.table': {schema, table, columns}}; empty
    at parse time.
-#}
{% macro text_columns_outside_vault() -%}
    {%- set columns_by_relation = {} -%}
    {%- if not execute -%}
        {{ return(columns_by_relation) }}
    {%- endif -%}
    {%- set listing = "select table_schema, table_name, column_name"
        ~ " from information_schema.columns"
        ~ " where table_catalog = '" ~ target.database ~ "'"
        ~ " and lower(table_schema) not in ('restricted', 'information_schema', 'pg_catalog')"
        ~ " and lower(table_schema) not like 'raw\\_%' escape '\\'"
        ~ " and lower(table_schema) not like 'pg\\_%' escape '\\'"
        ~ " and lower(data_type) in"
        ~ " ('varchar', 'text', 'character varying', 'character', 'json', 'jsonb')"
        ~ " order by table_schema, table_name, column_name" -%}
    {%- for row in run_query(listing).rows -%}
        {%- set key = row[0] ~ '.' ~ row[1] -%}
        {%- if key not in columns_by_relation -%}
            {%- do columns_by_relation.update(
                {key: {'schema': row[0], 'table': row[1], 'columns': []}}
            ) -%}
        {%- endif -%}
        {%- do columns_by_relation[key]['columns'].append(row[2]) -%}
    {%- endfor -%}
    {{ return(columns_by_relation) }}
{%- endmacro %}
