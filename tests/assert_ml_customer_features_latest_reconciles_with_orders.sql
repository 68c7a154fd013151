-- Nothing lost or doubled between fct_orders and the features: on the latest as-of date (the
-- last order date) the lifetime order counts and amounts of the scoring rows add up to every
-- order of the customers who have rows (all but the deleted and erased ones). Fails with the
-- two sides when they differ.
with

latest_view as (
    select * from {{ ref('ml_customer_features_latest') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

features_total as (
    select
        sum(order_count) as order_count,
        sum(monetary_lifetime) as amount_reporting
    from latest_view
),

orders_total as (
    select
        count(*) as order_count,
        sum(orders.amount_reporting) as amount_reporting
    from orders
    inner join customers using (customer_key)
    where
        not coalesce(customers.is_deleted, false)
        and not coalesce(customers.has_erasure_request, false)
)

select
    features_total.order_count as feature_order_count,
    orders_total.order_count as fct_orders_order_count,
    features_total.amount_reporting as feature_amount_reporting,
    orders_total.amount_reporting as fct_orders_amount_reporting
from features_total
cross join orders_total
where
    features_total.order_count != orders_total.order_count
    -- each row's monetary_lifetime is rounded to cents: allow a cent per scoring row
    or abs(features_total.amount_reporting - orders_total.amount_reporting)
    > 0.01 * (select count(*) from latest_view)
