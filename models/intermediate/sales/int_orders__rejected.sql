{#-
    The staged shop orders quarantined by int_orders__checked, each with the first rule it
    breaks (`rejection_rule`; the rules and their order are documented there) and its staged
    columns unchanged. The lines and payments of these orders are quarantined too, as
    orphan_order (int_order_items__rejected, int_payments__rejected).
-#}

with

checked as (
    select * from {{ ref('int_orders__checked') }}
),

final as (
    select
        -- the rule first: what a reviewer filters on
        rejection_rule,

        -- ids
        order_id,
        customer_id,

        -- attributes, as staged
        channel,
        status,
        currency_code,
        total_amount_local,

        -- timestamps
        ordered_at,
        created_at,
        updated_at,
        deleted_at,
        is_deleted,

        -- lineage
        _load_id,
        _loaded_at
    from checked
    where rejection_rule is not null
)

select * from final
