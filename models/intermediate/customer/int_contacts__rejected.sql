{#-
    The staged CRM contact rows that int_contacts__deduplicated leaves out, each with the first
    rule it breaks (rules and their order: int_contacts__checked): missing_contact_id and
    unparseable_date, which int_contacts__validated leaves out too, and duplicate_contact_id,
    the older exports of a contact that a later export supersedes.
-#}

with

checked as (
    select * from {{ ref('int_contacts__checked') }}
),

final as (
    select
        -- the rule first: what a reviewer filters on
        rejection_rule,

        -- ids
        contact_id,

        -- personal data, as staged
        email,
        phone,
        first_name,
        last_name,
        birth_date_text,
        street,
        city,
        postcode,

        -- attributes, as staged
        country_name_raw,
        country_code,
        lead_source,
        is_marketing_opt_in,
        created_date_text,

        -- timestamps
        last_modified_at,

        -- lineage
        _source_file,
        _source_row,
        _load_id,
        _loaded_at
    from checked
    where rejection_rule is not null
)

select * from final
