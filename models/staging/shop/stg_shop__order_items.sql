with

source as (
    select * from {{ source('shop', 'order_items') }}
),

renamed as (
    select
        -- ids
        order_item_id,
        order_id,
        product_id,

        -- quantities and amounts, in the order's currency
        quantity,
        cast(unit_price as {{ dbt.type_numeric() }}) as unit_price_local,
        cast(quantity * unit_price as {{ dbt.type_numeric() }}) as line_amount_local,

        -- timestamps, always UTC
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,

        -- lineage
        {{ dlt_lineage_columns() }}
    from source
)

select * from renamed
