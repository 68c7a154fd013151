{#-
    Customer account history: a new version whenever the shop updates an account (an address or
    email change, an opt-in change, a deletion on an erasure request).

    Only the account's non-personal attributes are kept: a snapshot copies every version it
    sees, so personal data here would outlive an erasure in every old version. A change to
    personal data still opens a new version (the timestamp strategy follows updated_at), so the
    history shows *when* a customer moved without keeping *where from*.
-#}
{% snapshot snap_customers %}

{{ config(unique_key='customer_id') }}

select
    customer_id,
    country_code,
    is_marketing_opt_in,
    is_deleted,
    created_at,
    deleted_at,
    updated_at
from {{ ref('stg_shop__customers') }}

{% endsnapshot %}
