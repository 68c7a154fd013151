{#-
    The dates the churn features describe: one row per customer and as-of date (grain:
    customer_key x as_of_date), the spine every feature family and ml_customer_features start
    from. A row's features use only what was known at the end of its as-of date (UTC): before
    `cutoff_at`, the first instant of the next day.

    As-of dates: every `ml_feature_interval_days` (7) days, anchored on the last order date of
    the data (the data's "today", so that the newest row is the one to score) and going back
    over the order history to its first order date (a year in the sandbox: 53 dates). A
    customer has a row from the first as-of date on or after their account's creation. The
    anchor moves with the data, so nothing here is incremental.

    - the account counts by created_at. country_code is the account's current country (the
      shop keeps no history of it; snap_customers has it only since the warehouse started).
    - Customers who asked for erasure or whose account is deleted have no rows at all: their
      data must not train or feed a model (governance, not point in time; 10 at scale 1).
    - `is_label_complete`: the churn window of `churn_window_days` after the date ends on or
      before the last order date, so the row can have a label (the training window); the
      others are the scoring rows.
-#}

{%- set interval_days = var('ml_feature_interval_days') -%}
{%- set churn_window_days = var('churn_window_days') -%}

with recursive

customers as (
    select * from {{ ref('dim_customers') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

-- the order history's first and last day; the last is the data's "today"
data_bounds as (
    select
        min(order_date) as first_order_date,
        max(order_date) as last_order_date
    from orders
),

-- every interval_days days back from the last order date, to the first
as_of_dates as (
    select
        last_order_date as as_of_date,
        first_order_date
    from data_bounds
    where last_order_date is not null

    union all

    select
        cast({{ dbt.dateadd('day', -interval_days, 'as_of_date') }} as date) as as_of_date,
        first_order_date
    from as_of_dates
    where {{ dbt.dateadd('day', -interval_days, 'as_of_date') }} >= first_order_date
),

customer_dates as (
    select
        customers.customer_key,
        customers.country_code,
        customers.created_at,
        as_of_dates.as_of_date,
        -- the first instant after the as-of date: everything known is strictly before it
        cast({{ dbt.dateadd('day', 1, 'as_of_dates.as_of_date') }} as timestamp) as cutoff_at,
        -- the label's window is complete when it ends on or before the last order date
        {{ dbt.dateadd('day', churn_window_days, 'as_of_dates.as_of_date') }}
        <= data_bounds.last_order_date as is_label_complete
    from customers
    inner join as_of_dates
        on customers.created_at < {{ dbt.dateadd('day', 1, 'as_of_dates.as_of_date') }}
    cross join data_bounds
    where
        not coalesce(customers.is_deleted, false)
        and not coalesce(customers.has_erasure_request, false)
),

final as (
    select
        {{ contract_columns() }}
    from customer_dates
)

select * from final
