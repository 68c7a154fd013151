{#-
    Entity resolution: one row per customer record of any source (a shop customer account, a
    CRM contact), with the `customer_key` of the person it belongs to.

    Rules, strongest first; two records that share a value link (match_rule):
      1. email            the same email address, lower-cased and trimmed
      2. phone            the same phone number in E.164 (staging turned national, dotted and
                          international formats into E.164)
      3. name_postcode    the same full name and the same postcode in the same country
      4. name_birth_date  the same full name and the same date of birth
    A full name is order-insensitive (a family name typed first is the same name), and staging
    normalized each part (normalize_name: accents folded, lower case, letters only), so case,
    spacing, dropped accents and punctuation do not matter; a typo does.

    Resolution on masked data: staging standardizes every value to the form compared here and
    then masks it; the masking policy hashes emails, phones, names, addresses and birth dates
    with one salt, so equal values have equal tokens and unequal ones differ, which is all
    the rules and guards below need. No readable personal data enters this model; the
    restricted vault joins its keys back to the people (`pii_customers`).

    Pairs: a CRM contact links to a shop customer or to another CRM contact. Two shop
    customers never link directly: each shop account is one customer to the business.

    Guards against over-merging (precision before recall):
      a. a common value links nothing: a value held by more than one shop customer (a family's
         shared phone or email, two namesakes at one postcode) or by more records than
         `max_records_per_value` below (a switchboard number, a placeholder address);
      b. two records whose birth dates are both known and differ never link, by any rule
         (father and son of one name at one address; colleagues sharing a work email);
      c. an email or phone links only records that share a name part (first or family name,
         either order), so one household's phone does not merge people of different names;
      d. records linked directly or through others share a key (transitive closure), except
         where that would put two shop customers under one key: in such a group each CRM
         contact keeps only its strongest direct link to a shop customer (or stands alone),
         and `has_conflicting_links` flags it.

    Transitive closure: a recursive CTE (`reachable`) walks the links from every record until
    no new record is reached; `union` (not `union all`) drops the pairs already found, which is
    what ends the walk on a cycle. It runs as many passes as the longest chain of links (a
    handful: a shop customer and the CRM's copies of the same person), and guard (a) keeps the
    groups small. Works as written on DuckDB and PostgreSQL.

    The key: dbt.hash of the group's anchor record, written 'shop:<customer_id>' or
    'crm:<contact_id>': its shop customer if it has one (so a shop customer's key never changes
    when CRM contacts join it), else its smallest CRM contact id. A group of CRM contacts only
    (leads) gets a new key if it later links to a shop customer.
-#}

-- A table: a transitive closure and several self-joins over every customer record, read by
-- int_customers__keyed, dim_customers, the vault and the precision/recall test.
{{ config(materialized='table') }}

{#- One person is one shop account and, at most, a few CRM copies: 3 records at scale 1. -#}
{%- set max_records_per_value = 5 -%}
{%- set match_rules = ['email', 'phone', 'name_postcode', 'name_birth_date'] -%}
{#- What a record of either system is compared by, in one order for both sides of the union. -#}
{%- set compared_columns = [
    'email', 'phone', 'first_name', 'last_name', 'postcode', 'country_code', 'birth_date'
] -%}

with recursive

customers as (
    select * from {{ ref('stg_shop__customers') }}
),

contacts as (
    select * from {{ ref('int_contacts__deduplicated') }}
),

records as (
    select
        'shop' as source_system,
        cast(customer_id as {{ dbt.type_string() }}) as source_record_id,
        customer_id,
        {%- for column in compared_columns %}
        {{ column }},
        {%- endfor %}
        _load_id
    from customers

    union all

    select
        'crm' as source_system,
        contact_id as source_record_id,
        cast(null as {{ dbt.type_bigint() }}) as customer_id,
        {%- for column in compared_columns %}
        {{ column }},
        {%- endfor %}
        _load_id
    from contacts
),

normalized as (
    select
        {{ dbt.concat(['source_system', "':'", 'source_record_id']) }} as source_record_key,
        source_system,
        source_record_id,
        customer_id,
        -- standardized and masked in staging: compared as they come, empty as unknown
        nullif(email, '') as email,
        nullif(phone, '') as phone,
        nullif(first_name, '') as first_name_key,
        nullif(last_name, '') as last_name_key,
        nullif(postcode, '') as postcode_key,
        country_code,
        nullif(birth_date, '') as birth_date,
        _load_id
    from records
),

named as (
    select
        *,
        case
            when first_name_key is not null and last_name_key is not null
                then {{ dbt.concat([
                    'least(first_name_key, last_name_key)',
                    "' '",
                    'greatest(first_name_key, last_name_key)',
                ]) }}
        end as full_name_key
    from normalized
),

-- every value a record can be matched on, one row per record and rule
match_values as (
    select
        source_record_key,
        source_system,
        'email' as match_rule,
        email as match_value
    from named
    where email is not null

    union all

    select
        source_record_key,
        source_system,
        'phone' as match_rule,
        phone as match_value
    from named
    where phone is not null

    union all

    select
        source_record_key,
        source_system,
        'name_postcode' as match_rule,
        {{ dbt.concat(['full_name_key', "'|'", 'country_code', "'|'", 'postcode_key']) }}
            as match_value
    from named
    where full_name_key is not null and country_code is not null and postcode_key is not null

    union all

    select
        source_record_key,
        source_system,
        'name_birth_date' as match_rule,
        {{ dbt.concat(['full_name_key', "'|'", 'birth_date']) }} as match_value
    from named
    where full_name_key is not null and birth_date is not null
),

value_usage as (
    select
        match_rule,
        match_value,
        count(*) as record_count,
        sum(case when source_system = 'shop' then 1 else 0 end) as shop_record_count
    from match_values
    group by match_rule, match_value
),

-- guard (a): only values that few records share, and at most one shop customer
usable_values as (
    select match_values.*
    from match_values
    inner join value_usage using (match_rule, match_value)
    where
        value_usage.record_count between 2 and {{ max_records_per_value }}
        and value_usage.shop_record_count <= 1
),

candidate_pairs as (
    select
        contact_values.source_record_key as record_key,
        other_values.source_record_key as other_record_key,
        contact_values.match_rule
    from usable_values as contact_values
    inner join usable_values as other_values
        on
            contact_values.match_rule = other_values.match_rule
            and contact_values.match_value = other_values.match_value
    where
        contact_values.source_system = 'crm'
        and (
            other_values.source_system = 'shop'
            or (
                other_values.source_system = 'crm'
                and contact_values.source_record_key < other_values.source_record_key
            )
        )
),

-- guards (b) and (c), on each pair
vetted_pairs as (
    select
        candidate_pairs.record_key,
        candidate_pairs.other_record_key,
        case candidate_pairs.match_rule
            {%- for rule in match_rules %}
            when '{{ rule }}' then {{ loop.index }}
            {%- endfor %}
        end as rule_rank,
        case
            when record_a.birth_date != record_b.birth_date then 'birth_date_conflict'
            when
                candidate_pairs.match_rule in ('email', 'phone')
                and record_a.first_name_key not in (record_b.first_name_key, record_b.last_name_key)
                and record_a.last_name_key not in (record_b.first_name_key, record_b.last_name_key)
                then 'no_common_name'
        end as veto
    from candidate_pairs
    inner join named as record_a
        on candidate_pairs.record_key = record_a.source_record_key
    inner join named as record_b
        on candidate_pairs.other_record_key = record_b.source_record_key
),

-- one row per linked pair, with the strongest rule that links it
links as (
    select
        record_key,
        other_record_key,
        min(rule_rank) as rule_rank
    from vetted_pairs
    where veto is null
    group by record_key, other_record_key
),

edges as (
    select
        record_key as from_key,
        other_record_key as to_key,
        rule_rank
    from links

    union all

    select
        other_record_key as from_key,
        record_key as to_key,
        rule_rank
    from links
),

-- guard (d), first half: the transitive closure, every record with every record it reaches
reachable as (
    select
        source_record_key as record_key,
        source_record_key as reached_key
    from named

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
            distinct case when named.source_system = 'shop' then reachable.reached_key end
        ) as shop_record_count,
        min(case when named.source_system = 'shop' then reachable.reached_key end)
            as shop_record_key,
        min(case when named.source_system = 'crm' then reachable.reached_key end)
            as crm_record_key
    from reachable
    inner join named
        on reachable.reached_key = named.source_record_key
    group by reachable.record_key
),

-- each CRM contact's strongest direct link to a shop customer, for guard (d)
direct_shop_links as (
    select
        edges.from_key as record_key,
        edges.to_key as shop_record_key,
        row_number() over (
            partition by edges.from_key
            order by edges.rule_rank, edges.to_key
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
            -- guard (d), second half: never two shop customers under one key
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

-- the strongest rule that links each record to another record under the same key
record_rules as (
    select
        anchored.record_key,
        min(edges.rule_rank) as rule_rank
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
        named.source_record_key,
        named.source_system,
        named.source_record_id,
        {{ dbt.hash('anchored.anchor_record_key') }} as customer_key,
        anchor_record.customer_id as resolved_customer_id,

        -- how the record was resolved
        case record_rules.rule_rank
            {%- for rule in match_rules %}
            when {{ loop.index }} then '{{ rule }}'
            {%- endfor %}
            else 'self'
        end as match_rule,
        anchored.has_conflicting_links,

        -- lineage
        named._load_id
    from named
    inner join anchored
        on named.source_record_key = anchored.record_key
    inner join named as anchor_record
        on anchored.anchor_record_key = anchor_record.source_record_key
    left join record_rules
        on named.source_record_key = record_rules.record_key
)

select * from final
