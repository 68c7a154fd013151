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

checked as (
    select
        *,
        -- the UTC day whose exchange rate converts the order
        cast(ordered_at as date) as order_date,
        case
            when customer_id is null then 'missing_customer_key'
            when not {{ is_key_of('customer_id', 'stg_shop__customers') }} then 'orphan_customer'
            when not {{ is_key_of('currency_code', 'currencies') }} then 'unknown_currency'
            when not {{ has_fx_rate('currency_code', 'cast(ordered_at as date)') }}
                then 'no_fx_rate'
        end as rejection_rule
    from orders
),

final as (
    select
        {{ declared_columns() }}
    from checked
)

select * from final
