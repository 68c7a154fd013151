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
        {{ contract_columns() }}
    from products
)

select * from final
