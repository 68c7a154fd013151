-- A customer has feature rows only from the as-of date on which their account exists
-- (created_at on or before the date), and none at all once they asked for erasure or their
-- account is deleted: fails with the rows that break either rule.
with

features as (
    select * from {{ ref('ml_customer_features') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
)

select
    features.customer_key,
    features.as_of_date,
    customers.created_at,
    customers.is_deleted,
    customers.has_erasure_request
from features
left join customers using (customer_key)
where
    customers.customer_key is null
    or cast(customers.created_at as date) > features.as_of_date
    or customers.is_deleted
    or customers.has_erasure_request
