{#-
    The model is up to date: its latest `field` is at most `interval` `datepart`s old.

    Old compared with what: by default the current time (for data that arrives all day long).
    With `compare_model` (and `compare_field`, default `field`), the model's latest value is
    compared with the latest of that upstream model instead, which asks "is this model lagging
    behind its input?" (a stale incremental, a broken filter) and holds for data whose
    business time is not today, such as the sandbox's or a backfill. Fails with one row giving
    both timestamps.

        data_tests:
          - recency:
              arguments:
                field: ordered_at
                datepart: day
                interval: 1
                compare_model: ref('int_orders__normalized')
-#}
{% test recency(model, field, datepart, interval, compare_model=none, compare_field=none) %}

with

latest as (
    select max({{ field }}) as latest_value
    from {{ model }}
),

reference as (
    {%- if compare_model is not none %}
    select max({{ compare_field or field }}) as reference_value
    from {{ compare_model }}
    {%- else %}
    select {{ dbt.current_timestamp() }} as reference_value
    {%- endif %}
)

select
    latest.latest_value,
    reference.reference_value
from latest
cross join reference
where
    -- an empty model is as stale as can be, unless its reference is empty too
    (latest.latest_value is null and reference.reference_value is not null)
    or {{ dbt.dateadd(datepart, interval, 'latest.latest_value') }}
    < reference.reference_value

{% endtest %}
