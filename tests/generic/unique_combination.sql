{#-
    The model's grain: no two rows share the same values in `columns` (nulls are equal here,
    as in a group by, so a null in a key column is one value, not a free pass). Fails with
    one row per repeated combination and how many rows share it.

        data_tests:
          - unique_combination:
              arguments:
                columns: [entity, run_id]
-#}
{% test unique_combination(model, columns) %}

with

grain as (
    select
        {{ columns | join(',\n        ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}
)

select
    {{ columns | join(',\n    ') }},
    row_count
from grain
where row_count > 1

{% endtest %}
