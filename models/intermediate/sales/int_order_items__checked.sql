{#-
    Every staged order line once, labelled with the first validation rule it breaks
    (`rejection_rule`, null for a clean line). int_order_items__validated and
    int_order_items__rejected both filter this model.

    Rules, checked in this order (a line is labelled with the first one it breaks):
      1. orphan_order           the line's order is not a clean order (not in
                                int_orders__validated): either no such order was staged, or
                                the order itself was rejected, e.g. for its 'BTC' currency; a
                                line cannot be reported without its order, so it is rejected
                                with it. `order_rejection_rule` tells the two apart: the order's
                                own rule, or null when the order does not exist.
      2. non_positive_quantity  a quantity of zero or less (legacy lines with a negative one)
                                or none
      3. orphan_product         a product_id that stg_shop__products does not hold, or none
-#}

with

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
),

-- every staged order with its own rule: tells a rejected order from a missing one
orders as (
    select * from {{ ref('int_orders__checked') }}
),

products as (
    select * from {{ ref('stg_shop__products') }}
),

checked as (
    select
        order_items.*,
        orders.rejection_rule as order_rejection_rule,
        case
            when orders.order_id is null or orders.rejection_rule is not null
                then 'orphan_order'
            when order_items.quantity is null or order_items.quantity <= 0
                then 'non_positive_quantity'
            when products.product_id is null then 'orphan_product'
        end as rejection_rule
    from order_items
    left join orders
        on order_items.order_id = orders.order_id
    left join products
        on order_items.product_id = products.product_id
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
        _loaded_at,

        -- quality
        order_rejection_rule,
        rejection_rule
    from checked
)

select * from final
