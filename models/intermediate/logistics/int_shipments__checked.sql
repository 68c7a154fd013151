{#-
    Every staged shipment once (one row per row of stg_shop__shipments), with the first rule
    it breaks (`rejection_rule`, null when the shipment is clean). int_shipments__validated and
    int_shipments__rejected both read this one model, so that the rules are written once and
    the two can never disagree.

    Rules, checked in this order (a row is labelled with the first one it breaks):
      1. orphan_order              order_id not in stg_shop__orders: a shipment of no known
                                   order cannot be attributed to a customer or a sale
      2. delivered_before_shipped  delivered_at earlier than shipped_at: the delivery time
                                   would be negative
-#}

with

shipments as (
    select * from {{ ref('stg_shop__shipments') }}
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

validated as (
    select
        shipments.*,
        case
            when orders.order_id is null then 'orphan_order'
            when shipments.delivered_at < shipments.shipped_at then 'delivered_before_shipped'
        end as rejection_rule
    from shipments
    left join orders
        on shipments.order_id = orders.order_id
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
        _loaded_at,

        -- quality
        rejection_rule
    from validated
)

select * from final
