{#-
    Every staged clickstream event once, with the first rule it breaks (`rejection_rule`, null
    when the event is clean). int_events__deduplicated and int_events__rejected both read this
    one model, so that the rules are written once and the two can never disagree.

    Rules, checked in this order (a row is labelled with the first one it breaks):
      1. missing_event_id      no event_id: the event cannot be deduplicated or referenced
      2. missing_anonymous_id  no anonymous_id: the event cannot be sessionized
      3. unknown_event_type    event_type is not one of the tracker's five types
      4. duplicate_event_id    a later arrival of an event_id already seen (client retries)

    First arrival wins: the collector writes each event into the file of the hour it arrived,
    named `clickstream/date=YYYY-MM-DD/hour=HH/...` (zero-padded, so the paths sort by arrival
    time), and `_source_row` is the row's position in that file. So the earliest
    `_source_file`, then the lowest `_source_row`, is the first arrival, whatever the events'
    own timestamps or load ids say. Only rows that pass rules 1-3 compete, so a broken first
    copy does not make the event's valid retry a duplicate.

    A view: it is only read by the two tables above, once each per build.
-#}

with

events as (
    select * from {{ ref('stg_web__events') }}
),

validated as (
    select
        *,
        case
            when event_id is null then 'missing_event_id'
            when anonymous_id is null then 'missing_anonymous_id'
            when event_type is null then 'unknown_event_type'
            when event_type not in (
                'page_view', 'product_view', 'add_to_cart', 'checkout', 'purchase'
            ) then 'unknown_event_type'
        end as invalid_rule
    from events
),

arrivals as (
    select
        *,
        row_number() over (
            partition by event_id
            order by
                case when invalid_rule is null then 0 else 1 end,
                _source_file,
                _source_row
        ) as arrival_number
    from validated
),

final as (
    select
        -- ids
        event_id,
        anonymous_id,
        customer_id,
        product_id,
        order_id,

        -- attributes
        event_type,
        device_type,
        platform,
        app_version,
        page_url,
        utm_campaign,

        -- timestamps
        occurred_at,
        occurred_at_text,

        -- lineage
        _source_file,
        _source_row,
        _load_id,
        _loaded_at,

        -- quality
        coalesce(
            invalid_rule,
            case when arrival_number > 1 then 'duplicate_event_id' end
        ) as rejection_rule
    from arrivals
)

select * from final
