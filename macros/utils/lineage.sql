{#-
    dlt_lineage_columns(): the row-level lineage every staging model adds to a raw row, written
    once: `_load_id`, dlt's `_dlt_load_id` under the project's name, and `_loaded_at`, when that
    load ran (UTC, utc_loaded_at). Every layer keeps the two (docs blocks `_load_id` and
    `_loaded_at`); the quality models count each layer's rows by `_load_id`, the incremental
    marts read what was loaded since their last run by `_loaded_at`.

        -- lineage
        {{ dlt_lineage_columns() }}
    from source

    `relation` qualifies the raw column where the select joins other relations
    (dlt_lineage_columns('source')).
-#}
{% macro dlt_lineage_columns(relation=none) -%}
    {%- set load_id = (relation ~ '.' if relation else '') ~ '_dlt_load_id' -%}
    {{ load_id }} as _load_id,
    {{ tributary.utc_loaded_at(load_id) }} as _loaded_at
{%- endmacro %}
