{#-
    One row per review that passes every rule of int_reviews__checked (rules and their order
    are documented there), in its latest version, with all its staged columns.
-#}

with

checked as (
    select * from {{ ref('int_reviews__checked') }}
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
        _loaded_at
    from checked
    where rejection_rule is null
)

select * from final
