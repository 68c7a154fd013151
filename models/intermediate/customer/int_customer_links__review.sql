{#-
    The pairs a person should look at, not yet decided by a reviewer: scored by the linkage
    between the review floor and ceiling (`customer_review_floor`, `customer_review_ceiling`),
    where the model is least sure, and those above the floor that agree on nothing of the
    person's own (`agrees_on_person`), which the model never links alone. Each row says what the model did with the pair
    (linked it or not, at `customer_match_threshold`) and which comparison levels decided
    its score. Ids only: a reviewer with access to the vault looks the two records up in
    restricted.pii_customer_records, and writes `match` or `no_match` for the pair into the
    customer_link_decisions seed, which overrides the model on the next build.
-#}

with

scored_pairs as (
    select * from {{ ref('int_customer_pairs__scored') }}
),

decisions as (
    select * from {{ ref('customer_link_decisions') }}
),

undecided as (
    select scored_pairs.*
    from scored_pairs
    left join decisions
        on
            (
                scored_pairs.record_key = decisions.record_key
                and scored_pairs.other_record_key = decisions.other_record_key
            )
            or (
                scored_pairs.record_key = decisions.other_record_key
                and scored_pairs.other_record_key = decisions.record_key
            )
    where
        decisions.decision is null
        and scored_pairs.match_probability >= {{ var('customer_review_floor') }}
        and (
            scored_pairs.match_probability < {{ var('customer_review_ceiling') }}
            -- sure of a household, not of a person: never linked without a reviewer
            or not scored_pairs.agrees_on_person
        )
),

final as (
    select
        -- ids
        record_key,
        other_record_key,

        -- the model's score and what it made of it
        match_probability,
        match_weight,
        agrees_on_person,
        match_probability >= {{ var('customer_match_threshold') }}
        and agrees_on_person as is_linked_by_model,

        -- the comparison levels that decided the score
        given_name_level,
        family_name_level,
        birth_date_level,
        address_level,
        email_level,
        phone_level,

        -- lineage
        _load_id
    from undecided
)

select * from final
