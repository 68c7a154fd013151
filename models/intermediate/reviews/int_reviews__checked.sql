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

validated as (
    select
        *,
        case
            when rating is null or rating not in (1, 2, 3, 4, 5) then 'rating_out_of_range'
            when not {{ is_key_of('product_id', 'stg_shop__products') }} then 'orphan_product'
            when not {{ is_key_of('customer_id', 'stg_shop__customers') }} then 'orphan_customer'
            when updated_at < created_at then 'updated_before_created'
        end as rejection_rule
    from reviews
),

final as (
    select
        {{ declared_columns() }}
    from validated
)

select * from final
