{#-
    The staged shipments that int_shipments__validated leaves out, each with the first rule it
    breaks (rules and their order: int_shipments__checked).
-#}

with

checked as (
    select * from {{ ref('int_shipments__checked') }}
),

final as (
    select
        -- the rule first: what a reviewer filters on
        rejection_rule,

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
    where rejection_rule is not null
)

select * from final
