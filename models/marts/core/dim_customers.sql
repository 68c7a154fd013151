{#-
    One row per customer (grain: customer_key of a shop customer account; CRM-only leads are
    not customers and stay in marketing's models): the account's country, opt-in and dates,
    the CRM contacts resolved to the same person and the lead source of the earliest of them,
    the order history from fct_orders, and whether the account is deleted or under an erasure
    request.

    - No personal data: names, emails, phones, addresses and birth dates stay in staging and
      the restricted vault; the import CTEs below take only keys and attributes, so that no
      personal column reaches even an intermediate step of this model.
    - `lead_source`: that of the person's earliest CRM contact (by the CRM's creation date,
      then contact id), null when that contact has none or the CRM does not know the person.
      int_contacts__deduplicated is private to the customer group, this model's own.
    - Order history from the public fct_orders (int_orders__normalized is private to sales):
      first and last order and `lifetime_order_count` count the clean orders that were not
      cancelled; `lifetime_revenue_reporting` also leaves out the returned ones (the money
      the customer kept spending), in the reporting currency at each order date's rate.
-#}

with

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

customer_keys as (
    select * from {{ ref('int_customers__resolved') }}
),

key_summaries as (
    select * from {{ ref('int_customer_keys__summarized') }}
),

contacts as (
    select
        contact_id,
        lead_source,
        created_date
    from {{ ref('int_contacts__deduplicated') }}
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

-- the person's CRM contacts, earliest first (an unknown creation date last)
ranked_contacts as (
    select
        customer_keys.customer_key,
        contacts.lead_source,
        contacts.created_date,
        row_number() over (
            partition by customer_keys.customer_key
            order by
                case when contacts.created_date is null then 1 else 0 end,
                contacts.created_date,
                contacts.contact_id
        ) as contact_rank
    from customer_keys
    inner join contacts
        on customer_keys.source_record_id = contacts.contact_id
    where customer_keys.source_system = 'crm'
),

first_contacts as (
    select
        customer_key,
        lead_source,
        created_date as first_crm_contact_date
    from ranked_contacts
    where contact_rank = 1
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
        customers.customer_id,
        customers.country_code,
        customers.is_marketing_opt_in,
        customers.is_deleted,
        customers.created_at,
        customers.updated_at,
        customers._load_id,
        customers._loaded_at,
        shop_customer_keys.customer_key,
        key_summaries.crm_contact_count,
        first_contacts.lead_source,
        first_contacts.first_crm_contact_date,
        order_history.first_order_at,
        order_history.last_order_at,
        order_history.lifetime_order_count,
        order_history.lifetime_revenue_reporting,
        erasures.erasure_requested_at
    from customers
    -- every shop customer has exactly one row in the key map (its own key)
    inner join shop_customer_keys
        on
            cast(customers.customer_id as {{ dbt.type_string() }})
            = shop_customer_keys.source_record_id
    left join key_summaries
        on shop_customer_keys.customer_key = key_summaries.customer_key
    left join first_contacts
        on shop_customer_keys.customer_key = first_contacts.customer_key
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

        -- the CRM side of the person
        cast(coalesce(crm_contact_count, 0) as integer) as crm_contact_count,
        cast(lead_source as varchar) as lead_source,
        cast(first_crm_contact_date as date) as first_crm_contact_date,

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
