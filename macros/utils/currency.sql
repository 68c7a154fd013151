{#-
    Money.

    round_to_minor_units(amount, minor_units): `amount` rounded to the number of decimals its
    currency has (ISO 4217 minor units, the `minor_units` column of the currencies seed: 2 for
    USD and EUR, 0 for JPY, 3 for e.g. KWD, 4 for the fund units CLF and UYW), as a numeric of
    dbt's `type_numeric`. Use it for every converted amount, so that 1234.5678 yen in the
    reporting currency JPY becomes 1235 and 82.86333 dollars becomes 82.86. Null when
    `minor_units` is null or outside 0-4, which a not_null test on the result then reports.

    `amount` may be a double (a rate is one): it is cast to a numeric before rounding, because
    PostgreSQL rounds to a number of decimals only a numeric. `minor_units` may be a column:
    each precision is its own constant-precision round() in a CASE, because DuckDB rounds a
    decimal only to a constant number of decimals. Plain SQL, the same on DuckDB and PostgreSQL.
-#}
{% macro round_to_minor_units(amount, minor_units) -%}
    cast(
        case {{ minor_units }}
            {%- for decimals in range(0, 5) %}
            when {{ decimals }}
                then round(cast({{ amount }} as {{ dbt.type_numeric() }}), {{ decimals }})
            {%- endfor %}
        end
        as {{ dbt.type_numeric() }}
    )
{%- endmacro %}



{#-
    reporting_currency_code(): the ISO 4217 code of the reporting currency, the project var
    `reporting_currency` (which says why it is what it is), as a SQL literal ('USD'): the
    currency every amount is also reported in, written the same way by every model.

        {{ reporting_currency_code() }} as reporting_currency_code
-#}
{% macro reporting_currency_code() -%}
    '{{ var("reporting_currency") }}'
{%- endmacro %}

{#-
    in_reporting_currency(amount_local, rate): `amount_local` times `rate` (units of the
    reporting currency per unit of the local one, int_fx_rates__daily's reporting_rate),
    rounded to the minor units of the reporting currency (the project var
    `reporting_currency`), read from the currencies seed by a scalar subquery: null, not zero
    rows, if the seed lacked the reporting currency, which the not_null tests of the converted
    amounts then report. The one conversion of every amount the shop books:

        {{ in_reporting_currency('amount_local', 'reporting_rate') }} as amount_reporting
-#}
{% macro in_reporting_currency(amount_local, rate) -%}
    {%- set reporting_minor_units -%}
        (
            select reporting.minor_units
            from {{ ref('currencies') }} as reporting
            where reporting.currency_code = {{ tributary.reporting_currency_code() }}
        )
    {%- endset -%}
    {{ tributary.round_to_minor_units(amount_local ~ ' * ' ~ rate, reporting_minor_units) }}
{%- endmacro %}



{#-
    has_fx_rate(currency_code, on_date): whether int_fx_rates__daily has a rate into the
    reporting currency for the currency on that day (a weekend's or a holiday's carried rate
    counts): the rule no_fx_rate of the money the checked models label (int_orders__checked,
    int_payments__checked), written once.

        when not {{ has_fx_rate('currency_code', 'order_date') }} then 'no_fx_rate'

    True or false, never null: a null code or day has no rate. An uncorrelated `in` over the
    rates, which DuckDB runs as a semi join and PostgreSQL as a hashed subplan, not as a
    query for every row.
-#}
{% macro has_fx_rate(currency_code, on_date) -%}
    coalesce(
        ({{ currency_code }}, {{ on_date }}) in (
            select
                fx_rates.currency_code,
                fx_rates.date_day
            from {{ ref('int_fx_rates__daily') }} as fx_rates
            where fx_rates.reporting_rate is not null
        ),
        false
    )
{%- endmacro %}



{#-
    with_fx_rate(relation, date_column): the rows of `relation` (a CTE of the calling model
    with a currency_code and a `date_column`), each with the rate of int_fx_rates__daily for
    its currency on that day, under the names the converted models carry: reporting_rate,
    fx_rate_date_used (the publication day whose rate it is) and is_fx_rate_carried_forward
    (an earlier day's, over a weekend or a holiday). The one lookup of the rate that converts
    an amount, for the normalized orders and payments:

        rated as (
            {{ with_fx_rate('payments', 'payment_date') }}
        )

    A left join: a row without a rate keeps null ones (the checked models' no_fx_rate rule
    keeps such rows out of the clean models). (The `noqa: AM04`: the macro lint's harness
    reads the `relation.*` of a name that is no relation; a model's CTE has its columns.)
-#}
{% macro with_fx_rate(relation, date_column) -%}
select
    {{ relation }}.*,  -- noqa: AM04
    fx_rates.reporting_rate,
    fx_rates.rate_date_used as fx_rate_date_used,
    fx_rates.is_carried_forward as is_fx_rate_carried_forward
from {{ relation }}
left join {{ ref('int_fx_rates__daily') }} as fx_rates
    on
        {{ relation }}.currency_code = fx_rates.currency_code
        and {{ relation }}.{{ date_column }} = fx_rates.date_day
{%- endmacro %}
