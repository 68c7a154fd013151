{#-
    Every staged shop order once, labelled with the first validation rule it breaks
    (`rejection_rule`, null for a clean order; the rules, in the order they are checked, are
    documented on that column in _sales__models.yml). int_orders__validated and
    int_orders__rejected are the two sides of the label (macro quarantine_rows), so the rules
    are written once and the two can never disagree. An erased customer keeps its row in
    stg_shop__customers, so its orders are not orphans.
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
    left join customers using (customer_id)
    left join currencies using (currency_code)
    left join fx_rates
        on
            orders.currency_code = fx_rates.currency_code
            and cast(orders.ordered_at as date) = fx_rates.date_day
),

final as (
    select
        {{ declared_columns() }}
    from checked
)

select * from final
