with

source as (
    select * from {{ source('crm', 'contacts') }}
),

country_aliases as (
    select * from {{ ref('country_aliases') }}
),

countries as (
    select * from {{ ref('countries') }}
),

renamed as (
    select
        -- ids
        trim(source.contact_id) as contact_id,

        -- personal data: standardized here, masked downstream from column meta
        lower(trim(source.email)) as email,
        {{ to_e164('source.phone', 'countries.calling_code', 'countries.trunk_prefix') }} as phone,
        trim(source.first_name) as first_name,
        trim(source.last_name) as last_name,
        nullif(trim(source.birth_date), '') as birth_date_text,
        trim(source.street) as street,
        trim(source.city) as city,
        upper(trim(source.postcode)) as postcode,

        -- attributes; the country as typed, and its ISO code where the alias seed knows it
        trim(source.country) as country_name_raw,
        country_aliases.country_code,
        lower(trim(source.lead_source)) as lead_source,
        case
            when lower(trim(source.marketing_opt_in)) in ('yes', '1', 'true') then true
            when lower(trim(source.marketing_opt_in)) in ('no', '0', 'false') then false
        end as is_marketing_opt_in,

        -- dates as exported: ISO, US or European, parsed in intermediate
        nullif(trim(source.created_date), '') as created_date_text,

        -- timestamps, always UTC
        cast(source.last_modified as timestamp) as last_modified_at,

        -- lineage
        source._source_file,
        source._source_row,
        source._dlt_load_id as _load_id,
        {{ utc_loaded_at('source._dlt_load_id') }} as _loaded_at
    from source
    left join country_aliases
        on lower(trim(source.country)) = country_aliases.alias
    left join countries
        on country_aliases.country_code = countries.country_code
)

select * from renamed
