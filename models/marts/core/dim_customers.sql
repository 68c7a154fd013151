{#-
    One row per customer (grain: customer_key of a shop customer account; CRM-only leads are
    not customers and stay in marketing's models): the account's country, opt-in and dates,
    the CRM contacts resolved to the same person and the lead source of the earliest of them,
    the order history from fct_orders, and whether the account is deleted or under an erasure
    request.

    - No personal data: names, emails, phones, addresses and birth dates stay in staging and
      the restricted vault; the accounts come keyed and without them (int_customers__keyed),
      and the import CTEs below take only keys and attributes, so that no personal column
      reaches even an intermediate step of this model.
    - `crm_contact_count`: the CRM records resolved to the person (int_customers__resolved).
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
    select * from {{ ref('int_customers__keyed') }}
),

-- the person of each CRM record the resolution linked
crm_keys as (
    select
        source_record_id,
        customer_key
    from {{ ref('int_customers__resolved') }}
    where source_system = 'crm'
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

crm_contact_counts as (
    select
        customer_key,
        count(*) as crm_contact_count
    from crm_keys
    group by customer_key
),

-- the person's CRM contacts, earliest first (an unknown creation date last)
ranked_contacts as (
    select
        crm_keys.customer_key,
        contacts.lead_source,
        contacts.created_date,
        row_number() over (
            partition by crm_keys.customer_key
            order by
                case when contacts.created_date is null then 1 else 0 end,
                contacts.created_date,
                contacts.contact_id
        ) as contact_rank
    from crm_keys
    inner join contacts
        on crm_keys.source_record_id = contacts.contact_id
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

joined as (
    select
        customers.*,
        first_contacts.lead_source,
        first_contacts.first_crm_contact_date,
        order_history.first_order_at,
        order_history.last_order_at,
        customers.erasure_requested_at is not null as has_erasure_request,
        coalesce(crm_contact_counts.crm_contact_count, 0) as crm_contact_count,
        coalesce(order_history.lifetime_order_count, 0) as lifetime_order_count,
        coalesce(order_history.lifetime_revenue_reporting, 0) as lifetime_revenue_reporting
    from customers
    left join crm_contact_counts using (customer_key)
    left join first_contacts using (customer_key)
    left join order_history using (customer_key)
),

final as (
    select
        {{ contract_columns() }}
    from joined
)

select * from final
