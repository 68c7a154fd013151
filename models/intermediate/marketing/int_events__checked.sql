{#-
    Every staged clickstream event once, with the first rule it breaks (`rejection_rule`, null
    when the event is clean; the rules, in the order they are checked, are documented on that
    column in _marketing__models.yml). int_events__deduplicated and int_events__rejected are the
    two sides of the label (macro quarantine_rows).

    First arrival wins: the collector writes each event into the file of the hour it arrived,
    named `clickstream/date=YYYY-MM-DD/hour=HH/...` (zero-padded, so the paths sort by arrival
    time), and `_source_row` is the row's position in that file. So the earliest
    `_source_file`, then the lowest `_source_row`, is the first arrival, whatever the events'
    own timestamps or load ids say. Only rows that pass the other rules compete, so a broken
    first copy does not make the event's valid retry a duplicate.

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

labelled as (
    select
        *,
        coalesce(
            invalid_rule,
            case when arrival_number > 1 then 'duplicate_event_id' end
        ) as rejection_rule
    from arrivals
),

final as (
    select
        {{ declared_columns() }}
    from labelled
)

select * from final
