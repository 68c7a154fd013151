{#-
    One row per clean order line (grain: order_item_id, as int_order_items__normalized): the
    order, the buyer (`customer_key` of its order, int_orders__keyed), the product and its category in the one taxonomy, quantity,
    and the amounts in the order's currency and in the reporting currency at the rate of the
    order date. The lines that reports by product and category add up.

    Incremental (merge on order_item_id). A run rebuilds the lines loaded since the last run
    plus those of orders placed in the last `incremental_lookback_days` (a project var)
    before the latest order date here, whose reporting amounts can still change with a late
    FX rate, plus any clean line not here yet though loaded earlier (a line whose order only
    became clean since), so that a full refresh and an incremental run agree. A change of
    the product_categories seed changes the category of old lines: it needs a full refresh.
-#}

{{ config(materialized='incremental', unique_key='order_item_id') }}

with

order_items as (
    select * from {{ ref('int_order_items__normalized') }}
),

order_keys as (
    select * from {{ ref('int_orders__keyed') }}
),

items_to_build as (
    select *
    from order_items
    {%- if is_incremental() %}
    where
        -- the loads since the last run, and the FX lookback on the order date
        {{ loaded_since_last_run_or_recent('order_date') }}
        or order_item_id not in (select order_item_id from {{ this }})
    {%- endif %}
),

joined as (
    select
        items_to_build.*,
        order_keys.customer_key
    from items_to_build
    -- every clean line has a clean order (rule orphan_order upstream)
    left join order_keys using (order_id)
),

final as (
    select
        {{ contract_columns() }}
    from joined
)

select * from final
