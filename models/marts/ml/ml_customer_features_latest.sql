{#-
    The scoring rows: ml_customer_features at its latest as-of date (the data's last order
    date), one row per customer. A view, so that it always shows the table's latest build.
    Its columns are the table's, all of them and in the same order, so that a model trained
    on the table scores these rows with the same preprocessing; the contract in its yml pins
    them (the label is null here: its window has not happened yet).
-#}

{{ config(materialized='view') }}

with

features as (
    select * from {{ ref('ml_customer_features') }}
),

latest as (
    select max(as_of_date) as as_of_date
    from features
),

final as (
    -- all the table's columns, by design (see the header): the view's contract pins them
    select features.*
    from features
    inner join latest using (as_of_date)
)

select * from final  -- noqa: AM04
