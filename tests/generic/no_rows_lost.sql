{#-
    Nothing is lost between layers: the rows of `staged` are exactly the rows of the model
    (the clean ones) plus the rows of `rejected` (the quarantined ones, each with its rule).
    Fails with one row giving the three counts when they do not add up.

        data_tests:
          - no_rows_lost:
              arguments:
                staged: ref('stg_shop__orders')
                rejected: ref('int_orders__rejected')
-#}
{% test no_rows_lost(model, staged, rejected) %}

with

counts as (
    select
        (select count(*) from {{ staged }}) as staged_rows,
        (select count(*) from {{ model }}) as clean_rows,
        (select count(*) from {{ rejected }}) as rejected_rows
)

select
    staged_rows,
    clean_rows,
    rejected_rows
from counts
where staged_rows != clean_rows + rejected_rows

{% endtest %}
