{#-
    Every customer record of any source (a shop customer account, a CRM contact's current
    export) once, with its personal data readable: as the person typed it (trimmed), and
    standardized into the match keys that entity resolution compares. Inside the restricted
    zone, because matching needs readable values (a typo is one letter away only in clear
    text); what leaves it is the linkage's scores (int_customer_pairs__scored) and the vault's
    keys, never a value.

    Standardized as staging does before it masks: emails lower-cased and trimmed, phones in
    E.164, postcodes upper-case letters and digits, names and streets with accents folded and
    only letters (and digits, for streets) kept. A CRM birth date is read as ISO or in its
    country's format and kept only when plausible; otherwise it is null and
    `birth_date_issue` says why: the record still resolves on what else it has.

    Erased accounts are not here: the shop blanked them, and the erasure command removed every
    copy of the person (their CRM records included) from the raw tables this model reads, so
    their links are gone after the next build.
-#}

with

customers as (
    select * from {{ source('shop', 'customers') }}
),

contacts as (
    select * from {{ source('crm', 'contacts') }}
),

current_contacts as (
    select
        _source_file,
        _source_row
    from {{ ref('int_contacts__deduplicated') }}
),

erasure_requests as (
    select customer_id from {{ ref('stg_shop__erasure_requests') }}
),

countries as (
    select * from {{ ref('countries') }}
),

country_aliases as (
    select * from {{ ref('country_aliases') }}
),

shop_records as (
    select
        'shop' as source_system,
        cast(customers.customer_id as {{ dbt.type_string() }}) as source_record_id,
        customers.customer_id,
        nullif(lower(trim(customers.email)), '') as email,
        {{ to_e164('customers.phone', 'countries.calling_code', 'countries.trunk_prefix') }}
            as phone,
        nullif(trim(customers.first_name), '') as first_name,
        nullif(trim(customers.last_name), '') as last_name,
        cast(customers.birth_date as date) as birth_date,
        cast(null as {{ dbt.type_string() }}) as birth_date_issue,
        nullif(trim(customers.street), '') as street,
        nullif(trim(customers.city), '') as city,
        nullif(upper(trim(customers.postcode)), '') as postcode,
        upper(trim(customers.country_code)) as country_code,
        customers._dlt_load_id as _load_id
    from customers
    left join countries
        on upper(trim(customers.country_code)) = countries.country_code
    -- an erased account has nothing left to keep (the shop blanked it)
    where customers.customer_id not in (select erasure_requests.customer_id from erasure_requests)
),

crm_parsed as (
    select
        contacts.*,
        country_aliases.country_code,
        countries.calling_code,
        countries.trunk_prefix,
        nullif(trim(contacts.birth_date), '') as birth_date_text,
        {{ parse_local_date_text(
            "nullif(trim(contacts.birth_date), '')",
            'country_aliases.country_code',
            crm_date_formats()
        ) }} as parsed_birth_date
    from contacts
    inner join current_contacts using (_source_file, _source_row)
    left join country_aliases
        on lower(trim(contacts.country)) = country_aliases.alias
    left join countries
        on country_aliases.country_code = countries.country_code
),

crm_records as (
    select
        'crm' as source_system,
        trim(contact_id) as source_record_id,
        cast(null as {{ dbt.type_bigint() }}) as customer_id,
        nullif(lower(trim(email)), '') as email,
        {{ to_e164('phone', 'calling_code', 'trunk_prefix') }} as phone,
        nullif(trim(first_name), '') as first_name,
        nullif(trim(last_name), '') as last_name,
        {{ plausible_birth_date('parsed_birth_date') }} as birth_date,
        {{ birth_date_issue('birth_date_text', 'parsed_birth_date') }} as birth_date_issue,
        nullif(trim(street), '') as street,
        nullif(trim(city), '') as city,
        nullif(upper(trim(postcode)), '') as postcode,
        country_code,
        _dlt_load_id as _load_id
    from crm_parsed
),

records as (
    select * from shop_records
    union all
    select * from crm_records
),

keyed as (
    select
        *,
        nullif({{ normalize_name('first_name') }}, '') as first_name_key,
        nullif({{ normalize_name('last_name') }}, '') as last_name_key,
        nullif(regexp_replace(lower({{ fold_accents('street') }}), '[^a-z0-9]', '', 'g'), '')
            as street_key,
        nullif({{ normalize_name('city') }}, '') as city_key,
        {{ normalize_postcode('postcode') }} as postcode_key
    from records
),

final as (
    select
        -- ids
        {{ dbt.concat(['source_system', "':'", 'source_record_id']) }} as source_record_key,
        source_system,
        source_record_id,
        customer_id,

        -- personal data, readable: as typed (trimmed) ...
        email,
        phone,
        first_name,
        last_name,
        birth_date,
        street,
        city,
        postcode,
        country_code,

        -- ... and the match keys compared by entity resolution
        first_name_key,
        last_name_key,
        {{ dbt.concat(['first_name_key', "' '", 'last_name_key']) }} as full_name_key,
        {{ swapped_day_and_month('birth_date') }} as birth_date_swapped,
        street_key,
        city_key,
        postcode_key,

        -- field-level quarantine: why the typed birth date was not kept
        birth_date_issue,

        -- lineage
        _load_id,
        {{ utc_loaded_at('_load_id') }} as _loaded_at
    from keyed
)

select * from final
