with

source as (
    select * from {{ source('shop', 'orders') }}
),

renamed as (
    select
        -- ids
        order_id,
        customer_id,

        -- attributes
        lower(trim(channel)) as channel,
        lower(trim(status)) as status,
        upper(trim(currency_code)) as currency_code,
        cast(total_amount as {{ dbt.type_numeric() }}) as total_amount_local,

        -- timestamps, always UTC
        cast(ordered_at as timestamp) as ordered_at,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        cast(deleted_at as timestamp) as deleted_at,
        deleted_at is not null as is_deleted,

        -- lineage
        {{ dlt_lineage_columns() }}
    from source
)

select * from renamed
