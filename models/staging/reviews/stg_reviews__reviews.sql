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

        -- the review; title and body are free text and may hold personal data
        rating,
        trim(title) as title,
        trim(body) as body,
        lower(trim(language)) as language_code,
        verified_purchase as is_verified_purchase,

        -- timestamps, always UTC
        (created_at at time zone 'UTC') as created_at,
        (updated_at at time zone 'UTC') as updated_at,

        -- lineage
        _dlt_load_id as _load_id,
        {{ utc_loaded_at('_dlt_load_id') }} as _loaded_at
    from source
)

select * from renamed
