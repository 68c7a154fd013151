{#-
    Order status history: a new version whenever the shop updates an order (placed, paid,
    shipped, delivered, cancelled, returned). Holds no personal data.
-#}
{% snapshot snap_orders %}

{{ config(unique_key='order_id') }}

select
    order_id,
    customer_id,
    channel,
    status,
    currency_code,
    total_amount_local,
    ordered_at,
    is_deleted,
    updated_at
from {{ ref('stg_shop__orders') }}

{% endsnapshot %}
