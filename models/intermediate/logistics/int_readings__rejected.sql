{#-
    The staged telemetry readings that int_readings__validated leaves out, each with the first
    rule it breaks (rules and their order: int_readings__checked): mostly sensor glitches.
-#}

-- A table although small: as a view every query would re-run the rules over all readings.
{{ config(materialized='table') }}

with

checked as (
    select * from {{ ref('int_readings__checked') }}
),

final as (
    select
        -- the rule first: what a reviewer filters on
        rejection_rule,

        -- ids
        reading_id,
        device_id,
        shipment_id,

        -- measurements, as staged (and the temperature in °C where the unit is known)
        firmware_version,
        latitude,
        longitude,
        temperature_reported,
        temperature_unit,
        temperature_c,
        battery_pct,

        -- timestamps
        recorded_at,

        -- lineage
        _source_file,
        _source_row,
        _load_id,
        _loaded_at
    from checked
    where rejection_rule is not null
)

select * from final
