with

source as (
    select * from {{ source('web', 'events') }}
),

renamed as (
    select
        -- ids; event_id repeats where a client retried (deduplicated in intermediate)
        event_id,
        anonymous_id,
        user_id as customer_id,
        product_id,
        order_id,

        -- attributes
        lower(trim(event_type)) as event_type,
        lower(trim(device_type)) as device_type,
        case
            when lower(trim(device_type)) in ('ios', 'android') then 'app'
            else 'web'
        end as platform,
        app_version,
        page_url,
        utm_campaign,

        -- timestamps, always UTC: clients write Z, an offset, or (app 3.4.1) none
        {{ to_utc_timestamp('event_timestamp') }} as occurred_at,
        event_timestamp as occurred_at_text,

        -- lineage: the hourly file the event arrived in
        _source_file,
        _source_row,
        {{ dlt_lineage_columns() }}
    from source
)

select * from renamed
