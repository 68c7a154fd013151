{#-
    Every staged review once (one row per row of stg_reviews__reviews), with the first rule it
    breaks (`rejection_rule`, null when the review is clean; the rules, in the order they are
    checked, are documented on that column in _reviews__models.yml). int_reviews__validated and
    int_reviews__rejected are the two sides of the label (macro quarantine_rows).
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
    left join products using (product_id)
    left join customers using (customer_id)
),

final as (
    select
        {{ declared_columns() }}
    from validated
)

select * from final
