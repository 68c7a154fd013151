{#-
    The staged clickstream events that int_events__deduplicated leaves out, each with the first
    rule it breaks (rules and their order: int_events__checked). Duplicates are most of them.
-#}

-- A table although small: as a view every query would re-run the window over all events.
{{ config(materialized='table') }}

with

checked as (
    select * from {{ ref('int_events__checked') }}
),

final as (
    select
        -- the rule first: what a reviewer filters on
        rejection_rule,

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
        _loaded_at
    from checked
    where rejection_rule is not null
)

select * from final
