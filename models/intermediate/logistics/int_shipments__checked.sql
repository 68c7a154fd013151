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

validated as (
    select
        *,
        case
            when not {{ is_key_of('order_id', 'stg_shop__orders') }} then 'orphan_order'
            when delivered_at < shipped_at then 'delivered_before_shipped'
        end as rejection_rule
    from shipments
),

final as (
    select
        {{ declared_columns() }}
    from validated
)

select * from final
