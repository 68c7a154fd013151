{#-
    Reconciliation between layers: an aggregate of the model equals the same (or another)
    aggregate of an upstream model, so that nothing was lost or counted twice on the way.
    Row counts with `count(*)`, money with `sum(...)`; `where` and `compare_where` restrict
    either side; `tolerance` absorbs rounding (amounts rounded line by line, say). Fails with
    one row giving both values and their difference.

        data_tests:
          - reconciles_with:
              arguments:
                expression: sum(amount_reporting)
                compare_model: ref('int_orders__normalized')
                compare_expression: sum(amount_reporting)   # default: expression
                where: "status != 'cancelled'"               # optional, on the model
                compare_where: "status != 'cancelled'"       # optional, on compare_model
                tolerance: 0.01                              # default 0: exactly equal
-#}
{% test reconciles_with(
    model,
    expression,
    compare_model,
    compare_expression=none,
    where=none,
    compare_where=none,
    tolerance=0
) %}

with

model_value as (
    select {{ expression }} as model_value
    from {{ model }}
    {%- if where %}
    where {{ where }}
    {%- endif %}
),

compare_value as (
    select {{ compare_expression or expression }} as compare_value
    from {{ compare_model }}
    {%- if compare_where %}
    where {{ compare_where }}
    {%- endif %}
),

compared as (
    select
        model_value.model_value,
        compare_value.compare_value,
        coalesce(model_value.model_value, 0)
        - coalesce(compare_value.compare_value, 0) as difference
    from model_value
    cross join compare_value
)

select
    model_value,
    compare_value,
    difference
from compared
where
    difference > {{ tolerance }}
    or difference < -{{ tolerance }}

{% endtest %}
