{#-
    Timestamps, always as UTC without a time zone in the models.

    utc_loaded_at(load_id): dlt's load id is the load's unix epoch as text.
    to_utc_timestamp(text): an ISO-8601 text with "Z", with an offset ("+09:00"), or without
    one; a text without an offset is read as UTC, as the sources document.
    Both work on DuckDB (with its built-in ICU extension) and PostgreSQL; other adapters can
    override them through adapter.dispatch.
-#}
{% macro utc_loaded_at(load_id) -%}
    {{ return(adapter.dispatch('utc_loaded_at', 'tributary')(load_id)) }}
{%- endmacro %}

{% macro default__utc_loaded_at(load_id) -%}
    (to_timestamp(cast({{ load_id }} as double precision)) at time zone 'UTC')
{%- endmacro %}

{% macro to_utc_timestamp(text) -%}
    {{ return(adapter.dispatch('to_utc_timestamp', 'tributary')(text)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(text) -%}
    case
        when
            right({{ text }}, 1) = 'Z'
            or substring({{ text }} from length({{ text }}) - 5 for 1) in ('+', '-')
            then (cast({{ text }} as timestamp with time zone) at time zone 'UTC')
        else cast({{ text }} as timestamp)
    end
{%- endmacro %}
