{#-
    Churn features: one row per customer per as-of date (grain: customer_key x as_of_date),
    point-in-time correct: a row's features use only what was known at the end of its as-of
    date (UTC), and its label only what happened in the `churn_window_days` after it.

    As-of dates: every `ml_feature_interval_days` (7) days, anchored on the last order date of
    the data (the data's "today", so that the newest row is the one to score) and going back
    over the order history to its first order date (a year in the sandbox: 53 dates). A
    customer has a row from the first as-of date on or after their account's creation. The
    anchor moves with the data, so the table is rebuilt whole (a table, not incremental).

    Point in time (the cut-off of a row is the start of the day after its as-of date):
    - orders count by order_date <= as_of_date (ordered_at before the cut-off), whatever their
      status or is_deleted flag: a cancellation, a return or a deletion happens later, and
      fct_orders does not say when, so using the current status would filter the past with
      the future. Money is amount_reporting, the order's amount at its own day's FX rate.
    - sessions count from when they were known: over (no event for `session_timeout_minutes`
      after the last one, so a session running past midnight is not cut in half) and
      attributed to the customer (identity stitching gives a device's sessions before its
      first login to the customer who logged in later; such a session counts from that
      login). Counting sessions by started_at alone leaks: the leakage test then finds some
      2,900 rows at scale 1 whose session features change when later data is removed. The
      first login of each device comes from the clean events of stg_web__events (rules 1-3
      of int_events__checked: the logins sessionization stitches with), until fct_sessions
      carries it.
    - reviews count by created_at; a review edited after the as-of date counts, but its
      rating (a value from after the date) stays out of avg_rating.
    - the account counts by created_at. country_code is the account's current country (the
      shop keeps no history of it; snap_customers has it only since the warehouse started).
    - Customers who asked for erasure or whose account is deleted have no rows at all: their
      data must not train or feed a model (governance, not point in time; 10 at scale 1).

    Label: is_churned = no order in (as_of_date, as_of_date + churn_window_days]; null when
    that window is not complete in the data (it ends after the last order date): those rows
    (is_label_complete false, the last 60 days of as-of dates) are the scoring rows, the
    others the training window. For a prospect (no order yet) churned means: still no order.

    The order history starts a year before its last day in the sandbox: rows of the first
    as-of dates see less of it (their 365-day and lifetime features are smaller by
    construction, not by behaviour), which a model can learn from as_of_date or by dropping
    early dates.

    Features: recency, frequency and monetary value (90 days, 365 days, lifetime), tenure,
    sessions and purchase rate in the last 30 days (the sandbox's clickstream covers only
    its last 30 days, so older rows have none), reviews; the most used device_type over all known
    sessions (ties: the most recently used, then by name; 'unknown' without sessions).

    Segment, from the order history as of the date, first rule that applies:
      prospect  no order yet
      lapsed    the last order more than `churn_window_days` before the date (the label's
                churn, seen backwards)
      new       every order in the last 90 days (first order < 90 days ago)
      loyal     at least 12 orders in the last 365 days (about one a month)
      active    the others

    One-hot columns country_<code>, device_<type>, segment_<name> are 0/1 integers. Their
    lists are fixed below, not read from the countries seed with run_query: the enforced
    contract declares every column in the yml anyway (a new country needs a yml change
    whatever the SQL does), a fixed list keeps the model compilable without a warehouse
    (sqlfluff, unit tests) and the same on every adapter, and the singular test
    assert_ml_customer_features_one_hot_encodings fails when the seed or the customers gain a
    country the list lacks.

    Standardized features <feature>_z = (value - mean) / stddev (sample), mean and stddev
    over the training window only (is_label_complete rows), applied to every row, the scoring
    rows too, so that nothing about the scoring period leaks into the scaling. A stddev of 0
    or null gives 0; a null value (no order yet: days_since_last_order, ...) stays null.
-#}

{%- set interval_days = var('ml_feature_interval_days') -%}
{%- set churn_window_days = var('churn_window_days') -%}
{%- set session_timeout_minutes = var('session_timeout_minutes') -%}
{%- set loyal_min_orders_365d = 12 -%}

{#- The countries of the countries seed (see the header for why the list is fixed). -#}
{%- set country_codes = [
    'AT', 'AU', 'BE', 'BR', 'CA', 'CH', 'DE', 'DK', 'ES', 'FR',
    'GB', 'IE', 'IT', 'JP', 'MX', 'NL', 'PL', 'PT', 'SE', 'US',
] -%}
{#- fct_sessions' accepted device types, and 'unknown' for a customer without sessions. -#}
{%- set device_types = ['desktop', 'mobile_web', 'ios', 'android', 'unknown'] -%}
{%- set segments = ['prospect', 'new', 'active', 'loyal', 'lapsed'] -%}
{%- set numeric_features = [
    'days_since_last_order',
    'days_since_first_order',
    'tenure_days',
    'order_count',
    'order_count_90d',
    'order_count_365d',
    'monetary_90d',
    'monetary_365d',
    'monetary_lifetime',
    'avg_order_value',
    'session_count_30d',
    'purchase_session_rate_30d',
    'avg_session_duration_30d',
    'review_count',
    'avg_rating',
] -%}

with recursive

customers as (
    select * from {{ ref('dim_customers') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

sessions as (
    select * from {{ ref('fct_sessions') }}
),

events as (
    select * from {{ ref('stg_web__events') }}
),

reviews as (
    select * from {{ ref('fct_reviews') }}
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

-- orders up to the as-of date
order_history as (
    select
        customer_dates.customer_key,
        customer_dates.as_of_date,
        count(*) as order_count,
        sum(
            case
                when orders.order_date > {{ dbt.dateadd('day', -90, 'customer_dates.as_of_date') }}
                    then 1
                else 0
            end
        ) as order_count_90d,
        sum(
            case
                when orders.order_date > {{ dbt.dateadd('day', -365, 'customer_dates.as_of_date') }}
                    then 1
                else 0
            end
        ) as order_count_365d,
        sum(
            case
                when orders.order_date > {{ dbt.dateadd('day', -90, 'customer_dates.as_of_date') }}
                    then orders.amount_reporting
                else 0
            end
        ) as monetary_90d,
        sum(
            case
                when orders.order_date > {{ dbt.dateadd('day', -365, 'customer_dates.as_of_date') }}
                    then orders.amount_reporting
                else 0
            end
        ) as monetary_365d,
        sum(orders.amount_reporting) as monetary_lifetime,
        min(orders.order_date) as first_order_date,
        max(orders.order_date) as last_order_date
    from customer_dates
    inner join orders
        on
            customer_dates.customer_key = orders.customer_key
            and customer_dates.as_of_date >= orders.order_date
    group by customer_dates.customer_key, customer_dates.as_of_date
),

-- orders in the churn window after the as-of date: the label, never a feature
label_orders as (
    select
        customer_dates.customer_key,
        customer_dates.as_of_date,
        count(*) as order_count
    from customer_dates
    inner join orders
        on
            customer_dates.customer_key = orders.customer_key
            and customer_dates.as_of_date < orders.order_date
            and {{ dbt.dateadd('day', churn_window_days, 'customer_dates.as_of_date') }}
            >= orders.order_date
    group by customer_dates.customer_key, customer_dates.as_of_date
),

-- each device's first login: from then on its sessions are attributed to a customer
device_logins as (
    select
        anonymous_id,
        min(occurred_at) as first_login_at
    from events
    where
        customer_id is not null
        -- the clean events of int_events__checked's rules 1-3, as sessionization reads them
        and event_id is not null
        and anonymous_id is not null
        and event_type in ('page_view', 'product_view', 'add_to_cart', 'checkout', 'purchase')
    group by anonymous_id
),

-- a customer's session is known once it is over and attributed to the customer
known_sessions as (
    select
        sessions.customer_key,
        sessions.device_type,
        sessions.started_at,
        sessions.session_date,
        sessions.duration_seconds,
        sessions.has_purchase,
        greatest(
            {{ dbt.dateadd('minute', session_timeout_minutes, 'sessions.ended_at') }},
            device_logins.first_login_at
        ) as known_at
    from sessions
    inner join device_logins
        on sessions.anonymous_id = device_logins.anonymous_id
    where sessions.customer_key is not null
),

session_history as (
    select
        customer_dates.customer_key,
        customer_dates.as_of_date,
        known_sessions.device_type,
        known_sessions.started_at,
        known_sessions.duration_seconds,
        known_sessions.has_purchase,
        known_sessions.session_date
        > {{ dbt.dateadd('day', -30, 'customer_dates.as_of_date') }} as is_in_last_30d
    from customer_dates
    inner join known_sessions
        on
            customer_dates.customer_key = known_sessions.customer_key
            and customer_dates.cutoff_at > known_sessions.known_at
),

session_activity as (
    select
        customer_key,
        as_of_date,
        sum(case when is_in_last_30d then 1 else 0 end) as session_count_30d,
        avg(
            case
                when is_in_last_30d and has_purchase then 1.0
                when is_in_last_30d then 0.0
            end
        ) as purchase_session_rate_30d,
        avg(case when is_in_last_30d then duration_seconds end) as avg_session_duration_30d
    from session_history
    group by customer_key, as_of_date
),

device_usage as (
    select
        customer_key,
        as_of_date,
        device_type,
        count(*) as session_count,
        max(started_at) as last_used_at
    from session_history
    group by customer_key, as_of_date, device_type
),

ranked_devices as (
    select
        *,
        row_number() over (
            partition by customer_key, as_of_date
            order by session_count desc, last_used_at desc, device_type asc
        ) as device_rank
    from device_usage
),

review_history as (
    select
        customer_dates.customer_key,
        customer_dates.as_of_date,
        count(*) as review_count,
        -- a rating edited after the as-of date is a value from the future: left out
        avg(
            case
                when reviews.updated_at is null or reviews.updated_at < customer_dates.cutoff_at
                    then reviews.rating
            end
        ) as avg_rating
    from customer_dates
    inner join reviews
        on
            customer_dates.customer_key = reviews.customer_key
            and customer_dates.cutoff_at > reviews.created_at
    group by customer_dates.customer_key, customer_dates.as_of_date
),

features as (
    select
        customer_dates.customer_key,
        customer_dates.as_of_date,
        customer_dates.country_code,
        customer_dates.is_label_complete,
        coalesce(ranked_devices.device_type, 'unknown') as device,

        -- recency, frequency, monetary
        {{ dbt.datediff('order_history.last_order_date', 'customer_dates.as_of_date', 'day') }}
            as days_since_last_order,
        {{ dbt.datediff('order_history.first_order_date', 'customer_dates.as_of_date', 'day') }}
            as days_since_first_order,
        {{ dbt.datediff(
            'cast(customer_dates.created_at as date)', 'customer_dates.as_of_date', 'day'
        ) }} as tenure_days,
        coalesce(order_history.order_count, 0) as order_count,
        coalesce(order_history.order_count_90d, 0) as order_count_90d,
        coalesce(order_history.order_count_365d, 0) as order_count_365d,
        coalesce(order_history.monetary_90d, 0) as monetary_90d,
        coalesce(order_history.monetary_365d, 0) as monetary_365d,
        coalesce(order_history.monetary_lifetime, 0) as monetary_lifetime,
        order_history.monetary_lifetime / order_history.order_count as avg_order_value,

        -- behaviour
        coalesce(session_activity.session_count_30d, 0) as session_count_30d,
        session_activity.purchase_session_rate_30d,
        session_activity.avg_session_duration_30d,
        coalesce(review_history.review_count, 0) as review_count,
        review_history.avg_rating,

        -- label
        case
            when customer_dates.is_label_complete
                then coalesce(label_orders.order_count, 0) = 0
        end as is_churned
    from customer_dates
    left join order_history
        on
            customer_dates.customer_key = order_history.customer_key
            and customer_dates.as_of_date = order_history.as_of_date
    left join label_orders
        on
            customer_dates.customer_key = label_orders.customer_key
            and customer_dates.as_of_date = label_orders.as_of_date
    left join session_activity
        on
            customer_dates.customer_key = session_activity.customer_key
            and customer_dates.as_of_date = session_activity.as_of_date
    left join ranked_devices
        on
            customer_dates.customer_key = ranked_devices.customer_key
            and customer_dates.as_of_date = ranked_devices.as_of_date
            and ranked_devices.device_rank = 1
    left join review_history
        on
            customer_dates.customer_key = review_history.customer_key
            and customer_dates.as_of_date = review_history.as_of_date
),

segmented as (
    select
        *,
        case
            when order_count = 0 then 'prospect'
            when days_since_last_order > {{ churn_window_days }} then 'lapsed'
            when days_since_first_order < 90 then 'new'
            when order_count_365d >= {{ loyal_min_orders_365d }} then 'loyal'
            else 'active'
        end as segment
    from features
),

-- mean and sample standard deviation of each numeric feature over the training window only
training_stats as (
    select
        {%- for feature in numeric_features %}
        avg(cast({{ feature }} as double precision)) as {{ feature }}_mean,
        stddev_samp(cast({{ feature }} as double precision))
            as {{ feature }}_stddev,
        {%- endfor %}
        -- the training window's size (and the last column after the loop's commas)
        count(*) as training_row_count
    from segmented
    where is_label_complete
),

final as (
    select
        -- grain
        cast(segmented.customer_key as varchar) as customer_key,
        cast(segmented.as_of_date as date) as as_of_date,

        -- attributes
        cast(segmented.country_code as varchar) as country_code,
        cast(segmented.device as varchar) as device,
        cast(segmented.segment as varchar) as segment,

        -- raw features: recency, frequency, monetary (reporting currency), tenure
        cast(segmented.days_since_last_order as integer) as days_since_last_order,
        cast(segmented.days_since_first_order as integer) as days_since_first_order,
        cast(segmented.tenure_days as integer) as tenure_days,
        cast(segmented.order_count as integer) as order_count,
        cast(segmented.order_count_90d as integer) as order_count_90d,
        cast(segmented.order_count_365d as integer) as order_count_365d,
        cast(segmented.monetary_90d as numeric(18, 2)) as monetary_90d,
        cast(segmented.monetary_365d as numeric(18, 2)) as monetary_365d,
        cast(segmented.monetary_lifetime as numeric(18, 2)) as monetary_lifetime,
        cast(segmented.avg_order_value as numeric(18, 2)) as avg_order_value,

        -- raw features: sessions and reviews
        cast(segmented.session_count_30d as integer) as session_count_30d,
        cast(segmented.purchase_session_rate_30d as numeric(18, 6)) as purchase_session_rate_30d,
        cast(segmented.avg_session_duration_30d as double precision) as avg_session_duration_30d,
        cast(segmented.review_count as integer) as review_count,
        cast(segmented.avg_rating as double precision) as avg_rating,

        -- one-hot encodings
        {%- for country_code in country_codes %}
        cast(case when segmented.country_code = '{{ country_code }}' then 1 else 0 end as integer)
            as country_{{ country_code | lower }},
        {%- endfor %}
        {%- for device_type in device_types %}
        cast(case when segmented.device = '{{ device_type }}' then 1 else 0 end as integer)
            as device_{{ device_type }},
        {%- endfor %}
        {%- for segment in segments %}
        cast(case when segmented.segment = '{{ segment }}' then 1 else 0 end as integer)
            as segment_{{ segment }},
        {%- endfor %}

        -- standardized features, scaled with the training window's statistics
        {%- for feature in numeric_features %}
        cast(
            case
                when segmented.{{ feature }} is null then null
                when coalesce(training_stats.{{ feature }}_stddev, 0) = 0 then 0
                else
                    (segmented.{{ feature }} - training_stats.{{ feature }}_mean)
                    / training_stats.{{ feature }}_stddev
            end
            as double precision
        ) as {{ feature }}_z,
        {%- endfor %}

        -- label
        cast(segmented.is_churned as boolean) as is_churned,
        cast(segmented.is_label_complete as boolean) as is_label_complete
    from segmented
    cross join training_stats
)

select * from final
