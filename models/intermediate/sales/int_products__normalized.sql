{#-
    One row per product of the shop's catalogue (delisted products included), its category
    mapped to the one taxonomy of the product_categories seed: the merchandisers' free spelling
    ('Toys & Games', 'Spielzeug', 'ELECTRONICS') is lower-cased and trimmed, then looked up.

    A category the seed does not know (or no category) maps to 'Uncategorized', flagged by
    `is_category_unknown`: the product is still a product, with sales to report, so it is kept
    rather than rejected; the flag tells the merchandisers which spelling to add to the seed.

    The list price is in USD (`list_price_usd`): the catalogue is priced in USD, as the
    staging model tests; a price in any other currency is left null here rather than
    mislabelled, and a not_null test reports it.
-#}

with

products as (
    select * from {{ ref('stg_shop__products') }}
),

product_categories as (
    select * from {{ ref('product_categories') }}
),

mapped as (
    select
        products.*,
        coalesce(product_categories.category, 'Uncategorized') as category,
        coalesce(product_categories.category_slug, 'uncategorized') as category_slug,
        product_categories.raw_category is null as is_category_unknown,
        case
            when products.list_price_currency_code = 'USD' then products.list_price
        end as list_price_usd
    from products
    left join product_categories
        on lower(trim(products.category_raw)) = product_categories.raw_category
),

final as (
    select
        -- ids
        product_id,
        sku,

        -- attributes
        product_name,
        category_raw,
        category,
        category_slug,
        is_category_unknown,

        -- price
        list_price_usd,

        -- timestamps
        created_at,
        updated_at,
        deleted_at,
        is_deleted,

        -- lineage
        _load_id,
        _loaded_at
    from mapped
)

select * from final
