with

source as (
    select * from {{ source('shop', 'erasure_requests') }}
),

renamed as (
    select
        -- ids
        request_id as erasure_request_id,
        customer_id,

        -- timestamps, always UTC
        cast(requested_at as timestamp) as requested_at,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,

        -- lineage
        {{ dlt_lineage_columns() }}
    from source
)

select * from renamed
