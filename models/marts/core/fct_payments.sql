{#-
    One row per clean payment attempt (grain: payment_id, as int_payments__normalized): its
    order, the paying person (`customer_key` of its order, int_orders__keyed), method and
    status,
    and its amount in the payment's currency and in the reporting currency at the rate of
    its `payment_date`.

    Failed and refunded attempts are kept with their status: money received is
    `succeeded` + `refunded` (a refunded payment was received first), money returned is
    `refunded`; fct_orders adds them up per order.

    Incremental (merge on payment_id). A run rebuilds the payments loaded since the last run
    (`_loaded_at` after the latest here: new attempts, a payment that became refunded) plus
    those of the last `incremental_lookback_days` (a project var) before the latest payment
    date here, whose reporting amount can still change: a day's FX rate is published the next
    business day, and until then the day carries the previous rate over. Plus any clean
    payment not here yet though loaded earlier (one whose order only became clean since,
    say, when its customer arrived), so that a full refresh and an incremental run agree.

    Why int_orders__keyed for the payment's customer: int_orders__validated is private to
    sales, and a clean payment's order is a clean order (rule orphan_order upstream), so the
    staged order's customer is the clean order's.
-#}

{{ config(materialized='incremental', unique_key='payment_id') }}

with

payments as (
    select * from {{ ref('int_payments__normalized') }}
),

order_keys as (
    select * from {{ ref('int_orders__keyed') }}
),

payments_to_build as (
    select *
    from payments
    {%- if is_incremental() %}
    where
        -- the loads since the last run, and the FX lookback on the payment date
        {{ loaded_since_last_run_or_recent('payment_date') }}
        or payment_id not in (select payment_id from {{ this }})
    {%- endif %}
),

joined as (
    select
        payments_to_build.*,
        order_keys.customer_key
    from payments_to_build
    -- every clean payment has a clean order (rule orphan_order), hence a staged one
    left join order_keys using (order_id)
),

final as (
    select
        {{ contract_columns() }}
    from joined
)

select * from final
