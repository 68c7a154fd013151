"""Entity resolution against the generator's ground truth: pairwise precision and recall.

The generator knows which shop customer and which CRM contacts are one person
(ground_truth/identity.csv); int_customers__resolved says which records share a
`customer_key`. tributary/resolution/evaluation.py compares both as sets of record pairs, and
runs the exact-match rules the linkage replaced on the same records, whose recall is printed
beside (not asserted: it is the baseline). At scale 1 on the noisy sandbox the issue asks for
precision >= 0.995 and recall >= 0.98; the test fails under 0.99 / 0.95 (bench/README.md has
the measured numbers).

Run with `pytest -s` to see the numbers; they are in the assertion messages too.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa

from tests.python.conftest import BuiltWarehouse, Workspace, dbt
from tributary import config
from tributary.cli.load import load_sources
from tributary.resolution.evaluation import (
    old_rules_keys,
    pairwise_score,
    read_truth,
)

MIN_PRECISION = 0.99
MIN_RECALL = 0.95


def _table(database: str, sql: str) -> pa.Table:
    with duckdb.connect(database, read_only=True) as connection:
        return connection.execute(sql).to_arrow_table()


def test_resolution_meets_precision_and_recall_at_scale_one(
    scale_one: BuiltWarehouse, report: Callable[[str], None]
) -> None:
    truth = read_truth(scale_one.sandbox.ground_truth / "identity.csv")
    warehouse = str(scale_one.warehouse)
    keys = _table(
        warehouse,
        "select source_record_key, customer_key from intermediate.int_customers__resolved",
    )
    score = pairwise_score(keys, truth)
    vault = str(config.restricted_warehouse_path(scale_one.warehouse))
    records = _table(vault, "select * from restricted.pii_customer_records")
    baseline = pairwise_score(old_rules_keys(records), truth)
    report(f"entity resolution at scale 1, linkage:  {score}")
    report(f"entity resolution at scale 1, old rules: {baseline}")
    linked_by = _table(
        warehouse,
        "select linked_by, count(*) as records from intermediate.int_customers__resolved"
        " group by linked_by order by linked_by",
    ).to_pylist()
    report(
        "  records by what linked them: "
        + ", ".join(f"{r['linked_by']} {r['records']:,}" for r in linked_by)
    )

    assert score.measured_records > 0.99 * score.resolved_records, score
    assert score.precision >= MIN_PRECISION, score
    assert score.recall >= MIN_RECALL, score


def test_a_contact_with_an_impossible_birth_date_still_resolves(
    scale_one: BuiltWarehouse,
) -> None:
    """Field-level quarantine: the birth date is nulled with its reason, the contact keeps
    its key (and, where the truth has one, the person's)."""
    vault = str(config.restricted_warehouse_path(scale_one.warehouse))
    with duckdb.connect(str(scale_one.warehouse), read_only=True) as connection:
        connection.execute(f"attach '{vault}' as vault (read_only)")
        issues = connection.execute(
            """
            select records.birth_date_issue, count(*) as contacts,
                count(resolved.customer_key) as with_key,
                count(*) filter (where records.birth_date is null) as birth_date_null
            from vault.restricted.pii_customer_records as records
            left join intermediate.int_customers__resolved as resolved using (source_record_key)
            where records.birth_date_issue is not null
            group by records.birth_date_issue
            """
        ).fetchall()
    by_issue = {issue: (contacts, keyed, nulled) for issue, contacts, keyed, nulled in issues}
    assert "impossible" in by_issue, by_issue
    for issue, (contacts, keyed, nulled) in by_issue.items():
        assert keyed == contacts == nulled, (issue, by_issue)


def test_a_crm_country_without_a_date_format_fails_the_build_naming_it(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Canada is a country the seeds know (countries, country_aliases) but crm_date_formats
    does not: its contacts' dates would all be read as ISO and the contacts quarantined. The
    build must stop, naming the country, instead of staying green."""
    exports = sorted(workspace.sandbox.crm_dir.glob("contacts_*.csv"))
    columns = exports[0].read_text(encoding="utf-8", errors="replace").splitlines()[0].split(",")
    contact = {
        "contact_id": "CRM-9999999",
        "first_name": "Jeanne",
        "last_name": "Tremblay",
        "street": "1200 Rue Sainte-Catherine",
        "city": "Montreal",
        "postcode": "H3B 1K9",
        "country": "Canada",
        "birth_date": "25/12/1980",
        "created_date": "07/11/2024",
        "lead_source": "webinar",
        "marketing_opt_in": "yes",
        "last_modified": "2099-01-01T10:00:00",
    }
    row = [contact.get(column, "") for column in columns]
    written = io.StringIO()
    csv.writer(written, lineterminator="\n").writerows([columns, row])
    (workspace.sandbox.crm_dir / "contacts_2099-01-01.csv").write_text(written.getvalue())
    [loaded] = load_sources(["crm"], workspace.warehouse, progress=lambda _: None)
    assert loaded.outcome == "loaded"

    build = dbt(
        "build", "--select", "+stg_crm__contacts", "--indirect-selection", "cautious",
        target_dir=tmp_path / "target",
    )  # fmt: skip

    output = " ".join(build.stdout.split())
    assert build.returncode != 0, output[-3000:]
    assert "CRM contacts from CA (1 rows) have no date format" in output, output[-3000:]
    assert "crm_date_formats" in output
