with

source as (
    select * from {{ source('crm', 'contacts_rejected') }}
),

renamed as (
    select
        -- where the line was
        _source_file,
        line_number,

        -- why it was rejected, and the line as it came
        error_type,
        error_message,
        raw_line,

        -- lineage
        {{ dlt_lineage_columns() }}
    from source
),

-- the raw line may hold any personal data: masked by the policy of its pii_type
masked as (
    select
        {{ masked_columns() }}
    from renamed
)

select * from masked
