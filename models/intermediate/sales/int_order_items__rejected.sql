{#-
    The staged order lines quarantined by int_order_items__checked, each with the first rule it
    breaks (`rejection_rule`; rules and order documented there) and its staged columns. A line
    of a rejected order is rejected too, as orphan_order, with its order's own rule in
    `order_rejection_rule`.
-#}

with

checked as (
    select * from {{ ref('int_order_items__checked') }}
),

final as (
    select
        -- the rule first: what a reviewer filters on
        rejection_rule,
        order_rejection_rule,

        -- ids
        order_item_id,
        order_id,
        product_id,

        -- quantities and amounts, as staged
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
    where rejection_rule is not null
)

select * from final
