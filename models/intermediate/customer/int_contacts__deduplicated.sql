{#-
    One row per CRM contact: its latest valid export (rules: int_contacts__checked), with the
    days it was first and last exported and how many valid exports it had. Everything else is
    in int_contacts__rejected.
-#}

with

checked as (
    select * from {{ ref('int_contacts__checked') }}
),

final as (
    select
        -- ids
        contact_id,

        -- personal data
        email,
        phone,
        first_name,
        last_name,
        birth_date,
        street,
        city,
        postcode,

        -- attributes
        country_name_raw,
        country_code,
        lead_source,
        is_marketing_opt_in,
        created_date,

        -- timestamps
        last_modified_at,

        -- exports of the contact
        first_export_date,
        last_export_date,
        export_count,

        -- lineage: the file and row of the export that won
        _source_file,
        _source_row,
        _load_id,
        _loaded_at
    from checked
    where rejection_rule is null
)

select * from final
