{#-
    One row per clean product review (grain: review_id, as int_reviews__validated), in its
    latest version, with the reviewer as `customer_key` (the protected key map
    int_customers__keyed).

    No title and no body: they are free text the customer wrote and may hold personal data
    (phone numbers, email addresses); they stay upstream for the restricted vault.
    `is_edited` says whether the review was changed after it was written (an edit may lower
    the rating).

    Incremental (merge on review_id): a run rebuilds the reviews loaded since the last run
    (`_loaded_at` after the latest here: new reviews and edits, which the review API serves
    again with a new `updated_at`) plus those written in the last `incremental_lookback_days`
    (a project var) before the latest review here, for reviews whose product or customer
    arrives in a later load than the review.
-#}

{{ config(materialized='incremental', unique_key='review_id') }}

with

reviews as (
    select * from {{ ref('int_reviews__validated') }}
),

customers as (
    select
        customer_id,
        customer_key
    from {{ ref('int_customers__keyed') }}
),

reviews_to_build as (
    select *
    from reviews
    {%- if is_incremental() %}
    where
        {{ loaded_since_last_run_or_recent('created_at') }}
    {%- endif %}
),

joined as (
    select
        reviews_to_build.*,
        customers.customer_key,
        cast(reviews_to_build.created_at as date) as review_date,
        reviews_to_build.updated_at > reviews_to_build.created_at as is_edited
    from reviews_to_build
    left join customers using (customer_id)
),

final as (
    select
        {{ contract_columns() }}
    from joined
)

select * from final
