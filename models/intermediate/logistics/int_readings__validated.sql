{#-
    One row per telemetry reading that passes every rule of int_readings__checked (rules and
    their order are documented there), with its cargo temperature in °C (`temperature_c`,
    converted from °F for firmware 1.x). The readings marts and shipment summaries read.
-#}

-- A table: 0.6 million readings a month at scale 1, read by every shipment summary; as a view
-- each read would redo the unit conversion, the rules and the join to the shipments.
{{ config(materialized='table') }}

with

checked as (
    select * from {{ ref('int_readings__checked') }}
),

final as (
    select
        -- ids
        reading_id,
        device_id,
        shipment_id,

        -- measurements
        firmware_version,
        latitude,
        longitude,
        temperature_c,
        temperature_reported,
        temperature_unit,
        battery_pct,

        -- timestamps
        recorded_at,

        -- lineage
        _source_file,
        _source_row,
        _load_id,
        _loaded_at
    from checked
    where rejection_rule is null
)

select * from final
