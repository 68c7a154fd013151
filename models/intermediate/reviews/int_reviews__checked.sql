{#-
    Every staged review once (one row per row of stg_reviews__reviews), with the first rule it
    breaks (`rejection_rule`, null when the review is clean). int_reviews__validated and
    int_reviews__rejected both read this one model, so that the rules are written once and
    the two can never disagree.

    Rules, checked in this order (a row is labelled with the first one it breaks):
      1. rating_out_of_range     rating is not a whole number of stars from 1 to 5 (or missing)
      2. orphan_product          product_id not in stg_shop__products (delisted products
                                 included): the review platform points at the order's lowest
                                 product id, which for an order whose only lines are legacy
                                 orphan lines is a product that never existed
      3. orphan_customer         customer_id not in stg_shop__customers (erased accounts keep
                                 their row, so they are not orphans)
      4. updated_before_created  updated_at earlier than created_at: an edit before the review
                                 was written
-#}

with

reviews as (
    select * from {{ ref('stg_reviews__reviews') }}
),

products as (
    select * from {{ ref('stg_shop__products') }}
),

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

validated as (
    select
        reviews.*,
        case
            when reviews.rating is null or reviews.rating not in (1, 2, 3, 4, 5)
                then 'rating_out_of_range'
            when products.product_id is null then 'orphan_product'
            when customers.customer_id is null then 'orphan_customer'
            when reviews.updated_at < reviews.created_at then 'updated_before_created'
        end as rejection_rule
    from reviews
    left join products
        on reviews.product_id = products.product_id
    left join customers
        on reviews.customer_id = customers.customer_id
),

final as (
    select
        -- ids
        review_id,
        product_id,
        customer_id,
        order_id,

        -- the review; title and body are free text and may hold personal data
        rating,
        title,
        body,
        language_code,
        is_verified_purchase,

        -- timestamps
        created_at,
        updated_at,

        -- lineage
        _load_id,
        _loaded_at,

        -- quality
        rejection_rule
    from validated
)

select * from final
