with

source as (
    select * from {{ source('shop', 'shipments') }}
),

renamed as (
    select
        -- ids
        shipment_id,
        order_id,
        trim(tracking_number) as tracking_number,
        trim(vehicle_id) as vehicle_id,

        -- attributes
        trim(carrier) as carrier,
        lower(trim(status)) as status,

        -- personal data, masked below
        nullif(trim(ship_to_street), '') as ship_to_street,
        nullif(trim(ship_to_city), '') as ship_to_city,
        {{ normalize_postcode('ship_to_postcode') }} as ship_to_postcode,
        upper(trim(ship_to_country)) as ship_to_country_code,

        -- timestamps, always UTC
        cast(shipped_at as timestamp) as shipped_at,
        cast(delivered_at as timestamp) as delivered_at,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,

        -- lineage
        {{ dlt_lineage_columns() }}
    from source
),

-- personal data masked by the policy of each column's pii_type (its meta in the yml)
masked as (
    select
        {{ masked_columns() }}
    from renamed
)

select * from masked
