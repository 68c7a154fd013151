{#-
    Every staged shop order once, labelled with the first validation rule it breaks
    (`rejection_rule`, null for a clean order). int_orders__validated and int_orders__rejected
    both filter this model, so the rules are written once and the two can never disagree.

    Rules, checked in this order (an order is labelled with the first one it breaks):
      1. missing_customer_key  no customer_id: the order belongs to nobody
      2. orphan_customer       a customer_id that stg_shop__customers does not hold (an erased
                               customer keeps its row there, so it is not an orphan)
      3. unknown_currency      a currency_code that is not in the currencies seed (the legacy
                               'BTC' checkout)
      4. no_fx_rate            no exchange rate into the reporting currency on or before the
                               order's UTC date (int_fx_rates__daily has no row for that day and
                               currency): the order could not be converted
-#}

with

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

currencies as (
    select * from {{ ref('currencies') }}
),

fx_rates as (
    select * from {{ ref('int_fx_rates__daily') }}
),

checked as (
    select
        orders.*,
        -- the UTC day whose exchange rate converts the order
        cast(orders.ordered_at as date) as order_date,
        case
            when orders.customer_id is null then 'missing_customer_key'
            when customers.customer_id is null then 'orphan_customer'
            when currencies.currency_code is null then 'unknown_currency'
            when fx_rates.reporting_rate is null then 'no_fx_rate'
        end as rejection_rule
    from orders
    left join customers
        on orders.customer_id = customers.customer_id
    left join currencies
        on orders.currency_code = currencies.currency_code
    left join fx_rates
        on
            orders.currency_code = fx_rates.currency_code
            and cast(orders.ordered_at as date) = fx_rates.date_day
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
        _loaded_at,

        -- quality
        rejection_rule
    from checked
)

select * from final
