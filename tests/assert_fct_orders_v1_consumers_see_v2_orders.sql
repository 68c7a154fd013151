-- A consumer pinned to fct_orders v1 keeps working: the deprecated version resolves, has every
-- order of the latest version and no other, each with the same amounts and status, and the
-- shop customer id that v2 dropped. Fails with each order on which the versions disagree.
with

pinned as (
    select * from {{ ref('fct_orders', v=1) }}
),

latest as (
    select * from {{ ref('fct_orders') }}
),

compared as (
    select
        coalesce(pinned.order_id, latest.order_id) as order_id,
        pinned.order_id is null as is_missing_in_v1,
        latest.order_id is null as is_missing_in_v2,
        pinned.customer_id is null as has_no_customer_id
    from pinned
    full outer join latest
        on
            pinned.order_id = latest.order_id
            and pinned.customer_key = latest.customer_key
            and pinned.status = latest.status
            and pinned.amount_reporting = latest.amount_reporting
            and pinned.amount_paid_reporting = latest.amount_paid_reporting
)

select *
from compared
where is_missing_in_v1 or is_missing_in_v2 or has_no_customer_id
