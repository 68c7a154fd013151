with

source as (
    select * from {{ source('shop', 'customers') }}
),

countries as (
    select * from {{ ref('countries') }}
),

renamed as (
    select
        -- ids
        source.customer_id,

        -- personal data: standardized (equal values, equal tokens), masked below
        nullif(lower(trim(source.email)), '') as email,
        {{ to_e164('source.phone', 'countries.calling_code', 'countries.trunk_prefix') }} as phone,
        nullif({{ normalize_name('source.first_name') }}, '') as first_name,
        nullif({{ normalize_name('source.last_name') }}, '') as last_name,
        cast(source.birth_date as date) as birth_date,
        nullif(trim(source.street), '') as street,
        nullif(trim(source.city), '') as city,
        {{ normalize_postcode('source.postcode') }} as postcode,

        -- attributes
        upper(trim(source.country_code)) as country_code,
        source.marketing_opt_in as is_marketing_opt_in,

        -- timestamps, always UTC
        cast(source.created_at as timestamp) as created_at,
        cast(source.updated_at as timestamp) as updated_at,
        cast(source.deleted_at as timestamp) as deleted_at,
        source.deleted_at is not null as is_deleted,

        -- lineage
        {{ dlt_lineage_columns('source') }}
    from source
    left join countries
        on upper(trim(source.country_code)) = countries.country_code
),

-- personal data masked by the policy of each column's pii_type (its meta in the yml)
masked as (
    select
        {{ masked_columns() }}
    from renamed
)

select * from masked
