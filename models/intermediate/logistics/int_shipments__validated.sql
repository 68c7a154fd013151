{#-
    One row per shipment that passes every rule of int_shipments__checked (rules and their
    order are documented there), with all its staged columns.
-#}

with

checked as (
    select * from {{ ref('int_shipments__checked') }}
),

final as (
    select
        -- ids
        shipment_id,
        order_id,
        tracking_number,
        vehicle_id,

        -- attributes
        carrier,
        status,

        -- personal data: the ship-to address
        ship_to_street,
        ship_to_city,
        ship_to_postcode,
        ship_to_country_code,

        -- timestamps
        shipped_at,
        delivered_at,
        created_at,
        updated_at,

        -- lineage
        _load_id,
        _loaded_at
    from checked
    where rejection_rule is null
)

select * from final
