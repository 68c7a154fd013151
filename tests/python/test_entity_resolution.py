"""Entity resolution against the generator's ground truth: pairwise precision and recall.

The generator knows which shop customer and which CRM contacts are one person
(ground_truth/identity.csv: system, record_id, person_id). int_customers__resolved says which
records share a `customer_key`. Both are compared as sets of record pairs:

- predicted pairs: two records with one customer_key;
- true pairs: two records with one person_id;

each pair being a CRM contact with a shop customer, or two CRM contacts (two shop customers are
never one person in the sandbox, and the resolution never pairs them). Both sides are restricted
to the records the warehouse resolved: a contact whose every export was quarantined (an
unparseable date, a line the CSV reader rejected) is not there to be resolved.

Run with `pytest -s` to see the numbers; they are in the assertion messages too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tests.python.conftest import BuiltWarehouse

MIN_PRECISION = 0.99
MIN_RECALL = 0.95

# What both measures start from, the one parameter being identity.csv: each record the
# warehouse resolved (`resolved`), and those of them the ground truth knows, with their person
# (`records`).
RECORDS_CTES = """
truth as (
    select system as source_system, record_id as source_record_id, person_id
    from read_csv(?, header = true, all_varchar = true)
),

resolved as (
    select source_system, source_record_id, customer_key, match_rule
    from intermediate.int_customers__resolved
),

records as (
    select resolved.*, truth.person_id
    from resolved
    inner join truth using (source_system, source_record_id)
)"""

# Which two records make a pair (the docstring's): a CRM contact with a shop customer, or two
# CRM contacts, each pair once.
PAIR = """left_record.source_system = 'crm'
        and (
            right_record.source_system = 'shop'
            or left_record.source_record_id < right_record.source_record_id
        )"""

PAIRS_SQL = f"""
with

{RECORDS_CTES},

predicted as (
    select left_record.person_id = right_record.person_id as is_true
    from records as left_record
    inner join records as right_record
        on left_record.customer_key = right_record.customer_key
    where {PAIR}
),

actual as (
    select left_record.source_record_id
    from records as left_record
    inner join records as right_record
        on left_record.person_id = right_record.person_id
    where {PAIR}
)

select
    (select count(*) from predicted) as predicted,
    (select count(*) from actual) as actual,
    (select count(*) from predicted where is_true) as correct,
    (select count(*) from resolved) as resolved_records,
    (select count(*) from records) as measured_records
"""

RULES_SQL = f"""
with

{RECORDS_CTES},

-- each CRM contact against the other records of its key: are they all the same person?
contacts as (
    select
        contact.source_record_id,
        contact.match_rule,
        bool_and(other.person_id is null or other.person_id = contact.person_id) as is_clean
    from records as contact
    left join records as other
        on contact.customer_key = other.customer_key and contact.person_id != other.person_id
    where contact.source_system = 'crm'
    group by contact.source_record_id, contact.match_rule
)

select match_rule, count(*) as contacts, count(*) filter (where is_clean) as clean_contacts
from contacts
group by match_rule
order by match_rule
"""


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
            f"entity resolution: precision {self.precision:.4f} "
            f"({self.correct:,} of {self.predicted:,} predicted pairs), "
            f"recall {self.recall:.4f} ({self.correct:,} of {self.actual:,} true pairs), "
            f"over {self.measured_records:,} of {self.resolved_records:,} resolved records"
        )


def pairwise_score(warehouse: Path, identity_csv: Path) -> PairwiseScore:
    """Precision and recall of the warehouse's resolution, read-only; the truth stays a file."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        row = connection.execute(PAIRS_SQL, [str(identity_csv)]).fetchone()
    return PairwiseScore(*(int(value) for value in row))


def contacts_by_rule(warehouse: Path, identity_csv: Path) -> list[tuple[str, int, int]]:
    """(match_rule, CRM contacts, those whose key holds no other person), per rule."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(RULES_SQL, [str(identity_csv)]).fetchall()


def test_resolution_meets_precision_and_recall_at_scale_one(
    scale_one: BuiltWarehouse, report: Callable[[str], None]
) -> None:
    identity = scale_one.sandbox.ground_truth / "identity.csv"
    score = pairwise_score(scale_one.warehouse, identity)
    report(f"scale 1 {score}")
    for rule, contacts, clean in contacts_by_rule(scale_one.warehouse, identity):
        report(f"  {rule:<16} {contacts:>6,} CRM contacts, {clean:>6,} under a key of one person")

    assert score.measured_records > 0.99 * score.resolved_records, score
    assert score.precision >= MIN_PRECISION, score
    assert score.recall >= MIN_RECALL, score
