{#-
    Quarantine: every staged row of an entity is either clean or rejected with the first rule it
    breaks. The entity's `__checked` model labels each staged row once (`rejection_rule`, null
    for a clean row; the rules, their order and what each means are documented on that
    column); its clean model and its quarantine model are the two sides of that label, so the
    rules live in one model and the two sides can never disagree.

    quarantine_rows(checked_model, rejected): the model's rows of `checked_model` that broke
    a rule (rejected=true) or none (rejected=false), with the columns the calling model's yml
    declares (declared_columns), in the yml's order: the quarantine model lists
    `rejection_rule` first (what a reviewer filters on), the clean model leaves it out.

        -- int_orders__rejected.sql
        {{ quarantine_rows('int_orders__checked', rejected=true) }}

    (The `noqa: AM04` of the last line: only the macro lint's harness, a node without yml
    columns, selects `*` from `checked`; a model always lists its columns.)
-#}
{% macro quarantine_rows(checked_model, rejected) -%}
with

checked as (
    select * from {{ ref(checked_model) }}
),

final as (
    select
        {{ tributary.declared_columns() }}
    from checked
    where rejection_rule is {{ 'not null' if rejected else 'null' }}
)

select * from final  -- noqa: AM04
{%- endmacro %}



{#-
    is_key_of(column, model, key): whether the value of the calling model's `column` is a
    `key` (by default the column's own name) of the model or seed `model`, as dbt's
    relationships test asks it: the orphan rules of the `__checked` models, one line each.

        when not {{ is_key_of('customer_id', 'stg_shop__customers') }} then 'orphan_customer'
        when not {{ is_key_of('currency_code', 'currencies') }} then 'unknown_currency'

    True or false, never null: a null is no one's key. An uncorrelated `in` over the model's
    keys, which DuckDB runs as a semi join and PostgreSQL as a hashed subplan, not as a query
    for every row.
-#}
{% macro is_key_of(column, model, key=none) -%}
    coalesce(
        {{ column }} in (
            select {{ key or column.split('.')[-1] }} from {{ ref(model) }}
        ),
        false
    )
{%- endmacro %}
