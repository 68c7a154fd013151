{#-
    Every staged payment attempt once, labelled with the first validation rule it breaks
    (`rejection_rule`, null for a clean payment; the rules, in the order they are checked, are
    documented on that column in _finance__models.yml). int_payments__validated and
    int_payments__rejected are the two sides of the label (macro quarantine_rows).

    The currency rules guard the conversion of int_payments__normalized: a payment is in its
    order's currency, so a clean order's payment passes them; they are there so that a payment
    in another currency can never reach the books unconverted.

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
    left join orders using (order_id)
    left join currencies
        on dated.currency_code = currencies.currency_code
    left join fx_rates
        on
            dated.currency_code = fx_rates.currency_code
            and dated.payment_date = fx_rates.date_day
),

final as (
    select
        {{ declared_columns() }}
    from checked
)

select * from final
