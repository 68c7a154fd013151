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

    The values are pii_customer_records' (standardized as staging does before it masks:
    lower-cased emails, E.164 phones, upper-case postcodes, ISO birth dates; names and
    addresses as the person typed them, trimmed): the vault keeps what was said, not the
    match keys. A CRM contact's row is the export that int_contacts__deduplicated chose, so
    the vault and the masked layers describe the same version.

    Access: on DuckDB a separate database file, attached as `restricted` only by the targets
    whose role may read restricted data (profiles.yml); on PostgreSQL the `restricted` schema,
    granted by the access_policy seed to privacy_officer only.
-#}

with

records as (
    select * from {{ ref('pii_customer_records') }}
),

customer_keys as (
    select * from {{ ref('int_customers__resolved') }}
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
        records._loaded_at
    from records
    inner join customer_keys using (source_system, source_record_id)
)

select * from final
