{#-
    fct_orders version 1, deprecated (fct_orders.yml: deprecation_date): the shape the mart had
    before version 2 dropped the shop's `customer_id`. A view over v2 with that id joined back
    from the order itself, so that consumers pinned with ref('fct_orders', v=1), or reading the
    relation fct_orders_v1, keep working while they move to v2 and customer_key. No logic of
    its own: every number is v2's.
-#}

{{ config(materialized='view') }}

with

orders as (
    select * from {{ ref('fct_orders', v=2) }}
),

shop_orders as (
    select
        order_id,
        customer_id
    from {{ ref('int_orders__normalized') }}
),

final as (
    select
        -- ids
        orders.order_id,
        orders.customer_key,
        cast(shop_orders.customer_id as bigint) as customer_id,

        -- attributes
        orders.country_code,
        orders.channel,
        orders.status,
        orders.is_first_order,
        orders.is_deleted,

        -- amounts in the order's currency
        orders.currency_code,
        orders.amount_local,
        orders.clean_items_amount_local,
        orders.item_count,
        orders.has_total_mismatch,

        -- amounts in the reporting currency
        orders.reporting_currency_code,
        orders.reporting_rate,
        orders.fx_rate_date_used,
        orders.amount_reporting,
        orders.amount_paid_reporting,
        orders.amount_refunded_reporting,

        -- timestamps
        orders.ordered_at,
        orders.order_date,
        orders.updated_at,

        -- lineage
        orders._load_id,
        orders._loaded_at
    from orders
    inner join shop_orders using (order_id)
)

select * from final
