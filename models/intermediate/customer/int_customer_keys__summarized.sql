{#-
    One row per resolved customer (`customer_key` of int_customers__resolved): the shop
    customer it is, if any, and the CRM contacts that are the same person. The lookup that
    dim_customers and the CRM-side marts start from.
-#}

with

resolved as (
    select * from {{ ref('int_customers__resolved') }}
),

final as (
    select
        -- ids
        customer_key,
        max(resolved_customer_id) as customer_id,

        -- the records behind the key
        count(*) as record_count,
        sum(case when source_system = 'crm' then 1 else 0 end) as crm_contact_count,
        min(case when source_system = 'crm' then source_record_id end) as first_contact_id,
        {{ dbt.listagg(
            "case when source_system = 'crm' then source_record_id end",
            "', '",
            "order by source_record_id",
        ) }} as crm_contact_ids,

        -- what kind of customer: a shop customer (maybe also in the CRM), or a CRM lead
        max(resolved_customer_id) is not null as is_shop_customer,
        max(case when has_conflicting_links then 1 else 0 end) = 1 as has_conflicting_links,

        -- lineage: the latest load that wrote one of the records
        max(_load_id) as _load_id
    from resolved
    group by customer_key
)

select * from final
