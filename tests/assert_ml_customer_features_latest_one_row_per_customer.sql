-- The scoring view holds the latest as-of date only, with exactly one row for every customer
-- who can be scored: an account created on or before that date, neither deleted nor under an
-- erasure request. Fails with each such customer counted other than once (missing: 0,
-- doubled: 2+), each row of someone else, and each row of another date.
with

latest_view as (
    select * from {{ ref('ml_customer_features_latest') }}
),

features as (
    select * from {{ ref('ml_customer_features') }}
),

customers as (
    select * from {{ ref('dim_customers') }}
),

latest_date as (
    select max(as_of_date) as as_of_date
    from features
),

expected as (
    select customers.customer_key
    from customers
    inner join latest_date
        on cast(customers.created_at as date) <= latest_date.as_of_date
    where
        not coalesce(customers.is_deleted, false)
        and not coalesce(customers.has_erasure_request, false)
),

view_counts as (
    select
        customer_key,
        count(*) as row_count,
        min(as_of_date) as min_as_of_date,
        max(as_of_date) as max_as_of_date
    from latest_view
    group by customer_key
)

select
    view_counts.min_as_of_date,
    view_counts.max_as_of_date,
    latest_date.as_of_date as latest_as_of_date,
    coalesce(expected.customer_key, view_counts.customer_key) as customer_key,
    coalesce(view_counts.row_count, 0) as row_count
from expected
full outer join view_counts
    on expected.customer_key = view_counts.customer_key
cross join latest_date
where
    expected.customer_key is null
    or view_counts.customer_key is null
    or view_counts.row_count != 1
    or view_counts.min_as_of_date != latest_date.as_of_date
    or view_counts.max_as_of_date != latest_date.as_of_date
