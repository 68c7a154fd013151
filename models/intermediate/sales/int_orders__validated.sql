{#-
    One row per staged shop order that passes every validation rule of int_orders__checked
    (a known customer, a known currency with an exchange rate on the order's date): the staged
    columns unchanged, plus `order_date`, the UTC day the order is converted at. Staged orders =
    these + int_orders__rejected.
-#}

with

checked as (
    select * from {{ ref('int_orders__checked') }}
),

final as (
    select
        -- ids
        order_id,
        customer_id,

        -- attributes
        channel,
        status,
        currency_code,
        total_amount_local,

        -- timestamps
        ordered_at,
        order_date,
        created_at,
        updated_at,
        deleted_at,
        is_deleted,

        -- lineage
        _load_id,
        _loaded_at
    from checked
    where rejection_rule is null
)

select * from final
