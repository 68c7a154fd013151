{#-
    The label of the churn features (grain: customer_key x as_of_date, every row of
    ml_customer_as_of_dates): is_churned = no order in (as_of_date, as_of_date +
    `churn_window_days`]; null when that window is not complete in the data (it ends after the
    last order date): those rows are the scoring rows, the others the training window. For a
    prospect (no order yet) churned means: still no order. Only what happens after the date:
    never a feature.
-#}

{%- set churn_window_days = var('churn_window_days') -%}

with

as_of_dates as (
    select * from {{ ref('ml_customer_as_of_dates') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

-- orders in the churn window after the as-of date
label_orders as (
    select
        as_of_dates.customer_key,
        as_of_dates.as_of_date,
        count(*) as order_count
    from as_of_dates
    inner join orders
        on
            as_of_dates.customer_key = orders.customer_key
            and as_of_dates.as_of_date < orders.order_date
            and {{ dbt.dateadd('day', churn_window_days, 'as_of_dates.as_of_date') }}
            >= orders.order_date
    group by as_of_dates.customer_key, as_of_dates.as_of_date
),

final as (
    select
        -- grain
        cast(as_of_dates.customer_key as varchar) as customer_key,
        cast(as_of_dates.as_of_date as date) as as_of_date,

        -- the label
        cast(
            case
                when as_of_dates.is_label_complete
                    then coalesce(label_orders.order_count, 0) = 0
            end as boolean
        ) as is_churned
    from as_of_dates
    left join label_orders using (customer_key, as_of_date)
)

select * from final
