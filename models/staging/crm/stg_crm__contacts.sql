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

        -- personal data: standardized (equal values, equal tokens), masked below
        nullif(lower(trim(source.email)), '') as email,
        {{ to_e164('source.phone', 'countries.calling_code', 'countries.trunk_prefix') }} as phone,
        nullif({{ normalize_name('source.first_name') }}, '') as first_name,
        nullif({{ normalize_name('source.last_name') }}, '') as last_name,
        nullif(trim(source.birth_date), '') as birth_date_text,
        -- parsed here, not in intermediate: once masked, a date text can no longer be read
        {{ parse_local_date_text(
            "nullif(trim(source.birth_date), '')",
            'country_aliases.country_code',
            crm_date_formats()
        ) }} as parsed_birth_date,
        nullif(trim(source.street), '') as street,
        nullif(trim(source.city), '') as city,
        {{ normalize_postcode('source.postcode') }} as postcode,

        -- attributes; the country as typed, and its ISO code where the alias seed knows it
        trim(source.country) as country_name_raw,
        country_aliases.country_code,
        lower(trim(source.lead_source)) as lead_source,
        case
            when lower(trim(source.marketing_opt_in)) in ('yes', '1', 'true') then true
            when lower(trim(source.marketing_opt_in)) in ('no', '0', 'false') then false
        end as is_marketing_opt_in,

        -- the creation date as exported: ISO, US or European, parsed in intermediate
        nullif(trim(source.created_date), '') as created_date_text,

        -- timestamps, always UTC
        cast(source.last_modified as timestamp) as last_modified_at,

        -- lineage
        source._source_file,
        source._source_row,
        {{ dlt_lineage_columns('source') }}
    from source
    left join country_aliases
        on lower(trim(source.country)) = country_aliases.alias
    left join countries using (country_code)
),

-- a birth date that is no plausible date is dropped field by field, with its reason
checked as (
    select
        *,
        {{ plausible_birth_date('parsed_birth_date') }} as birth_date,
        {{ birth_date_issue('birth_date_text', 'parsed_birth_date') }} as birth_date_issue
    from renamed
),

-- personal data masked by the policy of each column's pii_type (its meta in the yml)
masked as (
    select
        {{ masked_columns() }}
    from checked
)

select * from masked
