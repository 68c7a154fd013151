{#-
    One row per staged order line that passes every validation rule of int_order_items__checked:
    its order is a clean order (int_orders__validated), its quantity is positive, its product is
    in the catalogue. Staged columns unchanged. Staged lines = these + int_order_items__rejected.
-#}

with

checked as (
    select * from {{ ref('int_order_items__checked') }}
),

final as (
    select
        -- ids
        order_item_id,
        order_id,
        product_id,

        -- quantities and amounts, in the order's currency
        quantity,
        unit_price_local,
        line_amount_local,

        -- timestamps
        created_at,
        updated_at,

        -- lineage
        _load_id,
        _loaded_at
    from checked
    where rejection_rule is null
)

select * from final
