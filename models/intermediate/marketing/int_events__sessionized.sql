{#-
    One row per clean clickstream event, with its session and its stitched customer.

    Sessions: the events of one anonymous_id, in order of occurred_at (event_id breaks ties
    so that every run agrees), start a new session when more than
    `session_timeout_minutes` (a project var, 30 by default) passed since the previous event;
    a gap of exactly the timeout continues the session. Sessions never span anonymous ids.
    `session_number` counts an anonymous id's sessions from 1; `session_id` is a hash of the
    anonymous id and the session's first event id, which stays the same when later events
    arrive (a number would shift if a late event opened an earlier session).

    Identity stitching: an event sent while logged in carries the shop's customer_id. Once an
    anonymous id has logged in, all its events carry that customer, also those before the
    login. Should an anonymous id log in as several customers (a shared device), each event
    carries the customer of the latest login at or before it, and the events before its first
    login carry the customer of that first login.
-#}

-- A table: a million rows behind several windows over all events, read by the session
-- summary and the marts.
{{ config(materialized='table') }}

{%- set timeout_ms = var('session_timeout_minutes', 30) * 60 * 1000 %}

with

events as (
    select * from {{ ref('int_events__deduplicated') }}
),

previous_events as (
    select
        *,
        lag(occurred_at) over (
            partition by anonymous_id
            order by occurred_at, event_id
        ) as previous_occurred_at
    from events
),

gaps as (
    select
        *,
        {{ dbt.datediff('previous_occurred_at', 'occurred_at', 'millisecond') }}
            as milliseconds_since_previous
    from previous_events
),

session_starts as (
    select
        *,
        -- more than the timeout since the anonymous id's previous event, or its first event
        case
            when previous_occurred_at is null then 1
            when milliseconds_since_previous > {{ timeout_ms }} then 1
            else 0
        end as is_session_start
    from gaps
),

numbered as (
    select
        *,
        sum(is_session_start) over (
            partition by anonymous_id
            order by occurred_at, event_id
            rows between unbounded preceding and current row
        ) as session_number,
        -- logins so far: each login opens a group of events that belong to its customer
        count(customer_id) over (
            partition by anonymous_id
            order by occurred_at, event_id
            rows between unbounded preceding and current row
        ) as login_group,
        -- the customer of the anonymous id's first login, for the events before it
        first_value(customer_id) over (
            partition by anonymous_id
            order by case when customer_id is null then 1 else 0 end, occurred_at, event_id
            rows between unbounded preceding and unbounded following
        ) as first_login_customer_id
    from session_starts
),

stitched as (
    select
        *,
        first_value(event_id) over (
            partition by anonymous_id, session_number
            order by occurred_at, event_id
            rows between unbounded preceding and unbounded following
        ) as session_first_event_id,
        -- within a login group only its first event (the login) has a customer_id
        max(customer_id) over (
            partition by anonymous_id, login_group
        ) as latest_login_customer_id
    from numbered
),

final as (
    select
        -- ids
        event_id,
        {{ dbt.hash(dbt.concat(['anonymous_id', "'|'", 'session_first_event_id'])) }}
            as session_id,
        anonymous_id,
        coalesce(latest_login_customer_id, first_login_customer_id) as customer_id,
        customer_id as logged_in_customer_id,
        product_id,
        order_id,

        -- session
        session_number,
        is_session_start = 1 as is_session_start,

        -- attributes
        event_type,
        device_type,
        platform,
        app_version,
        page_url,
        utm_campaign,

        -- timestamps
        occurred_at,

        -- lineage
        _load_id
    from stitched
)

select * from final
