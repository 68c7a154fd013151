{#-
    The review family of the churn features (grain: customer_key x as_of_date, every row of
    ml_customer_as_of_dates): reviews written and their average rating, as known at the end of
    the as-of date. Reviews count by created_at; a review edited after the as-of date counts,
    but its rating (a value from after the date) stays out of avg_rating.
-#}

with

as_of_dates as (
    select * from {{ ref('ml_customer_as_of_dates') }}
),

reviews as (
    select * from {{ ref('fct_reviews') }}
),

review_history as (
    select
        as_of_dates.customer_key,
        as_of_dates.as_of_date,
        count(*) as review_count,
        -- a rating edited after the as-of date is a value from the future: left out
        avg(
            case
                when reviews.updated_at is null or reviews.updated_at < as_of_dates.cutoff_at
                    then reviews.rating
            end
        ) as avg_rating
    from as_of_dates
    inner join reviews
        on
            as_of_dates.customer_key = reviews.customer_key
            and as_of_dates.cutoff_at > reviews.created_at
    group by as_of_dates.customer_key, as_of_dates.as_of_date
),

final as (
    select
        -- grain
        cast(as_of_dates.customer_key as varchar) as customer_key,
        cast(as_of_dates.as_of_date as date) as as_of_date,

        -- reviews written by the date
        cast(coalesce(review_history.review_count, 0) as integer) as review_count,
        cast(review_history.avg_rating as double precision) as avg_rating
    from as_of_dates
    left join review_history using (customer_key, as_of_date)
)

select * from final
