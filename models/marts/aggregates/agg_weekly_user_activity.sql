{#-
    One row per ISO week (grain: week_start, the Monday of the week, UTC) of the clickstream,
    from fct_sessions: weekly active users, sessions and the conversion funnel. All platforms
    together: one grain (distinct users cannot be added up across platform rows).

    - A session belongs to the week it started in.
    - A user is a person: the customer_key when the session's device logged in to a shop
      account (in this session or another: identity stitching), else the device's
      anonymous_id. One person on two devices that never logged in counts twice; a customer
      is counted once whichever devices they used.
    - logged_in_user_count: the users with a customer_key; anonymous_user_count the others.
    - The funnel counts sessions that reached each step (fct_sessions' cumulative flags, so
      every step is a subset of the one before); each step-to-step rate divides a step by
      the one before it, and the conversion rate purchases by sessions. A rate with nothing
      to divide by is null.
    - The clickstream covers a window of days; a week it does not cover from Monday to
      Sunday (its first and last week, usually) is flagged `is_partial_week`, with the days
      it covers in `days_in_window`: compare its counts with full weeks with care.
-#}

with

sessions as (
    select * from {{ ref('fct_sessions') }}
),

weekly_sessions as (
    select
        cast({{ dbt.date_trunc('week', 'session_date') }} as date) as week_start,
        customer_key,
        anonymous_id,
        -- the person: a customer key (an md5 hash) never equals an anonymous id ('anon-...')
        coalesce(customer_key, anonymous_id) as user_key,
        reached_product_view,
        reached_add_to_cart,
        reached_checkout,
        reached_purchase
    from sessions
),

clickstream_window as (
    select
        min(session_date) as first_date,
        max(session_date) as last_date
    from sessions
),

weekly as (
    select
        week_start,
        count(distinct user_key) as active_user_count,
        count(distinct customer_key) as logged_in_user_count,
        count(distinct case when customer_key is null then anonymous_id end)
            as anonymous_user_count,
        count(*) as session_count,
        sum(case when customer_key is not null then 1 else 0 end) as logged_in_session_count,
        sum(case when reached_product_view then 1 else 0 end) as product_view_session_count,
        sum(case when reached_add_to_cart then 1 else 0 end) as add_to_cart_session_count,
        sum(case when reached_checkout then 1 else 0 end) as checkout_session_count,
        sum(case when reached_purchase then 1 else 0 end) as purchase_session_count
    from weekly_sessions
    group by week_start
),

covered as (
    select
        weekly.*,
        {{ dbt.datediff(
            'greatest(weekly.week_start, clickstream_window.first_date)',
            'least(' ~ dbt.dateadd('day', 6, 'weekly.week_start')
            ~ ', clickstream_window.last_date)',
            'day'
        ) }} + 1 as days_in_window
    from weekly
    cross join clickstream_window
),

final as (
    select
        -- the week
        cast(week_start as date) as week_start,
        cast(days_in_window as integer) as days_in_window,
        cast(days_in_window < 7 as boolean) as is_partial_week,

        -- users
        cast(active_user_count as integer) as active_user_count,
        cast(logged_in_user_count as integer) as logged_in_user_count,
        cast(anonymous_user_count as integer) as anonymous_user_count,

        -- sessions
        cast(session_count as integer) as session_count,
        cast(logged_in_session_count as integer) as logged_in_session_count,
        cast(session_count * 1.0 / nullif(active_user_count, 0) as numeric(18, 6))
            as sessions_per_user,

        -- funnel: sessions that reached each step
        cast(product_view_session_count as integer) as product_view_session_count,
        cast(add_to_cart_session_count as integer) as add_to_cart_session_count,
        cast(checkout_session_count as integer) as checkout_session_count,
        cast(purchase_session_count as integer) as purchase_session_count,

        -- funnel: step-to-step and overall conversion rates (0 to 1)
        cast(
            product_view_session_count * 1.0 / nullif(session_count, 0) as numeric(18, 6)
        ) as product_view_rate,
        cast(
            add_to_cart_session_count * 1.0 / nullif(product_view_session_count, 0)
            as numeric(18, 6)
        ) as add_to_cart_rate,
        cast(
            checkout_session_count * 1.0 / nullif(add_to_cart_session_count, 0)
            as numeric(18, 6)
        ) as checkout_rate,
        cast(
            purchase_session_count * 1.0 / nullif(checkout_session_count, 0) as numeric(18, 6)
        ) as purchase_rate,
        cast(
            purchase_session_count * 1.0 / nullif(session_count, 0) as numeric(18, 6)
        ) as conversion_rate
    from covered
)

select * from final
