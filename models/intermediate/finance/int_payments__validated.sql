{#-
    One row per staged payment attempt that passes every validation rule of
    int_payments__checked: it names a clean order (int_orders__validated) and its currency has
    an exchange rate on its date. Failed and refunded attempts are clean payments too: `status`
    tells them apart. The staged columns unchanged, plus `payment_date`, the UTC day the payment
    is converted at. Staged payments = these + int_payments__rejected.
-#}

with

checked as (
    select * from {{ ref('int_payments__checked') }}
),

final as (
    select
        -- ids
        payment_id,
        order_id,

        -- attributes
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
        payment_date,

        -- lineage
        _load_id,
        _loaded_at
    from checked
    where rejection_rule is null
)

select * from final
