{#-
    One row per shop customer account (grain: customer_id, as stg_shop__customers), with the
    `customer_key` of the person entity resolution put it under (int_customers__resolved), its
    non-personal attributes and when the customer asked for erasure.

    The key map the marts of every domain look their buyer, payer, reviewer or visitor up in,
    by the shop's customer_id: no mart repeats the mapping from a shop account to its person,
    and none reads the staged accounts. Every shop customer has exactly one row in the
    resolution (its own record), so every account has one key here.
-#}

with

-- the keys and attributes only: no personal column reaches this model
customers as (
    select
        customer_id,
        country_code,
        is_marketing_opt_in,
        is_deleted,
        created_at,
        updated_at,
        _load_id,
        _loaded_at
    from {{ ref('stg_shop__customers') }}
),

-- the person of each shop record: every account has its own record in the resolution
shop_customer_keys as (
    select
        source_record_id,
        customer_key
    from {{ ref('int_customers__resolved') }}
    where source_system = 'shop'
),

erasure_requests as (
    select * from {{ ref('stg_shop__erasure_requests') }}
),

erasures as (
    select
        customer_id,
        min(requested_at) as erasure_requested_at
    from erasure_requests
    group by customer_id
),

final as (
    select
        -- ids
        customers.customer_id,
        shop_customer_keys.customer_key,

        -- attributes
        customers.country_code,
        customers.is_marketing_opt_in,

        -- account state
        customers.is_deleted,
        erasures.erasure_requested_at,

        -- timestamps
        customers.created_at,
        customers.updated_at,

        -- lineage
        customers._load_id,
        customers._loaded_at
    from customers
    inner join shop_customer_keys
        on
            cast(customers.customer_id as {{ dbt.type_string() }})
            = shop_customer_keys.source_record_id
    left join erasures using (customer_id)
)

select * from final
