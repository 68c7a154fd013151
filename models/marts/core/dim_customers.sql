{#-
    One row per customer (grain: customer_key of a shop customer; CRM-only leads are not
    customers and stay in marketing's models): the account's country, opt-in and dates, how
    many CRM contacts resolved to the person, the order history from fct_orders, and whether
    the account is deleted or under an erasure request.

    No personal data: names, emails, phones, addresses and birth dates stay in staging and
    go to the restricted vault; this dimension is keyed and described by surrogates only.

    Order history counts the clean orders that were not cancelled (`lifetime_order_count`,
    first and last order); lifetime revenue also leaves out returned orders: the money the
    customer kept spending, in the reporting currency.
-#}

with

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

customer_keys as (
    select * from {{ ref('int_customers__resolved') }}
),

key_summaries as (
    select * from {{ ref('int_customer_keys__summarized') }}
),

orders as (
    select * from {{ ref('fct_orders') }}
),

erasure_requests as (
    select * from {{ ref('stg_shop__erasure_requests') }}
),

shop_customer_keys as (
    select
        source_record_id,
        customer_key
    from customer_keys
    where source_system = 'shop'
),

order_history as (
    select
        customer_key,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at,
        count(*) as lifetime_order_count,
        sum(
            case when status != 'returned' then amount_reporting else 0 end
        ) as lifetime_revenue_reporting
    from orders
    where status != 'cancelled'
    group by customer_key
),

erasures as (
    select
        customer_id,
        min(requested_at) as erasure_requested_at
    from erasure_requests
    group by customer_id
),

joined as (
    select
        customers.*,
        shop_customer_keys.customer_key,
        key_summaries.crm_contact_count,
        order_history.first_order_at,
        order_history.last_order_at,
        order_history.lifetime_order_count,
        order_history.lifetime_revenue_reporting,
        erasures.erasure_requested_at
    from customers
    inner join shop_customer_keys
        on
            cast(customers.customer_id as {{ dbt.type_string() }})
            = shop_customer_keys.source_record_id
    left join key_summaries
        on shop_customer_keys.customer_key = key_summaries.customer_key
    left join order_history
        on shop_customer_keys.customer_key = order_history.customer_key
    left join erasures
        on customers.customer_id = erasures.customer_id
),

final as (
    select
        -- ids
        cast(customer_key as varchar) as customer_key,
        cast(customer_id as bigint) as customer_id,

        -- attributes
        cast(country_code as varchar) as country_code,
        cast(is_marketing_opt_in as boolean) as is_marketing_opt_in,
        cast(coalesce(crm_contact_count, 0) as integer) as crm_contact_count,

        -- order history (clean orders, not cancelled)
        cast(first_order_at as timestamp) as first_order_at,
        cast(last_order_at as timestamp) as last_order_at,
        cast(coalesce(lifetime_order_count, 0) as integer) as lifetime_order_count,
        cast(coalesce(lifetime_revenue_reporting, 0) as numeric(18, 2))
            as lifetime_revenue_reporting,

        -- account state
        cast(is_deleted as boolean) as is_deleted,
        cast(erasure_requested_at is not null as boolean) as has_erasure_request,
        cast(erasure_requested_at as timestamp) as erasure_requested_at,

        -- timestamps
        cast(created_at as timestamp) as created_at,
        cast(updated_at as timestamp) as updated_at,

        -- lineage
        cast(_load_id as varchar) as _load_id,
        cast(_loaded_at as timestamp) as _loaded_at
    from joined
)

select * from final
