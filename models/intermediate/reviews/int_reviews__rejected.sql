{#-
    The staged reviews that int_reviews__validated leaves out, each with the first rule it
    breaks (rules and their order: int_reviews__checked).
-#}

with

checked as (
    select * from {{ ref('int_reviews__checked') }}
),

final as (
    select
        -- the rule first: what a reviewer filters on
        rejection_rule,

        -- ids
        review_id,
        product_id,
        customer_id,
        order_id,

        -- the review, as staged
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
    where rejection_rule is not null
)

select * from final
