{#-
    Entity resolution: one row per customer record of any source (a shop customer account, a
    CRM contact), with the `customer_key` of the person it belongs to.

    Links: Splink scored the candidate pairs of records inside the restricted zone
    (int_customer_pairs__scored: Fellegi-Sunter match weights over given and family name,
    birth date, address, email and phone, each with similarity levels). Two records link when
      - a reviewer decided `match` for the pair (customer_link_decisions seed), or
      - no reviewer decided, the match probability reaches `customer_match_threshold`
        (dbt_project.yml says why that value), and the pair agrees on something of the
        person's own (`agrees_on_person`: a given name, a birth date or an email), not only
        on what a household shares (family name, address, phone), which the model's
        independent weights would add up to near certainty;
    a reviewer's `no_match` unlinks a pair whatever its score. A conflicting birth date is one
    comparison among others: it lowers the weight, it vetoes nothing.

    Pairs: a CRM contact with a shop customer or with another CRM contact. Two shop customers
    are never scored together: each shop account is one customer to the business.

    Clusters: records linked directly or through others share a key (transitive closure: the
    recursive CTE `reachable` walks the links from every record until no new record is
    reached; `union` drops pairs already found, which ends the walk on a cycle), except where
    that would put two shop customers under one key: in such a group each CRM contact keeps
    only its strongest direct link to a shop customer (a reviewer's match first, then the
    highest match weight), and `has_conflicting_links` flags it.

    The key: dbt.hash of the group's anchor record, written 'shop:<customer_id>' or
    'crm:<contact_id>': its shop customer if it has one (so a shop customer's key never
    changes when CRM contacts join it), else its smallest CRM contact id. A group of CRM
    contacts only (leads) gets a new key if it later links to a shop customer.
-#}

-- A table: a transitive closure over every customer record, read by int_customers__keyed,
-- dim_customers, the vault and the precision/recall test.
{{ config(materialized='table') }}

with recursive

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

contacts as (
    select * from {{ ref('int_contacts__deduplicated') }}
),

scored_pairs as (
    select * from {{ ref('int_customer_pairs__scored') }}
),

decisions as (
    select * from {{ ref('customer_link_decisions') }}
),

records as (
    select
        {{ dbt.concat(["'shop:'", 'cast(customer_id as ' ~ dbt.type_string() ~ ')']) }}
            as source_record_key,
        'shop' as source_system,
        cast(customer_id as {{ dbt.type_string() }}) as source_record_id,
        customer_id,
        _load_id
    from customers

    union all

    select
        {{ dbt.concat(["'crm:'", 'contact_id']) }} as source_record_key,
        'crm' as source_system,
        contact_id as source_record_id,
        cast(null as {{ dbt.type_bigint() }}) as customer_id,
        _load_id
    from contacts
),

-- a reviewer's decision, whichever way round the pair was written
decided_pairs as (
    select
        decision,
        least(record_key, other_record_key) as low_key,
        greatest(record_key, other_record_key) as high_key
    from decisions
),

-- every scored pair and every pair a reviewer decided, with the verdict that counts
judged_pairs as (
    select
        coalesce(scored_pairs.record_key, decided_pairs.low_key) as record_key,
        coalesce(scored_pairs.other_record_key, decided_pairs.high_key) as other_record_key,
        scored_pairs.match_probability,
        -- a reviewer's match outranks any score when a contact must choose its shop customer
        case
            when decided_pairs.decision = 'match' then 1e9
            else scored_pairs.match_weight
        end as link_strength,
        case
            when decided_pairs.decision is not null then decided_pairs.decision
            when
                scored_pairs.match_probability >= {{ var('customer_match_threshold') }}
                and scored_pairs.agrees_on_person
                then 'match'
            else 'no_match'
        end as verdict,
        decided_pairs.decision is not null as is_decided_by_reviewer
    from scored_pairs
    full outer join decided_pairs
        on
            least(scored_pairs.record_key, scored_pairs.other_record_key) = decided_pairs.low_key
            and greatest(scored_pairs.record_key, scored_pairs.other_record_key)
            = decided_pairs.high_key
),

links as (
    select judged_pairs.*
    from judged_pairs
    -- only records that exist (a decision can outlive a record: erased, or merged in the CRM)
    inner join records as record_a
        on judged_pairs.record_key = record_a.source_record_key
    inner join records as record_b
        on judged_pairs.other_record_key = record_b.source_record_key
    where judged_pairs.verdict = 'match'
),

edges as (
    select
        record_key as from_key,
        other_record_key as to_key,
        link_strength,
        match_probability,
        is_decided_by_reviewer
    from links

    union all

    select
        other_record_key as from_key,
        record_key as to_key,
        link_strength,
        match_probability,
        is_decided_by_reviewer
    from links
),

-- the transitive closure: every record with every record it reaches
reachable as (
    select
        source_record_key as record_key,
        source_record_key as reached_key
    from records

    union

    select
        reachable.record_key,
        edges.to_key as reached_key
    from reachable
    inner join edges
        on reachable.reached_key = edges.from_key
),

record_groups as (
    select
        reachable.record_key,
        count(
            distinct case when records.source_system = 'shop' then reachable.reached_key end
        ) as shop_record_count,
        min(case when records.source_system = 'shop' then reachable.reached_key end)
            as shop_record_key,
        min(case when records.source_system = 'crm' then reachable.reached_key end)
            as crm_record_key
    from reachable
    inner join records
        on reachable.reached_key = records.source_record_key
    group by reachable.record_key
),

-- each CRM contact's strongest direct link to a shop customer, for a group of several
direct_shop_links as (
    select
        edges.from_key as record_key,
        edges.to_key as shop_record_key,
        row_number() over (
            partition by edges.from_key
            order by edges.link_strength desc, edges.to_key asc
        ) as link_number
    from edges
    where edges.to_key like 'shop:%'
),

anchored as (
    select
        record_groups.record_key,
        case
            when record_groups.shop_record_count <= 1
                then coalesce(record_groups.shop_record_key, record_groups.crm_record_key)
            -- never two shop customers under one key
            when record_groups.record_key like 'shop:%' then record_groups.record_key
            else coalesce(direct_shop_links.shop_record_key, record_groups.record_key)
        end as anchor_record_key,
        record_groups.shop_record_count > 1 as has_conflicting_links
    from record_groups
    left join direct_shop_links
        on
            record_groups.record_key = direct_shop_links.record_key
            and direct_shop_links.link_number = 1
),

-- the strongest link of each record to another record under the same key
record_links as (
    select
        anchored.record_key,
        max(edges.match_probability) as match_probability,
        {{ dbt.bool_or('edges.is_decided_by_reviewer') }} as is_decided_by_reviewer
    from anchored
    inner join edges
        on anchored.record_key = edges.from_key
    inner join anchored as other_anchored
        on
            edges.to_key = other_anchored.record_key
            and anchored.anchor_record_key = other_anchored.anchor_record_key
    group by anchored.record_key
),

final as (
    select
        -- ids
        records.source_record_key,
        records.source_system,
        records.source_record_id,
        {{ dbt.hash('anchored.anchor_record_key') }} as customer_key,
        anchor_record.customer_id as resolved_customer_id,

        -- how the record was resolved
        case
            when record_links.record_key is null then 'self'
            when record_links.is_decided_by_reviewer then 'reviewer'
            else 'model'
        end as linked_by,
        record_links.match_probability,
        anchored.has_conflicting_links,

        -- lineage
        records._load_id
    from records
    inner join anchored
        on records.source_record_key = anchored.record_key
    inner join records as anchor_record
        on anchored.anchor_record_key = anchor_record.source_record_key
    left join record_links
        on records.source_record_key = record_links.record_key
)

select * from final
