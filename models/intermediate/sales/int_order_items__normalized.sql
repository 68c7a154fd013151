{#-
    One row per clean order line (int_order_items__validated), with the product's canonical
    category (int_products__normalized) and its amounts also in the reporting currency, at the
    exchange rate of its order's UTC date (the rate int_orders__normalized used).

    Each amount is converted from its local value and rounded to the reporting currency's minor
    units: `line_amount_reporting` is the converted line amount, not quantity times the rounded
    `unit_price_reporting`, and the lines of an order may differ from the order's
    `amount_reporting` by rounding (and by the lines that were quarantined; see
    `has_total_mismatch` on int_orders__normalized).
-#}

with

order_items as (
    select * from {{ ref('int_order_items__validated') }}
),

orders as (
    select * from {{ ref('int_orders__normalized') }}
),

products as (
    select * from {{ ref('int_products__normalized') }}
),

joined as (
    select
        order_items.*,
        products.category,
        products.category_slug,
        orders.currency_code,
        orders.reporting_rate,
        orders.fx_rate_date_used,
        orders.ordered_at,
        orders.order_date
    from order_items
    -- every clean line has a clean order (rule orphan_order); a left join loses no line if not
    left join orders using (order_id)
    left join products using (product_id)
),

final as (
    select
        -- ids
        order_item_id,
        order_id,
        product_id,

        -- product
        category,
        category_slug,

        -- quantities and amounts in the order's currency
        quantity,
        currency_code,
        unit_price_local,
        line_amount_local,

        -- amounts in the reporting currency, at the rate of the order's UTC date
        {{ reporting_currency_code() }} as reporting_currency_code,
        reporting_rate,
        fx_rate_date_used,
        {{ in_reporting_currency('unit_price_local', 'reporting_rate') }} as unit_price_reporting,
        {{ in_reporting_currency('line_amount_local', 'reporting_rate') }} as line_amount_reporting,

        -- timestamps
        ordered_at,
        order_date,
        created_at,
        updated_at,

        -- lineage
        _load_id,
        _loaded_at
    from joined
)

select * from final
