with

source as (
    select * from {{ source('shop', 'products') }}
),

renamed as (
    select
        -- ids
        product_id,
        trim(sku) as sku,

        -- attributes
        trim(name) as product_name,
        trim(category) as category_raw,
        cast(price as {{ dbt.type_numeric() }}) as list_price,
        upper(trim(currency_code)) as list_price_currency_code,

        -- timestamps, always UTC
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        cast(deleted_at as timestamp) as deleted_at,
        deleted_at is not null as is_deleted,

        -- lineage
        {{ dlt_lineage_columns() }}
    from source
)

select * from renamed
