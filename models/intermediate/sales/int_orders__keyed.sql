{#-
    One row per staged shop order (grain: order_id, as int_orders__checked: rejected orders
    too), with its shop customer and the `customer_key` of that customer's person
    (int_customers__keyed). The way from an order to the person for the marts of every domain:
    order lines, payments and shipments find their customer here, whatever became of the order.
    Null for an order without a known customer.
-#}

with

orders as (
    select * from {{ ref('int_orders__checked') }}
),

customers as (
    select * from {{ ref('int_customers__keyed') }}
),

final as (
    select
        -- ids
        orders.order_id,
        orders.customer_id,
        customers.customer_key,

        -- lineage
        orders._load_id
    from orders
    left join customers using (customer_id)
)

select * from final
