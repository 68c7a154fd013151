with

source as (
    select * from {{ source('reviews', 'reviews') }}
),

renamed as (
    select
        -- ids
        review_id,
        product_id,
        customer_id,
        order_id,

        -- the review; title and body are free text that may hold personal data: masked below
        rating,
        nullif(trim(title), '') as title,
        nullif(trim(body), '') as body,
        lower(trim(language)) as language_code,
        verified_purchase as is_verified_purchase,

        -- timestamps, always UTC
        (created_at at time zone 'UTC') as created_at,
        (updated_at at time zone 'UTC') as updated_at,

        -- lineage
        {{ dlt_lineage_columns() }}
    from source
),

-- free text masked by the policy of its pii_type (its meta in the yml)
masked as (
    select
        {{ masked_columns() }}
    from renamed
)

select * from masked
