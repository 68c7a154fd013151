{#-
    row_counts_by_load(entities): the rows of each entity in every layer, per ingestion run, as
    the select of a `quality_row_counts__<domain>` model. One row per entity and run (the
    rows of loads that no run logged have a null run_id), with:

    - landing_rows: what the run says it read from the source and wrote (the ingestion audit,
      audit.ingestion_runs.rows_by_table, under the entity's `audit_keys`);
    - raw_rows, raw_rejected_rows: rows in the raw table(s) that still carry one of the run's
      load ids (a later load that merged over a row now owns it); raw_rejected_rows are lines
      the loader itself quarantined (the CRM's unparseable lines), else 0;
    - staged_rows, clean_rows, rejected_rows, mart_rows: the same rows, by their `_load_id`, in
      staging, the clean and quarantine models of the intermediate layer and the mart built
      one row per clean row; null where the entity has no such layer.

    Each entity is a dict: entity, source, raw (table of the source), audit_keys (rows_by_table
    keys), and optionally raw_rejected, staging, clean, rejected, mart (model names). A model
    renders its own domain's entities, so that it may read that group's private models.
-#}
{% macro row_counts_by_load(entities) -%}
{%- set layers = ['raw', 'raw_rejected', 'staging', 'clean', 'rejected', 'mart'] -%}
with

runs as (
    select
        run_id,
        source_name,
        finished_at,
        rows_by_table,
        load_ids
    from {{ source('ingestion_audit', 'ingestion_runs') }}
),

run_loads as (
    select
        run_id,
        unnest(load_ids) as load_id
    from runs
),

{% for spec in entities %}
{{ spec.entity }}_landing as (
    select
        run_id,
        '{{ spec.entity }}' as entity,
        {% for key in spec.audit_keys -%}
        coalesce({{ json_field_as_bigint('rows_by_table', key) }}, 0)
        {%- if not loop.last %} + {% endif %}
        {%- endfor %} as landing_rows
    from runs
    where source_name = '{{ spec.source }}'
),

{{ spec.entity }}_layers as (
    {% for layer in layers if spec.get(layer) %}
    {%- if layer in ('raw', 'raw_rejected') %}
    select
        '{{ layer }}' as layer,
        _dlt_load_id as load_id,
        count(*) as row_count
    from {{ source(spec.source, spec[layer]) }}
    group by _dlt_load_id
    {%- else %}
    select
        '{{ layer }}' as layer,
        _load_id as load_id,
        count(*) as row_count
    from {{ ref(spec[layer]) }}
    group by _load_id
    {%- endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

{{ spec.entity }}_by_run as (
    select
        run_loads.run_id,
        '{{ spec.entity }}' as entity,
        {% for layer in layers -%}
        {%- if spec.get(layer) -%}
        sum(case when layers.layer = '{{ layer }}' then layers.row_count else 0 end)
        {%- elif layer == 'raw_rejected' -%}
        0
        {%- else -%}
        cast(null as bigint)
        {%- endif %} as {{ 'staged' if layer == 'staging' else layer }}_rows
        {%- if not loop.last %},{% endif %}
        {% endfor %}
    from {{ spec.entity }}_layers as layers
    left join run_loads on layers.load_id = run_loads.load_id
    group by run_loads.run_id
),

{{ spec.entity }}_reconciled as (
    select
        coalesce(by_run.entity, landing.entity) as entity,
        '{{ spec.source }}' as source_name,
        coalesce(by_run.run_id, landing.run_id) as run_id,
        coalesce(landing.landing_rows, 0) as landing_rows,
        coalesce(by_run.raw_rows, 0) as raw_rows,
        coalesce(by_run.raw_rejected_rows, 0) as raw_rejected_rows,
        {% for layer in ['staged', 'clean', 'rejected', 'mart'] -%}
        {%- set model_layer = 'staging' if layer == 'staged' else layer -%}
        {%- if spec.get(model_layer) -%}
        coalesce(by_run.{{ layer }}_rows, 0)
        {%- else -%}
        cast(null as bigint)
        {%- endif %} as {{ layer }}_rows
        {%- if not loop.last %},{% endif %}
        {% endfor %}
    from {{ spec.entity }}_by_run as by_run
    full outer join {{ spec.entity }}_landing as landing
        on by_run.run_id = landing.run_id
),

{% endfor %}
all_entities as (
    {% for spec in entities %}
    select * from {{ spec.entity }}_reconciled
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        all_entities.entity,
        all_entities.source_name,
        all_entities.run_id,
        runs.finished_at as loaded_at,
        all_entities.landing_rows,
        all_entities.raw_rows,
        all_entities.raw_rejected_rows,
        all_entities.staged_rows,
        all_entities.clean_rows,
        all_entities.rejected_rows,
        all_entities.mart_rows
    from all_entities
    left join runs on all_entities.run_id = runs.run_id
    -- a run that brought nothing for this entity, and whose loads hold none of its rows
    where
        all_entities.landing_rows > 0
        or all_entities.raw_rows > 0
        or all_entities.raw_rejected_rows > 0
)

select * from final
{%- endmacro %}


{#-
    json_field_as_bigint(json_column, key): the integer under a top-level key of a JSON column, or
    null. DuckDB and PostgreSQL both have json_extract_path_text, "the field, as text".
-#}
{% macro json_field_as_bigint(json_column, key) -%}
    {{ return(adapter.dispatch('json_field_as_bigint', 'tributary')(json_column, key)) }}
{%- endmacro %}

{% macro default__json_field_as_bigint(json_column, key) -%}
    cast(json_extract_path_text({{ json_column }}, '{{ key }}') as bigint)
{%- endmacro %}
