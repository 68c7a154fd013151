{#-
    Every staged CRM contact row (one per contact per daily export file) once, with its
    creation date parsed and the first rule it breaks (`rejection_rule`, null when the row is
    the contact's current, valid version; the rules, in the order they are checked, are
    documented on that column in _customer__models.yml). int_contacts__validated,
    int_contacts__rejected and int_contacts__deduplicated all read this one model, so the rules
    are written once and the three can never disagree.

    Dates: each country's sales team types dates its own way (the generator's reference data),
    and systems write ISO; so a date text is read as ISO (yyyy-mm-dd) or else in its country's
    format (`crm_date_formats`), which is what tells 03/04/1990 (US: March 4th) from
    03/04/1990 (GB: 3 April). The birth date arrives parsed and masked from staging, which
    reads it before masking; one that is no plausible date is nulled there with its reason
    (`birth_date_issue`), a field-level quarantine: it rejects no contact.
-#}

with

contacts as (
    select * from {{ ref('stg_crm__contacts') }}
),

exports as (
    select
        *,
        -- the day in the export file's name ('crm/contacts_2026-10-01.csv')
        substring(_source_file from length(_source_file) - 13 for 10) as export_date_text
    from contacts
),

parsed as (
    select
        *,
        {{ parse_local_date_text('created_date_text', 'country_code', crm_date_formats()) }}
            as created_date,
        -- null for a file named otherwise
        {{ parse_date_text('export_date_text', '%Y-%m-%d') }} as export_date
    from exports
),

validated as (
    select
        *,
        case
            when nullif(contact_id, '') is null then 'missing_contact_id'
            when created_date_text is not null and created_date is null then 'unparseable_date'
        end as invalid_rule
    from parsed
),

versions as (
    select
        *,
        -- only valid rows compete, so a broken latest export does not hide a valid older one
        row_number() over (
            partition by contact_id, invalid_rule
            order by last_modified_at desc nulls last, _source_file desc, _source_row desc
        ) as version_number,
        count(*) over (partition by contact_id, invalid_rule) as valid_export_count,
        min(export_date) over (partition by contact_id, invalid_rule) as first_valid_export_date,
        max(export_date) over (partition by contact_id, invalid_rule) as last_valid_export_date
    from validated
),

labelled as (
    select
        *,
        -- exports of the contact (valid rows only; null on rows that break a validation rule)
        case when invalid_rule is null then valid_export_count end as export_count,
        case when invalid_rule is null then first_valid_export_date end as first_export_date,
        case when invalid_rule is null then last_valid_export_date end as last_export_date,
        coalesce(
            invalid_rule,
            case when version_number > 1 then 'duplicate_contact_id' end
        ) as rejection_rule
    from versions
),

final as (
    select
        {{ declared_columns() }}
    from labelled
)

select * from final
