{#-
    One row per calendar day (grain: date_day) from var `calendar_start_date` to a year after
    today (or to var `calendar_end_date` where that is set): the calendar every fact's
    business date joins to, with ISO weeks (starting Monday) and ISO days of the week
    (1 = Monday .. 7 = Sunday).

    Bounds from vars, not from the orders: the first day is before any business date of the
    shop (accounts from October 2024, orders from a year later), so sessions, reviews and
    account dates find their day as well as orders; the last is a year after today, which
    stays ahead of the latest business date as `next-day` moves it, and a pinned end date
    makes the calendar reproducible (a unit test, a backfill). No run_query at compile time.

    dbt.date_spine generates the days on every adapter; weeks come from dbt.date_trunc, which
    starts them on Monday on DuckDB and PostgreSQL alike, and the day of the week is counted
    from that Monday, so no adapter-specific day-of-week function is needed.
-#}

{%- set calendar_end = (
    "cast('" ~ var('calendar_end_date') ~ "' as date)" if var('calendar_end_date')
    else dbt.dateadd('year', 1, 'current_date')
) %}

with

-- the spine stops before its end date: one day more, so that the last day is in
days as (
    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('calendar_start_date') ~ "' as date)",
        dbt.dateadd('day', 1, calendar_end),
    ) }}
),

calendar as (
    select
        cast(date_day as date) as date_day,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start
    from days
),

positioned as (
    select
        *,
        -- 0 = Monday .. 6 = Sunday, counted from the week's Monday (the adapter's datediff
        -- compiles to one long line, hence the noqa)
        {{ dbt.datediff('week_start', 'date_day', 'day') }} as days_since_monday  -- noqa: LT05
    from calendar
),

final as (
    select
        -- the day
        cast(date_day as date) as date_day,

        -- calendar parts
        cast(extract(year from date_day) as integer) as calendar_year,
        cast(extract(quarter from date_day) as integer) as calendar_quarter,
        cast(extract(month from date_day) as integer) as month_of_year,
        cast(
            case extract(month from date_day)
                when 1 then 'January'
                when 2 then 'February'
                when 3 then 'March'
                when 4 then 'April'
                when 5 then 'May'
                when 6 then 'June'
                when 7 then 'July'
                when 8 then 'August'
                when 9 then 'September'
                when 10 then 'October'
                when 11 then 'November'
                when 12 then 'December'
            end as varchar
        ) as month_name,
        cast(month_start as date) as month_start,

        -- ISO week: Monday to Sunday
        cast(week_start as date) as week_start,
        cast(days_since_monday + 1 as integer) as day_of_week,
        cast(
            case days_since_monday
                when 0 then 'Monday'
                when 1 then 'Tuesday'
                when 2 then 'Wednesday'
                when 3 then 'Thursday'
                when 4 then 'Friday'
                when 5 then 'Saturday'
                when 6 then 'Sunday'
            end as varchar
        ) as day_name,
        cast(days_since_monday >= 5 as boolean) as is_weekend
    from positioned
)

select * from final
