{#-
    One row per CRM contact per daily export file, for the rows that pass the validation rules
    of int_contacts__checked (a contact id, dates that parse), with the dates as ISO dates.
    A contact exported on several days has several rows here: the history of its valid
    exports. int_contacts__deduplicated keeps its latest one.
-#}

with

checked as (
    select * from {{ ref('int_contacts__checked') }}
),

-- a superseded export is still a valid row: it is a duplicate only for the contact's current
-- state, and leaves in int_contacts__deduplicated
valid_exports as (
    select
        *,
        -- whether a later export of the contact supersedes this one
        rejection_rule is not null as is_superseded
    from checked
    where rejection_rule is null or rejection_rule = 'duplicate_contact_id'
),

final as (
    select
        {{ declared_columns() }}
    from valid_exports
)

select * from final
