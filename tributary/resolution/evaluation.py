"""How well entity resolution finds people: pairwise precision and recall against a ground
truth, for the warehouse's resolution and for the exact-match rules it replaced.

The ground truth (the sandbox's ground_truth/identity.csv: system, record_id, person_id) says
which records are one person. A resolution says which records share a `customer_key`. Both are
compared as sets of record pairs, each a CRM contact with a shop customer or two CRM contacts
(two shop accounts are never one customer), restricted to the records both know: a contact
whose every export was quarantined is not there to be resolved.

The baseline is the rule set the linkage replaced, run on the same records: records link when
their email, E.164 phone, order-insensitive full name and postcode, or full name and birth
date are exactly equal; a value held by more than 5 records or by two shop customers links
nothing; known birth dates that differ veto a link; an email or phone links only records that
share a name part; linked records share a key, never two shop customers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

MAX_RECORDS_PER_VALUE = 5
OLD_RULES = ("email", "phone", "name_postcode", "name_birth_date")

# Pairs of records that share a key in `keys` (source_record_key, customer_key), against pairs
# of one person in `truth` (source_record_key, person_id); parameters: none.
PAIRWISE_SQL = """
with

records as (
    select keys.source_record_key, keys.customer_key, truth.person_id,
        split_part(keys.source_record_key, ':', 1) as source_system
    from keys
    inner join truth using (source_record_key)
),

predicted as (
    select left_record.person_id = right_record.person_id as is_true
    from records as left_record
    inner join records as right_record
        on left_record.customer_key = right_record.customer_key
    where {pair}
),

actual as (
    select 1
    from records as left_record
    inner join records as right_record
        on left_record.person_id = right_record.person_id
    where {pair}
)

select
    (select count(*) from predicted),
    (select count(*) from actual),
    (select count(*) from predicted where is_true),
    (select count(*) from keys),
    (select count(*) from records)
"""

# Which two records make a pair: a CRM contact with a shop customer, or two CRM contacts, once.
PAIR = """left_record.source_system = 'crm'
        and (
            right_record.source_system = 'shop'
            or left_record.source_record_key < right_record.source_record_key
        )"""


@dataclass(frozen=True)
class PairwiseScore:
    predicted: int
    actual: int
    correct: int
    resolved_records: int
    measured_records: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.actual if self.actual else 1.0

    def __str__(self) -> str:
        return (
            f"precision {self.precision:.4f} ({self.correct:,} of {self.predicted:,} "
            f"predicted pairs), recall {self.recall:.4f} ({self.correct:,} of "
            f"{self.actual:,} true pairs), over {self.measured_records:,} of "
            f"{self.resolved_records:,} resolved records"
        )


def read_truth(identity_csv: Path) -> pa.Table:
    """The ground truth as (source_record_key, person_id)."""
    with duckdb.connect() as connection:
        return connection.execute(
            "select system || ':' || record_id as source_record_key, person_id"
            " from read_csv(?, header = true, all_varchar = true)",
            [str(identity_csv)],
        ).to_arrow_table()


def pairwise_score(keys: pa.Table, truth: pa.Table) -> PairwiseScore:
    """Precision and recall of a resolution: `keys` is (source_record_key, customer_key)."""
    with duckdb.connect() as connection:
        connection.register("keys", keys)
        connection.register("truth", truth)
        row = connection.execute(PAIRWISE_SQL.format(pair=PAIR)).fetchone()
    return PairwiseScore(*(int(value) for value in row))


def old_rules_keys(records: pa.Table) -> pa.Table:
    """The exact-match rules' resolution of `records` (pii_customer_records' columns), as
    (source_record_key, customer_key): the baseline the linkage is measured against."""
    with duckdb.connect() as connection:
        connection.register("records", records)
        links = connection.execute(_OLD_RULES_SQL).fetchall()
        keys = [
            row[0] for row in connection.execute("select source_record_key from records").fetchall()
        ]
    anchor = _clusters_without_two_shop_accounts(keys, links)
    return pa.table({"source_record_key": keys, "customer_key": [anchor[key] for key in keys]})


_OLD_RULES_SQL = f"""
with

named as (
    select *,
        least(first_name_key, last_name_key) || ' ' || greatest(first_name_key, last_name_key)
            as sorted_name
    from records
),

match_values as (
    select source_record_key, source_system, 1 as rule_rank, email as match_value
    from named where email is not null
    union all
    select source_record_key, source_system, 2, phone from named where phone is not null
    union all
    select
        source_record_key, source_system, 3,
        sorted_name || '|' || country_code || '|' || postcode_key
    from named where sorted_name is not null and postcode_key is not null
    union all
    select source_record_key, source_system, 4, sorted_name || '|' || cast(birth_date as varchar)
    from named where sorted_name is not null and birth_date is not null
),

usable_values as (
    select *
    from match_values
    qualify
        count(*) over (partition by rule_rank, match_value) between 2 and {MAX_RECORDS_PER_VALUE}
        and count(*) filter (where source_system = 'shop')
            over (partition by rule_rank, match_value) <= 1
)

select a.source_record_key, b.source_record_key, min(a.rule_rank)
from usable_values as a
inner join usable_values as b
    on a.rule_rank = b.rule_rank and a.match_value = b.match_value
inner join named as record_a on a.source_record_key = record_a.source_record_key
inner join named as record_b on b.source_record_key = record_b.source_record_key
where
    a.source_system = 'crm'
    and (b.source_system = 'shop' or a.source_record_key < b.source_record_key)
    and not coalesce(record_a.birth_date != record_b.birth_date, false)
    and (
        a.rule_rank > 2
        or record_a.first_name_key in (record_b.first_name_key, record_b.last_name_key)
        or record_a.last_name_key in (record_b.first_name_key, record_b.last_name_key)
    )
group by all
"""


def _clusters_without_two_shop_accounts(
    keys: list[str], links: list[tuple[str, str, int]]
) -> dict[str, str]:
    """Each record's anchor: the shop account of its linked group, else its smallest CRM
    key; in a group reaching several shop accounts, a contact keeps its strongest direct
    link to one of them (or stands alone), as the old model did."""
    parent = {key: key for key in keys}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for left, right, _ in links:
        if left in parent and right in parent:
            parent[root(left)] = root(right)
    members: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        members[root(key)].append(key)
    strongest_shop_link: dict[str, tuple[int, str]] = {}
    for left, right, rank in links:
        if right.startswith("shop:"):
            strongest_shop_link[left] = min(
                strongest_shop_link.get(left, (rank, right)), (rank, right)
            )
    anchor: dict[str, str] = {}
    for group in members.values():
        shops = sorted(key for key in group if key.startswith("shop:"))
        default = shops[0] if shops else min(group)
        for key in group:
            if len(shops) <= 1:
                anchor[key] = default
            elif key.startswith("shop:"):
                anchor[key] = key
            else:
                anchor[key] = strongest_shop_link.get(key, (0, key))[1]
    return anchor
