{#-
    Every staged shipment once (one row per row of stg_shop__shipments), with the first rule it
    breaks (`rejection_rule`, null when the shipment is clean; the rules, in the order they are
    checked, are documented on that column in _logistics__models.yml).
    int_shipments__validated and int_shipments__rejected are the two sides of the label (macro
    quarantine_rows).
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
    left join orders using (order_id)
),

final as (
    select
        {{ declared_columns() }}
    from validated
)

select * from final
