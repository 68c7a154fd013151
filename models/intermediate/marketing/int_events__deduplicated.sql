{#-
    One row per clickstream event: the first arrival of every event_id that passes the rules
    of int_events__checked. Everything else is in int_events__rejected.
-#}

-- A table: a million rows behind a window over all events, read by sessionization and tests;
-- as a view every reader would repeat the staging parse and the deduplication.
{{ config(materialized='table') }}

with

checked as (
    select * from {{ ref('int_events__checked') }}
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

        -- lineage: the file and row of the arrival that won
        _source_file,
        _source_row,
        _load_id,
        _loaded_at
    from checked
    where rejection_rule is null
)

select * from final
