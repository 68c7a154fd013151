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

        -- personal data: standardized here, masked downstream from column meta
        lower(trim(source.email)) as email,
        {{ to_e164('source.phone', 'countries.calling_code', 'countries.trunk_prefix') }} as phone,
        trim(source.first_name) as first_name,
        trim(source.last_name) as last_name,
        source.birth_date,
        trim(source.street) as street,
        trim(source.city) as city,
        upper(trim(source.postcode)) as postcode,

        -- attributes
        upper(trim(source.country_code)) as country_code,
        source.marketing_opt_in as is_marketing_opt_in,

        -- timestamps, always UTC
        cast(source.created_at as timestamp) as created_at,
        cast(source.updated_at as timestamp) as updated_at,
        cast(source.deleted_at as timestamp) as deleted_at,
        source.deleted_at is not null as is_deleted,

        -- lineage
        source._dlt_load_id as _load_id,
        {{ utc_loaded_at('source._dlt_load_id') }} as _loaded_at
    from source
    left join countries
        on upper(trim(source.country_code)) = countries.country_code
)

select * from renamed
