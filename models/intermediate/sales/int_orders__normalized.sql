{#-
    One row per clean shop order (int_orders__validated), its amount also in the reporting
    currency (the project var `reporting_currency`) at the exchange rate of the order's UTC
    date: an order placed on a Saturday is converted at Friday's rate (int_fx_rates__daily
    carries the last business day's rate over weekends and holidays).

    Two order amounts, both kept:
    - `amount_local` is the total as the shop stored it: what the customer was charged and what
      the payments carry, so it is the amount of the books, and the one converted into
      `amount_reporting`. It includes every line, the rejected ones too (a legacy line with a
      negative quantity lowers it).
    - `clean_items_amount_local` is the sum of the order's clean lines
      (int_order_items__validated), the lines that reports by product and category add up.
    `has_total_mismatch` flags the orders where the two differ (compared at the currency's
    minor units), i.e. the orders that lost a line to quarantine.

    Rounding: `amount_reporting` is rounded to the minor units of the reporting currency
    (2 for USD, 0 if it were JPY); local amounts keep the minor units of their own currency
    (a JPY order's total is whole yen, not cents).
-#}

with

orders as (
    select * from {{ ref('int_orders__validated') }}
),

order_items as (
    select * from {{ ref('int_order_items__validated') }}
),

currencies as (
    select * from {{ ref('currencies') }}
),

clean_items as (
    select
        order_id,
        count(*) as clean_item_count,
        sum(line_amount_local) as clean_items_amount_local
    from order_items
    group by order_id
),

-- each order with the rate of its currency on its order date
rated as (
    {{ with_fx_rate('orders', 'order_date') }}
),

joined as (
    select
        rated.*,
        currencies.minor_units,
        coalesce(clean_items.clean_item_count, 0) as clean_item_count,
        -- the staged amounts' type, whatever type each warehouse gives a sum
        cast(
            coalesce(clean_items.clean_items_amount_local, 0) as {{ dbt.type_numeric() }}
        ) as clean_items_amount_local
    from rated
    left join clean_items using (order_id)
    left join currencies using (currency_code)
),

final as (
    select
        -- ids
        order_id,
        customer_id,

        -- attributes
        channel,
        status,

        -- amounts in the order's currency
        currency_code,
        total_amount_local as amount_local,
        clean_items_amount_local,
        clean_item_count,
        {{ round_to_minor_units('total_amount_local', 'minor_units') }}
        != {{ round_to_minor_units('clean_items_amount_local', 'minor_units') }}
            as has_total_mismatch,

        -- amount in the reporting currency, at the rate of the order's UTC date
        {{ reporting_currency_code() }} as reporting_currency_code,
        reporting_rate,
        fx_rate_date_used,
        is_fx_rate_carried_forward,
        {{ in_reporting_currency('total_amount_local', 'reporting_rate') }} as amount_reporting,

        -- timestamps
        ordered_at,
        order_date,
        created_at,
        updated_at,
        deleted_at,
        is_deleted,

        -- lineage
        _load_id,
        _loaded_at
    from joined
)

select * from final
