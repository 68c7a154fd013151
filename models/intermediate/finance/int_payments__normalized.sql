{#-
    One row per clean payment attempt (int_payments__validated), its amount also in the
    reporting currency at the exchange rate of its `payment_date` (the day it was paid, or made
    for a failed attempt), carried over weekends and holidays like every rate. Failed and
    refunded attempts are kept, with their `status`: what counts as money received is the
    marts' decision (succeeded), and a refund's amount is the payment's.

    The card's last four digits stay behind in int_payments__validated: finance reporting does
    not need them, so this model holds no personal data.
-#}

with

payments as (
    select * from {{ ref('int_payments__validated') }}
),

-- each payment with the rate of its currency on its payment date
rated as (
    {{ with_fx_rate('payments', 'payment_date') }}
),

final as (
    select
        -- ids
        payment_id,
        order_id,

        -- attributes
        payment_method,
        status,

        -- amount in the payment's currency
        currency_code,
        amount_local,

        -- amount in the reporting currency, at the rate of the payment's UTC date
        {{ reporting_currency_code() }} as reporting_currency_code,
        reporting_rate,
        fx_rate_date_used,
        is_fx_rate_carried_forward,
        {{ in_reporting_currency('amount_local', 'reporting_rate') }} as amount_reporting,

        -- timestamps
        paid_at,
        created_at,
        updated_at,
        payment_date,

        -- lineage
        _load_id,
        _loaded_at
    from rated
)

select * from final
