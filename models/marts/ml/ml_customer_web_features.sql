{#-
    The web-engagement family of the churn features (grain: customer_key x as_of_date, every
    row of ml_customer_as_of_dates): sessions and purchase rate in the last 30 days and the
    most used device, as known at the end of the as-of date. The sandbox's clickstream covers
    only its last 30 days, so older rows have none.

    Sessions count from when they were known: over (no event for `session_timeout_minutes`
    after the last one, so a session running past midnight is not cut in half) and attributed
    to the customer (identity stitching gives a device's sessions before its first login to the
    customer who logged in later; such a session counts from that login). Counting sessions by
    started_at alone leaks: the leakage test then finds some 2,900 rows at scale 1 whose
    session features change when later data is removed. A device's first login is the first
    clean event it sent logged in (int_events__sessionized, the events sessionization stitches
    with), so no rule of int_events__checked is typed again here: this family belongs to the
    marketing group, whose events it reads.

    `device`: the most used device_type over all known sessions (ties: the most recently used,
    then by name; 'unknown' without sessions).
-#}

{%- set session_timeout_minutes = var('session_timeout_minutes') -%}

with

as_of_dates as (
    select * from {{ ref('ml_customer_as_of_dates') }}
),

sessions as (
    select * from {{ ref('fct_sessions') }}
),

events as (
    select * from {{ ref('int_events__sessionized') }}
),

-- each device's first login: from then on its sessions are attributed to a customer
device_logins as (
    select
        anonymous_id,
        min(occurred_at) as first_login_at
    from events
    where logged_in_customer_id is not null
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
    inner join device_logins using (anonymous_id)
    where sessions.customer_key is not null
),

session_history as (
    select
        as_of_dates.customer_key,
        as_of_dates.as_of_date,
        known_sessions.device_type,
        known_sessions.started_at,
        known_sessions.duration_seconds,
        known_sessions.has_purchase,
        known_sessions.session_date
        > {{ dbt.dateadd('day', -30, 'as_of_dates.as_of_date') }} as is_in_last_30d
    from as_of_dates
    inner join known_sessions
        on
            as_of_dates.customer_key = known_sessions.customer_key
            and as_of_dates.cutoff_at > known_sessions.known_at
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

final as (
    select
        -- grain
        cast(as_of_dates.customer_key as varchar) as customer_key,
        cast(as_of_dates.as_of_date as date) as as_of_date,

        -- sessions in the last 30 days
        cast(coalesce(session_activity.session_count_30d, 0) as integer) as session_count_30d,
        cast(session_activity.purchase_session_rate_30d as double precision)
            as purchase_session_rate_30d,
        cast(session_activity.avg_session_duration_30d as double precision)
            as avg_session_duration_30d,

        -- the most used device over all known sessions
        cast(coalesce(ranked_devices.device_type, 'unknown') as varchar) as device
    from as_of_dates
    left join session_activity using (customer_key, as_of_date)
    left join ranked_devices
        on
            as_of_dates.customer_key = ranked_devices.customer_key
            and as_of_dates.as_of_date = ranked_devices.as_of_date
            and ranked_devices.device_rank = 1
)

select * from final
