-- The churn label exists exactly on the rows whose churn window is over in the data
-- (as_of_date + churn_window_days on or before the latest as-of date, the last order date):
-- fails with the rows that have a label they cannot have, or lack one they should have.
with

features as (
    select * from {{ ref('ml_customer_features') }}
),

latest as (
    select max(as_of_date) as last_order_date
    from features
),

checked as (
    select
        features.customer_key,
        features.as_of_date,
        features.is_churned,
        features.is_label_complete,
        {{ dbt.dateadd('day', var('churn_window_days'), 'features.as_of_date') }}
        <= latest.last_order_date as is_window_over
    from features
    cross join latest
)

select *
from checked
where
    is_label_complete != is_window_over
    or (is_churned is null) = is_label_complete
