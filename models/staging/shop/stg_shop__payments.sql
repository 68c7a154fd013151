with

source as (
    select * from {{ source('shop', 'payments') }}
),

renamed as (
    select
        -- ids
        payment_id,
        order_id,

        -- attributes
        lower(trim(method)) as payment_method,
        lower(trim(status)) as status,
        cast(amount as {{ dbt.type_numeric() }}) as amount_local,
        upper(trim(currency_code)) as currency_code,

        -- personal data, masked below
        nullif(trim(card_last4), '') as card_last4,

        -- timestamps, always UTC
        cast(paid_at as timestamp) as paid_at,
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,

        -- lineage
        {{ dlt_lineage_columns() }}
    from source
),

-- personal data masked by the policy of its pii_type (its meta in the yml)
masked as (
    select
        {{ masked_columns() }}
    from renamed
)

select * from masked
