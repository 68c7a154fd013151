{#-
    The PII vault: one row per customer record of any source (a shop customer account, a CRM
    contact's current export), with the `customer_key` of the person it belongs to and that
    record's personal data, readable. The only relation built by dbt that holds personal data
    unmasked: staging masks it for every other layer, and entity resolution works on the
    masked tokens. The vault answers what only raw values can: a subject access request ("what
    do you hold about me?"), and the erasure of a person whose shop account no longer says who
    they were (the erasure command reads the emails and phones to suppress from here).

    Erased accounts are not here: the shop blanked them, and the erasure command removed every
    copy of the person (their CRM records included) from the raw tables this model reads.

    Standardized as staging does before it masks (lower-cased emails, E.164 phones, upper-case
    postcodes, ISO birth dates), but names and addresses as the person typed them (trimmed):
    the vault keeps what was said, not the match keys. A CRM contact's row is the export that
    int_contacts__deduplicated chose (same file and row), so the vault and the masked layers
    describe the same version.

    Access: on DuckDB a separate database file, attached as `restricted` only by the targets
    whose role may read restricted data (profiles.yml); on PostgreSQL the `restricted` schema,
    granted by the access_policy seed to privacy_officer only.
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

customer_keys as (
    select * from {{ ref('int_customers__resolved') }}
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
        nullif(lower(trim(customers.email)), '') as email,
        {{ to_e164('customers.phone', 'countries.calling_code', 'countries.trunk_prefix') }}
            as phone,
        nullif(trim(customers.first_name), '') as first_name,
        nullif(trim(customers.last_name), '') as last_name,
        cast(customers.birth_date as date) as birth_date,
        nullif(trim(customers.street), '') as street,
        nullif(trim(customers.city), '') as city,
        nullif(upper(trim(customers.postcode)), '') as postcode,
        upper(trim(customers.country_code)) as country_code,
        customers._dlt_load_id as _load_id
    from customers
    left join countries
        on upper(trim(customers.country_code)) = countries.country_code
    -- an erased account has nothing left to keep (the shop blanked it): not in the vault
    where customers.customer_id not in (select erasure_requests.customer_id from erasure_requests)
),

crm_records as (
    select
        'crm' as source_system,
        trim(contacts.contact_id) as source_record_id,
        nullif(lower(trim(contacts.email)), '') as email,
        {{ to_e164('contacts.phone', 'countries.calling_code', 'countries.trunk_prefix') }}
            as phone,
        nullif(trim(contacts.first_name), '') as first_name,
        nullif(trim(contacts.last_name), '') as last_name,
        {{ parse_local_date_text(
            "nullif(trim(contacts.birth_date), '')",
            'country_aliases.country_code',
            crm_date_formats()
        ) }} as birth_date,
        nullif(trim(contacts.street), '') as street,
        nullif(trim(contacts.city), '') as city,
        nullif(upper(trim(contacts.postcode)), '') as postcode,
        country_aliases.country_code,
        contacts._dlt_load_id as _load_id
    from contacts
    inner join current_contacts using (_source_file, _source_row)
    left join country_aliases
        on lower(trim(contacts.country)) = country_aliases.alias
    left join countries using (country_code)
),

records as (
    select * from shop_records
    union all
    select * from crm_records
),

final as (
    select
        -- ids
        customer_keys.customer_key,
        records.source_system,
        records.source_record_id,

        -- personal data, readable
        records.email,
        records.phone,
        records.first_name,
        records.last_name,
        records.birth_date,
        records.street,
        records.city,
        records.postcode,
        records.country_code,

        -- lineage
        records._load_id,
        {{ utc_loaded_at('records._load_id') }} as _loaded_at
    from records
    inner join customer_keys using (source_system, source_record_id)
)

select * from final
