with

source as (
    select * from {{ source('telemetry', 'readings') }}
),

renamed as (
    select
        -- ids
        reading_id,
        device_id,
        shipment_id,

        -- measurements as reported; the unit depends on the firmware (converted in intermediate)
        firmware_version,
        latitude,
        longitude,
        temperature as temperature_reported,
        upper(trim(temperature_unit)) as temperature_unit,
        battery_pct,

        -- timestamps, always UTC
        (recorded_at at time zone 'UTC') as recorded_at,

        -- lineage
        _source_file,
        _source_row,
        {{ dlt_lineage_columns() }}
    from source
)

select * from renamed
