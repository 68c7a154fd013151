{#-
    The dbt audit log: every invocation that builds or tests the warehouse appends one row to
    `audit.dbt_runs` and one row per node result to `audit.dbt_node_results`. It runs as the
    project's `on-run-end` hook (dbt_project.yml), which dbt runs after failed runs too, so a
    failing model or test is logged with its status and message.

    - Append-only: rows are only ever inserted, keyed by dbt's invocation_id (unique per
      invocation), so a re-run adds its own rows and never rewrites an earlier one.
    - Portable: the tables use types DuckDB and PostgreSQL share and are created if missing;
      every value is a literal built by audit_literal(), whose quoting is dispatched per adapter
      (standard SQL doubling of single quotes by default).
    - Which invocations: build, run, test, seed and snapshot (the ones that change or check the
      warehouse); compile, docs and show write nothing.
    - Messages are kept whole up to 4,000 characters (a compile error can be long); longer ones
      are cut and end in '...'.
-#}

{% macro log_dbt_run(results) %}
    {%- if not execute or flags.WHICH not in ('build', 'run', 'test', 'seed', 'snapshot') -%}
        {{ return('') }}
    {%- endif -%}
    {%- do run_query(audit_log_ddl()) -%}

    {%- set finished_at = modules.datetime.datetime.utcnow() -%}
    {%- set counts = {'success': 0, 'error': 0, 'warn': 0, 'skipped': 0} -%}
    {%- set node_rows = [] -%}
    {%- for result in results -%}
        {%- set status = result.status | string | lower -%}
        {%- set outcome = 'success' if status in ('success', 'pass') else (
            'error' if status in ('error', 'fail', 'runtime error') else (
                'warn' if status == 'warn' else 'skipped')) -%}
        {%- do counts.update({outcome: counts[outcome] + 1}) -%}
        {%- set starts = result.timing | map(attribute='started_at') | reject('none') | list -%}
        {%- set ends = result.timing | map(attribute='completed_at') | reject('none') | list -%}
        {%- set response = result.adapter_response or {} -%}
        {%- do node_rows.append([
            audit_literal(invocation_id),
            audit_literal(result.node.unique_id),
            audit_literal(result.node.name),
            audit_literal(result.node.resource_type),
            audit_literal(status),
            audit_literal(response.get('rows_affected'), 'bigint'),
            audit_literal(result.failures, 'bigint'),
            audit_literal(result.execution_time, 'double precision'),
            audit_literal(audit_utc(starts | min) if starts else none, 'timestamp'),
            audit_literal(audit_utc(ends | max) if ends else none, 'timestamp'),
            audit_literal(result.node.relation_name),
            audit_literal(audit_truncate(result.message)),
        ]) -%}
    {%- endfor -%}

    {%- set run_status = 'failed' if counts['error'] > 0 else 'success' -%}
    {%- set args = invocation_args_dict -%}
    {%- set run_row = [
        audit_literal(invocation_id),
        audit_literal(flags.WHICH),
        audit_literal(target.name),
        audit_literal(target.type),
        audit_literal(env_var('DBT_AUDIT_USER', env_var('USER', target.get('user', 'unknown')))),
        audit_literal(dbt_version),
        audit_literal(tojson({
            'select': args.get('select'), 'exclude': args.get('exclude'),
            'full_refresh': args.get('full_refresh'), 'vars': args.get('vars')})),
        audit_literal(audit_utc(run_started_at), 'timestamp'),
        audit_literal(finished_at, 'timestamp'),
        audit_literal((finished_at - audit_utc(run_started_at)).total_seconds(),
            'double precision'),
        audit_literal(run_status),
        audit_literal(results | length, 'integer'),
        audit_literal(counts['success'], 'integer'),
        audit_literal(counts['error'], 'integer'),
        audit_literal(counts['warn'], 'integer'),
        audit_literal(counts['skipped'], 'integer'),
    ] -%}

    {%- do run_query('insert into audit.dbt_runs values (' ~ run_row | join(', ') ~ ')') -%}
    {#- 200 rows a statement: a full build has about 1,100 results -#}
    {%- for batch in node_rows | batch(200) -%}
        {%- set values = [] -%}
        {%- for row in batch -%}
            {%- do values.append('(' ~ row | join(', ') ~ ')') -%}
        {%- endfor -%}
        {%- do run_query('insert into audit.dbt_node_results values ' ~ values | join(',\n')) -%}
    {%- endfor -%}
    {%- do audit_log_commit() -%}
    {%- do log(
        'Audit log: invocation ' ~ invocation_id ~ ' (' ~ run_status ~ ', ' ~ results | length
        ~ ' node results) appended to audit.dbt_runs and audit.dbt_node_results.', info=true) -%}
    {{ return('') }}
{% endmacro %}

{% macro audit_log_ddl() %}
create schema if not exists audit;
create table if not exists audit.dbt_runs (
    invocation_id varchar not null,
    command varchar not null,
    target_name varchar not null,
    target_type varchar not null,
    run_user varchar,
    dbt_version varchar,
    invocation_args varchar,
    started_at timestamp not null,
    finished_at timestamp not null,
    elapsed_seconds double precision,
    status varchar not null,
    nodes_total integer not null,
    nodes_succeeded integer not null,
    nodes_failed integer not null,
    nodes_warned integer not null,
    nodes_skipped integer not null
);
create table if not exists audit.dbt_node_results (
    invocation_id varchar not null,
    unique_id varchar not null,
    node_name varchar not null,
    resource_type varchar not null,
    status varchar not null,
    rows_affected bigint,
    failures bigint,
    execution_seconds double precision,
    started_at timestamp,
    completed_at timestamp,
    relation_name varchar,
    message varchar
);
{% endmacro %}

{% macro audit_truncate(message, limit=4000) -%}
    {%- if message is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = message | string -%}
    {{ return(text if text | length <= limit else text[:limit - 3] ~ '...') }}
{%- endmacro %}

{#- A time as naive UTC (the audit tables' timestamps are UTC without a zone). -#}
{% macro audit_utc(moment) -%}
    {%- if moment.tzinfo is not none -%}
        {{ return(moment.astimezone(modules.pytz.utc).replace(tzinfo=none)) }}
    {%- endif -%}
    {{ return(moment) }}
{%- endmacro %}

{#- A value as a SQL literal of `data_type` (text by default); none becomes null. -#}
{% macro audit_literal(value, data_type='varchar') -%}
    {{ return(adapter.dispatch('audit_literal', 'tributary')(value, data_type)) }}
{%- endmacro %}

{% macro default__audit_literal(value, data_type) -%}
    {%- if value is none -%}
        {{ return('cast(null as ' ~ data_type ~ ')') }}
    {%- endif -%}
    {#- Standard SQL: a quote inside a literal is doubled; backslashes are plain characters on
        both DuckDB and PostgreSQL (standard_conforming_strings, on since 9.1). A NUL byte
        cannot be stored in PostgreSQL text, so it is dropped. -#}
    {%- set text = (value | string).replace("'", "''").replace('\x00', '') -%}
    {{ return("cast('" ~ text ~ "' as " ~ data_type ~ ")") }}
{%- endmacro %}

{#- Hooks run outside the nodes' transactions; on PostgreSQL the inserts are committed here. -#}
{% macro audit_log_commit() -%}
    {{ return(adapter.dispatch('audit_log_commit', 'tributary')()) }}
{%- endmacro %}

{% macro default__audit_log_commit() -%}
    {%- do run_query('commit') -%}
{%- endmacro %}

{% macro duckdb__audit_log_commit() -%}
    {#- DuckDB's adapter runs each statement in autocommit mode: nothing to commit. -#}
{%- endmacro %}
