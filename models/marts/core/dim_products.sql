{#-
    One row per product of the shop's catalogue (grain: product_id, delisted products
    included, flagged `is_deleted`), with its category in the one taxonomy of the
    product_categories seed (int_products__normalized) and its list price in USD.
    The price history is in the snapshot snap_products.
-#}

with

products as (
    select * from {{ ref('int_products__normalized') }}
),

final as (
    select
        -- ids
        cast(product_id as bigint) as product_id,
        cast(sku as varchar) as sku,

        -- attributes
        cast(product_name as varchar) as product_name,
        cast(category as varchar) as category,
        cast(category_slug as varchar) as category_slug,
        cast(is_category_unknown as boolean) as is_category_unknown,

        -- price
        cast(list_price_usd as numeric(18, 2)) as list_price_usd,

        -- state and timestamps
        cast(is_deleted as boolean) as is_deleted,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,
        cast(deleted_at as timestamp) as deleted_at,

        -- lineage
        cast(_load_id as varchar) as _load_id,
        cast(_loaded_at as timestamp) as _loaded_at
    from products
)

select * from final
