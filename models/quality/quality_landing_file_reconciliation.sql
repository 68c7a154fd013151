{#-
    The landing files' own row counts (written by `make quality`, which reads every file
    itself: data lines of a CSV, lines of a JSON-lines file, a Parquet file's row count) next
    to the raw rows that came from each file. Until the counts were written, the table of
    counts may not exist; the raw side is then reported as not counted.

    The source is named outside the `execute` branch, so that parsing records the dependency
    (lineage, the docs graph, `state:modified+`); only whether its table exists is asked at run
    time.
-#}
{%- set landing_counts = source('landing_audit', 'quality_landing_files') -%}
{%- set counted_relation = load_relation(landing_counts) if execute else none -%}

with

{% if counted_relation is not none %}
counted as (
    select
        landing_path,
        entity,
        file_rows,
        modified_at,
        counted_at
    from {{ landing_counts }}
),
{% else %}
counted as (
    select
        cast(null as varchar) as landing_path,
        cast(null as varchar) as entity,
        cast(null as bigint) as file_rows,
        cast(null as timestamp with time zone) as modified_at,
        cast(null as timestamp with time zone) as counted_at
    where 1 = 0
),
{% endif %}

contacts as (select * from {{ source('crm', 'contacts') }}),

contacts_rejected as (select * from {{ source('crm', 'contacts_rejected') }}),

events as (select * from {{ source('web', 'events') }}),

readings as (select * from {{ source('telemetry', 'readings') }}),

-- every raw row with the file it came from; the lines of a CRM file that the loader could not
-- parse (contacts_rejected) are rows of that file too
raw_rows as (
    {% for cte, entity in [
        ('contacts', 'contacts'),
        ('contacts_rejected', 'contacts'),
        ('events', 'events'),
        ('readings', 'readings'),
    ] %}
    select
        '{{ entity }}' as entity,
        _source_file,
        _source_modified_at,
        _dlt_load_id
    from {{ cte }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

raw_files as (
    select
        _source_file as landing_path,
        min(entity) as entity,
        count(*) as raw_rows,
        max(_source_modified_at) as loaded_modified_at,
        max(_dlt_load_id) as load_id
    from raw_rows
    group by _source_file
),

joined as (
    select
        coalesce(counted.landing_path, raw_files.landing_path) as landing_path,
        coalesce(counted.entity, raw_files.entity) as entity,
        counted.file_rows,
        coalesce(raw_files.raw_rows, 0) as raw_rows,
        counted.modified_at as file_modified_at,
        raw_files.loaded_modified_at,
        raw_files.load_id,
        counted.counted_at,
        case
            when counted.landing_path is null then 'not_counted'
            -- an export with a header and no rows brings nothing to load
            when raw_files.landing_path is null and counted.file_rows = 0 then 'reconciled'
            when raw_files.landing_path is null then 'not_loaded'
            -- delivered again since the load read it: the next load replaces its rows
            when
                counted.modified_at
                > {{ dbt.dateadd('second', 1, 'raw_files.loaded_modified_at') }}
                then 'not_loaded'
            -- loaded from a delivery newer than the one counted: the count is out of date
            when
                raw_files.loaded_modified_at
                > {{ dbt.dateadd('second', 1, 'counted.modified_at') }}
                then 'not_counted'
            when counted.file_rows = raw_files.raw_rows then 'reconciled'
            else 'rows_differ'
        end as status
    from counted
    full outer join raw_files on counted.landing_path = raw_files.landing_path
),

final as (
    select
        landing_path,
        entity,
        file_rows,
        raw_rows,
        file_modified_at,
        loaded_modified_at,
        load_id,
        counted_at,
        status
    from joined
)

select * from final
