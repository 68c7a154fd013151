{#-
    One row per clean shop order (grain: order_id, as int_orders__normalized): the buyer
    (`customer_key` and the customer's country from the protected key map
    int_customers__keyed), channel and status, the stored total in the order's
    currency and in the reporting currency at the rate of the order date, what was paid and
    refunded (from fct_payments), and whether it is the customer's first order.

    - `amount_local` / `amount_reporting` are the shop's stored total: what the customer was
      charged. 50 orders at scale 1 have a negative total (a legacy negative-quantity line,
      quarantined upstream); `has_total_mismatch` flags every order whose stored total
      differs from its clean lines. Reports by product and category add up the lines
      (fct_order_items), not these totals.
    - `amount_paid_reporting` counts succeeded and refunded attempts (a refunded payment was
      received first); `amount_refunded_reporting` the refunded ones.
    - `is_first_order`: the customer's earliest clean order (by `ordered_at`, then
      `order_id`), ranked over the whole history even in an incremental run, so that the flag
      never depends on which rows a run happened to re-read.

    Incremental (merge on order_id). A run rebuilds every order of each customer with an
    order that
      - was loaded since the last run (`_loaded_at` after the latest here: new orders and
        status changes),
      - was placed in the last `incremental_lookback_days` (a project var) before the latest
        order date here: its reporting amount can still change with a late FX rate,
      - has a payment loaded since, or dated in that lookback (fct_payments re-converts those
        at a late rate): what was paid or refunded changed,
      - is not here yet though loaded earlier: it only became clean since,
    or who was loaded since (the country may have changed). All the customer's orders, not
    only the changed one: a late, back-dated order takes `is_first_order` from another.
    So a full refresh and an incremental run give the same table.

    This file is version 2 (fct_orders.yml): v1, fct_orders_v1.sql, adds back `customer_id`,
    which v2 no longer carries (the buyer is `customer_key`). A warehouse built before v2 needs
    `dbt build -s fct_orders --full-refresh` once, as an incremental merge does not drop a column.
-#}

{{ config(materialized='incremental', unique_key='order_id') }}

with

orders as (
    select * from {{ ref('int_orders__normalized') }}
),

payments as (
    select * from {{ ref('fct_payments') }}
),

customers as (
    select
        customer_id,
        customer_key,
        country_code,
        _loaded_at
    from {{ ref('int_customers__keyed') }}
),

orders_to_build as (
    select *
    from orders
    {%- if is_incremental() %}
    -- every order of a customer with a changed order, for `is_first_order`
    where customer_id in (
        select customer_id
        from orders
        where
            -- the loads since the last run, and the FX lookback on the order date
            {{ loaded_since_last_run_or_recent('order_date') }}
            -- a clean order not here yet though loaded earlier: it only became clean since
            -- (its customer arrived), and a full refresh would have it
            or order_id not in (select order_id from {{ this }})
            -- what was paid or refunded changed
            or order_id in (
                select order_id
                from payments
                where
                    _loaded_at > (select max(_loaded_at) from {{ this }})
                    or payment_date >= (
                        select
                            {{ dbt.dateadd(
                                'day', -var('incremental_lookback_days'), 'max(order_date)'
                            ) }}
                        from {{ this }}
                    )
            )
            -- the customer's country may have changed
            or customer_id in (
                select customer_id
                from customers
                where _loaded_at > (select max(_loaded_at) from {{ this }})
            )
    )
    {%- endif %}
),

-- over every clean order, not only the re-read ones
first_orders as (
    select
        order_id,
        row_number() over (
            partition by customer_id
            order by ordered_at, order_id
        ) = 1 as is_first_order
    from orders
),

order_payments as (
    select
        order_id,
        sum(
            case when status in ('succeeded', 'refunded') then amount_reporting else 0 end
        ) as amount_paid_reporting,
        sum(case when status = 'refunded' then amount_reporting else 0 end)
            as amount_refunded_reporting
    from payments
    group by order_id
),

joined as (
    select
        orders_to_build.*,
        orders_to_build.clean_item_count as item_count,
        customers.customer_key,
        customers.country_code,
        first_orders.is_first_order,
        coalesce(order_payments.amount_paid_reporting, 0) as amount_paid_reporting,
        coalesce(order_payments.amount_refunded_reporting, 0) as amount_refunded_reporting
    from orders_to_build
    -- every clean order has a staged customer (rule orphan_customer upstream)
    left join customers using (customer_id)
    left join first_orders using (order_id)
    left join order_payments using (order_id)
),

-- the contract's columns and types (fct_orders.yml; local amounts in numeric(18, 2): the
-- shop's currencies have at most 2 decimals)
final as (
    select
        {{ contract_columns() }}
    from joined
)

select * from final
