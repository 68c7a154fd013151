{#-
    One row per clean shop order (grain: order_id, as int_orders__normalized): the buyer
    (`customer_key` from the protected key map int_customers__resolved, and the customer's
    country from stg_shop__customers), channel and status, the stored total in the order's
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

    Incremental (merge on order_id). A run rebuilds the orders
      - loaded since the last run (`_loaded_at` after the latest here: new orders and status
        changes),
      - placed in the last `incremental_lookback_days` (a project var) before the latest
        order date here, whose reporting amount can still change with a late FX rate,
      - with a payment loaded since (what was paid or refunded changed),
      - of a customer loaded since (the customer's country may have changed).
-#}

{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key='order_id',
        on_schema_change='append_new_columns'
    )
}}

with

orders as (
    select * from {{ ref('int_orders__normalized') }}
),

payments as (
    select * from {{ ref('fct_payments') }}
),

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

customer_keys as (
    select * from {{ ref('int_customers__resolved') }}
),

orders_to_build as (
    select *
    from orders
    {%- if is_incremental() %}
    where
        {{ loaded_since_last_run_or_recent('order_date') }}
        or order_id in (
            select order_id
            from payments
            where _loaded_at > (select max(_loaded_at) from {{ this }})
        )
        or customer_id in (
            select customer_id
            from customers
            where _loaded_at > (select max(_loaded_at) from {{ this }})
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

shop_customer_keys as (
    select
        source_record_id,
        customer_key
    from customer_keys
    where source_system = 'shop'
),

joined as (
    select
        orders_to_build.*,
        shop_customer_keys.customer_key,
        customers.country_code,
        first_orders.is_first_order,
        coalesce(order_payments.amount_paid_reporting, 0) as amount_paid_reporting,
        coalesce(order_payments.amount_refunded_reporting, 0) as amount_refunded_reporting
    from orders_to_build
    -- every clean order has a staged customer (rule orphan_customer upstream)
    left join customers
        on orders_to_build.customer_id = customers.customer_id
    left join shop_customer_keys
        on
            cast(orders_to_build.customer_id as {{ dbt.type_string() }})
            = shop_customer_keys.source_record_id
    left join first_orders
        on orders_to_build.order_id = first_orders.order_id
    left join order_payments
        on orders_to_build.order_id = order_payments.order_id
),

final as (
    select
        -- ids
        cast(order_id as bigint) as order_id,
        cast(customer_key as varchar) as customer_key,
        cast(customer_id as bigint) as customer_id,

        -- attributes
        cast(country_code as varchar) as country_code,
        cast(channel as varchar) as channel,
        cast(status as varchar) as status,
        cast(is_first_order as boolean) as is_first_order,
        cast(is_deleted as boolean) as is_deleted,

        -- amounts in the order's currency (the shop's currencies have at most 2 decimals)
        cast(currency_code as varchar) as currency_code,
        cast(amount_local as numeric(18, 2)) as amount_local,
        cast(clean_items_amount_local as numeric(18, 2)) as clean_items_amount_local,
        cast(clean_item_count as integer) as item_count,
        cast(has_total_mismatch as boolean) as has_total_mismatch,

        -- amounts in the reporting currency, at the rate of the order date
        cast(reporting_currency_code as varchar) as reporting_currency_code,
        cast(reporting_rate as double precision) as reporting_rate,
        cast(fx_rate_date_used as date) as fx_rate_date_used,
        cast(amount_reporting as numeric(18, 2)) as amount_reporting,
        cast(amount_paid_reporting as numeric(18, 2)) as amount_paid_reporting,
        cast(amount_refunded_reporting as numeric(18, 2)) as amount_refunded_reporting,

        -- timestamps
        cast(ordered_at as timestamp) as ordered_at,
        cast(order_date as date) as order_date,
        cast(updated_at as timestamp) as updated_at,

        -- lineage
        cast(_load_id as varchar) as _load_id,
        cast(_loaded_at as timestamp) as _loaded_at
    from joined
)

select * from final
