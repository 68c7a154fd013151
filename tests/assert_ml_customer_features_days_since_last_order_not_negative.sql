-- Recency looks back, never forward: days since the last order and since the first are
-- never negative, the first order is never more recent than the last, and a customer has a
-- recency exactly when they have an order. Fails with the rows that break one of these.
select
    customer_key,
    as_of_date,
    order_count,
    days_since_last_order,
    days_since_first_order
from {{ ref('ml_customer_features') }}
where
    days_since_last_order < 0
    or days_since_first_order < days_since_last_order
    or (order_count > 0) != (days_since_last_order is not null)
