with

source as (
    select * from {{ source('fx', 'rates') }}
),

renamed as (
    select
        -- the business day and the currency pair
        rate_date,
        upper(base_currency) as base_currency_code,
        upper(quote_currency) as quote_currency_code,

        -- units of the quote currency per one unit of the base currency
        rate,

        -- lineage
        {{ dlt_lineage_columns() }}
    from source
)

select * from renamed
