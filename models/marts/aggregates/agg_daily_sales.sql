{#-
    Daily sales (grain: order_date x country_code x channel x category), in the reporting
    currency: the clean order lines of fct_order_items with their order's channel and the
    buyer's country from fct_orders.

    - `revenue_reporting`: the lines of orders that were not cancelled (returned orders
      included: they were sold that day; `returned_revenue_reporting` says how much of it
      came back). `cancelled_revenue_reporting` keeps the cancelled lines, so that the three
      add up to fct_order_items (tested).
    - `order_count`: distinct orders with a line in the cell, cancelled ones excluded; an
      order with lines in two categories counts in both cells, so order counts are not
      additive across categories (revenue is).
    - `average_order_value_reporting`: revenue / order_count of the cell; null without orders.
-#}

with

order_items as (
    select * from {{ ref('fct_order_items') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

lines as (
    select
        order_items.order_date,
        orders.country_code,
        orders.channel,
        order_items.category,
        order_items.order_id,
        order_items.quantity,
        order_items.line_amount_reporting,
        orders.status = 'cancelled' as is_cancelled,
        orders.status = 'returned' as is_returned
    from order_items
    inner join orders using (order_id)
),

daily as (
    select
        order_date,
        country_code,
        channel,
        category,
        count(distinct case when not is_cancelled then order_id end) as order_count,
        sum(case when not is_cancelled then quantity else 0 end) as units_sold,
        sum(case when not is_cancelled then line_amount_reporting else 0 end)
            as revenue_reporting,
        sum(case when is_returned then line_amount_reporting else 0 end)
            as returned_revenue_reporting,
        sum(case when is_cancelled then line_amount_reporting else 0 end)
            as cancelled_revenue_reporting
    from lines
    group by order_date, country_code, channel, category
),

measured as (
    select
        *,
        {{ reporting_currency_code() }} as reporting_currency_code,
        -- revenue per order, in cents like the amounts it divides
        cast(
            case
                when order_count > 0 then revenue_reporting / order_count
            end as numeric(18, 2)
        ) as average_order_value_reporting
    from daily
),

final as (
    select
        {{ contract_columns() }}
    from measured
)

select * from final
