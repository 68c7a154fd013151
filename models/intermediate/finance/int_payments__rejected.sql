{#-
    The staged payment attempts quarantined by int_payments__checked, each with the first rule
    it breaks (`rejection_rule`; rules and order documented there) and its staged columns. A
    payment of a rejected order is rejected too, as orphan_order, with its order's own rule in
    `order_rejection_rule`.
-#}

with

checked as (
    select * from {{ ref('int_payments__checked') }}
),

final as (
    select
        -- the rule first: what a reviewer filters on
        rejection_rule,
        order_rejection_rule,

        -- ids
        payment_id,
        order_id,

        -- attributes, as staged
        payment_method,
        status,
        amount_local,
        currency_code,

        -- personal data
        card_last4,

        -- timestamps
        paid_at,
        created_at,
        updated_at,

        -- lineage
        _load_id,
        _loaded_at
    from checked
    where rejection_rule is not null
)

select * from final
