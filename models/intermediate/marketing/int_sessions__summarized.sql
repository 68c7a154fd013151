{#-
    One row per clickstream session (sessions as int_events__sessionized defines them).

    - customer_id: the stitched customer of the session's last event (the latest login as of
      the session's end), null for a visitor who never logged in on that anonymous id.
    - device_type, platform, first_page_url: those of the session's first event;
      app_version: the last one the session reported (an app updated mid-session reports the
      new one); utm_campaign: the first campaign tag of the session.
    - order_id: the order of the session's first purchase (`purchase_count` says whether there
      were more).
    - Funnel flags are cumulative, as a funnel is read: a session reached a step when it had
      an event of that step or of any later one (a purchase implies the checkout before it,
      even when no checkout event was tracked). The event counts hold what was tracked.
    - _load_id: the latest load that brought one of the session's events.
-#}

-- A table: sessions are aggregated from a million events and read by several marts.
{{ config(materialized='table') }}

with

events as (
    select * from {{ ref('int_events__sessionized') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by session_id
            order by occurred_at, event_id
        ) as position_in_session,
        row_number() over (
            partition by session_id
            order by occurred_at desc, event_id desc
        ) as position_from_end,
        -- the latest event that reported an app version (null only when none did)
        row_number() over (
            partition by session_id
            order by
                case when app_version is null then 1 else 0 end,
                occurred_at desc,
                event_id desc
        ) as app_version_rank,
        -- the first event that carried a campaign tag
        row_number() over (
            partition by session_id
            order by case when utm_campaign is null then 1 else 0 end, occurred_at, event_id
        ) as campaign_rank,
        -- the first purchase
        row_number() over (
            partition by session_id
            order by case when event_type = 'purchase' then 0 else 1 end, occurred_at, event_id
        ) as purchase_rank
    from events
),

sessions as (
    select
        session_id,
        anonymous_id,
        session_number,
        max(case when position_from_end = 1 then customer_id end) as customer_id,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as event_count,
        sum(case when event_type = 'page_view' then 1 else 0 end) as page_view_count,
        sum(case when event_type = 'product_view' then 1 else 0 end) as product_view_count,
        sum(case when event_type = 'add_to_cart' then 1 else 0 end) as add_to_cart_count,
        sum(case when event_type = 'checkout' then 1 else 0 end) as checkout_count,
        sum(case when event_type = 'purchase' then 1 else 0 end) as purchase_count,
        max(case when position_in_session = 1 then device_type end) as device_type,
        max(case when position_in_session = 1 then platform end) as platform,
        max(case when app_version_rank = 1 then app_version end) as app_version,
        max(case when position_in_session = 1 then page_url end) as first_page_url,
        max(case when campaign_rank = 1 then utm_campaign end) as utm_campaign,
        max(
            case when purchase_rank = 1 and event_type = 'purchase' then order_id end
        ) as order_id,
        max(_load_id) as _load_id
    from ranked
    group by session_id, anonymous_id, session_number
),

measured as (
    select
        *,
        {{ dbt.datediff('started_at', 'ended_at', 'second') }}
            as duration_seconds,
        purchase_count > 0 as has_purchase,
        -- cumulative funnel: a later step implies the earlier ones
        product_view_count + add_to_cart_count + checkout_count + purchase_count > 0
            as reached_product_view,
        add_to_cart_count + checkout_count + purchase_count > 0 as reached_add_to_cart,
        checkout_count + purchase_count > 0 as reached_checkout,
        purchase_count > 0 as reached_purchase
    from sessions
),

final as (
    select
        -- ids
        session_id,
        anonymous_id,
        customer_id,
        order_id,
        session_number,

        -- timestamps
        started_at,
        ended_at,
        duration_seconds,

        -- client
        device_type,
        platform,
        app_version,

        -- acquisition
        first_page_url,
        utm_campaign,

        -- event counts
        event_count,
        page_view_count,
        product_view_count,
        add_to_cart_count,
        checkout_count,
        purchase_count,

        -- outcome and funnel
        has_purchase,
        reached_product_view,
        reached_add_to_cart,
        reached_checkout,
        reached_purchase,

        -- lineage
        _load_id
    from measured
)

select * from final
