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

-- every staged order's key and its own rule: tells a rejected order from a missing one
orders as (
    select
        order_id,
        rejection_rule
    from {{ ref('int_orders__checked') }}
),

-- each payment with its order, if staged, and the UTC day it is converted at
joined as (
    select
        payments.*,
        orders.rejection_rule as order_rejection_rule,
        cast(coalesce(payments.paid_at, payments.created_at) as date) as payment_date,
        orders.order_id is not null as is_order_staged
    from payments
    left join orders using (order_id)
),

checked as (
    select
        *,
        case
            when order_id is null then 'missing_order_key'
            when not is_order_staged or order_rejection_rule is not null then 'orphan_order'
            when not {{ is_key_of('currency_code', 'currencies') }} then 'unknown_currency'
            when not {{ has_fx_rate('currency_code', 'payment_date') }} then 'no_fx_rate'
            when amount_local < 0 then 'negative_amount'
        end as rejection_rule
    from joined
),

final as (
    select
        {{ declared_columns() }}
    from checked
)

select * from final
