{#-
    One row per calendar day and currency: the ECB reference rate that applies on that day,
    `rate_per_eur`, and `reporting_rate`, the units of the reporting currency (the project var
    `reporting_currency`) that one unit of the currency buys. Every money amount of the shop is
    converted with the row of its own UTC date.

    - The ECB publishes on business days only. A weekend or TARGET holiday (Good Friday,
      Christmas, ...) carries the rate of the last business day on or before it, as the shop's
      checkout does: `rate_date_used` says which day's rate that is, `is_carried_forward`
      whether it is an earlier day's.
    - EUR is the ECB's base: 1.0 on every publication day, carried forward like the others,
      so that EUR amounts go through the same join as every other currency.
    - The calendar runs from the first staged rate date to the last day an order or a payment
      needs converting, or the last rate date, whichever is later: an order placed after the
      latest publication (a Saturday's orders before Monday's rates arrive) still has a rate.
      A currency's rows start on its own first rate date: before it there is no rate to carry,
      and no row says so (the `no_fx_rate` rule of the validated models).
    - reporting_rate = (reporting currency per EUR) / (currency per EUR): the cross rate
      through EUR, taken the same day; both carried rates come from the same publication, as
      the ECB publishes every currency at once.

    Why not dbt.date_spine (which dbt-core 1.11 ships): it counts the days with a query at
    compile time (dbt.get_intervals_between), which would freeze the day count into this view's
    SQL and fails where the models compile without data (sqlfluff's lint target, unit tests,
    whose inputs are fixtures). The calendar below uses the same building blocks
    (dbt.generate_series, dbt.dateadd) with the bounds applied when the query runs.
-#}

{#- The most days the calendar can span: 2^14 days, about 44 years of rates. -#}
{%- set max_calendar_days = 16384 -%}

with

rates as (
    select * from {{ ref('stg_fx__rates') }}
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
),

payments as (
    select * from {{ ref('stg_shop__payments') }}
),

-- the ECB quotes every currency against EUR; a row against another base is not a reference rate
quotes as (
    select
        rate_date,
        quote_currency_code as currency_code,
        rate as rate_per_eur,
        _load_id
    from rates
    where base_currency_code = 'EUR' and quote_currency_code != 'EUR'
),

-- EUR's row of a day comes with that day's publication: the load that brought its quotes
eur_quotes as (
    select
        rate_date,
        'EUR' as currency_code,
        cast(1.0 as {{ dbt.type_float() }}) as rate_per_eur,
        max(_load_id) as _load_id
    from quotes
    group by rate_date
),

all_quotes as (
    select * from quotes
    union all
    select * from eur_quotes
),

currencies as (
    select
        currency_code,
        min(rate_date) as first_rate_date
    from all_quotes
    group by currency_code
),

bounds as (
    select
        (select min(rate_date) from all_quotes) as first_day,
        -- greatest() skips nulls (DuckDB and PostgreSQL alike): no orders yet, no bound
        greatest(
            (select max(rate_date) from all_quotes),
            (select max(cast(ordered_at as date)) from orders),
            (select max(cast(coalesce(paid_at, created_at) as date)) from payments)
        ) as last_day
),

day_offsets as (
    select generated_number - 1 as day_offset
    from ({{ dbt.generate_series(max_calendar_days) }}) as series
),

calendar_days as (
    select
        cast({{ dbt.dateadd('day', 'day_offsets.day_offset', 'bounds.first_day') }} as date)
            as date_day,
        bounds.last_day
    from bounds
    cross join day_offsets
),

calendar as (
    select date_day
    from calendar_days
    where date_day <= last_day
),

currency_days as (
    select
        calendar.date_day,
        currencies.currency_code
    from calendar
    inner join currencies
        on calendar.date_day >= currencies.first_rate_date
),

published as (
    select
        currency_days.date_day,
        currency_days.currency_code,
        all_quotes.rate_date,
        all_quotes.rate_per_eur,
        all_quotes._load_id,
        -- publications so far: constant from one publication to the next, so it groups a
        -- business day with the days after it that carry its rate (a portable "last value
        -- ignoring nulls", which PostgreSQL lacks)
        count(all_quotes.rate_date) over (
            partition by currency_days.currency_code
            order by currency_days.date_day
            rows between unbounded preceding and current row
        ) as publication_number
    from currency_days
    left join all_quotes
        on
            currency_days.currency_code = all_quotes.currency_code
            and currency_days.date_day = all_quotes.rate_date
),

carried as (
    select
        date_day,
        currency_code,
        max(rate_per_eur) over (
            partition by currency_code, publication_number
        ) as rate_per_eur,
        max(rate_date) over (partition by currency_code, publication_number) as rate_date_used,
        -- row-level lineage: the load of the rate the day applies
        max(_load_id) over (partition by currency_code, publication_number) as _load_id
    from published
),

final as (
    select
        carried.date_day,
        carried.currency_code,
        carried.rate_per_eur,
        carried.rate_date_used,
        carried.rate_date_used < carried.date_day as is_carried_forward,
        {{ reporting_currency_code() }} as reporting_currency_code,
        reporting.rate_per_eur / carried.rate_per_eur as reporting_rate,
        carried._load_id
    from carried
    left join carried as reporting
        on
            carried.date_day = reporting.date_day
            and reporting.currency_code = {{ reporting_currency_code() }}
)

select * from final
