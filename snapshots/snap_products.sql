{#-
    Product price history: a new version whenever the shop updates a product (price changes,
    renames, discontinuation).
-#}
{% snapshot snap_products %}

{{ config(unique_key='product_id') }}

select
    product_id,
    sku,
    product_name,
    category_raw,
    list_price,
    list_price_currency_code,
    is_deleted,
    updated_at
from {{ ref('stg_shop__products') }}

{% endsnapshot %}
