{#-
    Every staged payment attempt once, labelled with the first validation rule it breaks
    (`rejection_rule`, null for a clean payment). int_payments__validated and
    int_payments__rejected both filter this model.

    Rules, checked in this order (a payment is labelled with the first one it breaks):
      1. missing_order_key  no order_id: legacy payments that lost their order
      2. orphan_order       the order is not a clean order (not in int_orders__validated):
                            no such order was staged, or the order itself was rejected (e.g.
                            for its 'BTC' currency), whose rule `order_rejection_rule` keeps
      3. unknown_currency   the payment's own currency_code is not in the currencies seed
      4. no_fx_rate         no exchange rate into the reporting currency on or before the
                            payment's date (`payment_date`)
      5. negative_amount    an amount below zero: the shop charged the stored total of an
                            order with a legacy negative-quantity line (the line is quarantined
                            as non_positive_quantity); money is not received negative, and a
                            refund is a status, not a sign
    Rules 3 and 4 guard the conversion of int_payments__normalized: a payment is in its order's
    currency, so a clean order's payment passes them; they are there so that a payment in
    another currency can never reach the books unconverted.

    `payment_date`, the UTC day the payment is converted at: the day it was paid, or for a
    failed attempt (never paid) the day it was made. A refund keeps the day it was paid: the
    shop records no refund amount or refund rate of its own.
-#}

with

payments as (
    select * from {{ ref('stg_shop__payments') }}
),

-- every staged order with its own rule: tells a rejected order from a missing one
orders as (
    select * from {{ ref('int_orders__checked') }}
),

currencies as (
    select * from {{ ref('currencies') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates__daily') }}
),

dated as (
    select
        *,
        cast(coalesce(paid_at, created_at) as date) as payment_date
    from payments
),

checked as (
    select
        dated.*,
        orders.rejection_rule as order_rejection_rule,
        case
            when dated.order_id is null then 'missing_order_key'
            when orders.order_id is null or orders.rejection_rule is not null
                then 'orphan_order'
            when currencies.currency_code is null then 'unknown_currency'
            when fx_rates.reporting_rate is null then 'no_fx_rate'
            when dated.amount_local < 0 then 'negative_amount'
        end as rejection_rule
    from dated
    left join orders
        on dated.order_id = orders.order_id
    left join currencies
        on dated.currency_code = currencies.currency_code
    left join fx_rates
        on
            dated.currency_code = fx_rates.currency_code
            and dated.payment_date = fx_rates.date_day
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
        _loaded_at,

        -- quality
        order_rejection_rule,
        rejection_rule
    from checked
)

select * from final
