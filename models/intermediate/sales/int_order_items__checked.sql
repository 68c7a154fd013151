{#-
    Every staged order line once, labelled with the first validation rule it breaks
    (`rejection_rule`, null for a clean line; the rules, in the order they are checked, are
    documented on that column in _sales__models.yml). int_order_items__validated and
    int_order_items__rejected are the two sides of the label (macro quarantine_rows).

    A line cannot be reported without its order, so the line of a rejected order is rejected
    with it (orphan_order); `order_rejection_rule` tells such a line from the line of an order
    that was never staged: the order's own rule, or null.
-#}

with

order_items as (
    select * from {{ ref('stg_shop__order_items') }}
),

-- every staged order's key and its own rule: tells a rejected order from a missing one
orders as (
    select
        order_id,
        rejection_rule as order_rejection_rule
    from {{ ref('int_orders__checked') }}
),

checked as (
    select
        order_items.*,
        orders.order_rejection_rule,
        case
            when orders.order_id is null or orders.order_rejection_rule is not null
                then 'orphan_order'
            when order_items.quantity is null or order_items.quantity <= 0
                then 'non_positive_quantity'
            when not {{ is_key_of('order_items.product_id', 'stg_shop__products') }}
                then 'orphan_product'
        end as rejection_rule
    from order_items
    left join orders using (order_id)
),

final as (
    select
        {{ declared_columns() }}
    from checked
)

select * from final
