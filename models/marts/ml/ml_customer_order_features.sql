{#-
    The order family of the churn features (grain: customer_key x as_of_date, every row of
    ml_customer_as_of_dates): recency, frequency and monetary value over 90 days, 365 days and
    the whole history, and the account's tenure, as known at the end of the as-of date.

    Orders count by order_date <= as_of_date (ordered_at before the cut-off), whatever their
    status or is_deleted flag: a cancellation, a return or a deletion happens later, and
    fct_orders does not say when, so using the current status would filter the past with the
    future. Money is amount_reporting, the order's amount at its own day's FX rate.

    The order history starts a year before its last day in the sandbox: rows of the first
    as-of dates see less of it (their 365-day and lifetime features are smaller by
    construction, not by behaviour), which a model can learn from as_of_date or by dropping
    early dates.

    Types keep every value exact: `avg_order_value` stays a double here (ml_customer_features
    rounds it for its own column, and standardizes the unrounded value).
-#}

with

as_of_dates as (
    select * from {{ ref('ml_customer_as_of_dates') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

-- orders up to the as-of date
order_history as (
    select
        as_of_dates.customer_key,
        as_of_dates.as_of_date,
        count(*) as order_count,
        {%- for days in [90, 365] %}
        sum(
            case
                when orders.order_date > {{ dbt.dateadd('day', -days, 'as_of_dates.as_of_date') }}
                    then 1
                else 0
            end
        ) as order_count_{{ days }}d,
        {%- endfor %}
        {%- for days in [90, 365] %}
        sum(
            case
                when orders.order_date > {{ dbt.dateadd('day', -days, 'as_of_dates.as_of_date') }}
                    then orders.amount_reporting
                else 0
            end
        ) as monetary_{{ days }}d,
        {%- endfor %}
        sum(orders.amount_reporting) as monetary_lifetime,
        min(orders.order_date) as first_order_date,
        max(orders.order_date) as last_order_date
    from as_of_dates
    inner join orders
        on
            as_of_dates.customer_key = orders.customer_key
            and as_of_dates.as_of_date >= orders.order_date
    group by as_of_dates.customer_key, as_of_dates.as_of_date
),

final as (
    select
        -- grain
        cast(as_of_dates.customer_key as varchar) as customer_key,
        cast(as_of_dates.as_of_date as date) as as_of_date,

        -- recency and tenure (days)
        cast(
            {{ dbt.datediff('order_history.last_order_date', 'as_of_dates.as_of_date', 'day') }}
            as integer
        ) as days_since_last_order,
        cast(
            {{ dbt.datediff('order_history.first_order_date', 'as_of_dates.as_of_date', 'day') }}
            as integer
        ) as days_since_first_order,
        cast(
            {{ dbt.datediff(
                'cast(as_of_dates.created_at as date)', 'as_of_dates.as_of_date', 'day'
            ) }} as integer
        ) as tenure_days,

        -- frequency
        cast(coalesce(order_history.order_count, 0) as integer) as order_count,
        cast(coalesce(order_history.order_count_90d, 0) as integer) as order_count_90d,
        cast(coalesce(order_history.order_count_365d, 0) as integer) as order_count_365d,

        -- monetary value (reporting currency)
        cast(coalesce(order_history.monetary_90d, 0) as numeric(18, 2)) as monetary_90d,
        cast(coalesce(order_history.monetary_365d, 0) as numeric(18, 2)) as monetary_365d,
        cast(coalesce(order_history.monetary_lifetime, 0) as numeric(18, 2)) as monetary_lifetime,
        cast(
            order_history.monetary_lifetime / order_history.order_count as double precision
        ) as avg_order_value
    from as_of_dates
    left join order_history using (customer_key, as_of_date)
)

select * from final
