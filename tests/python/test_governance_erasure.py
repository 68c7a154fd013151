"""The right to erasure, end to end: a customer who asks to be forgotten on the next business
day leaves no readable email or phone anywhere (any relation of the warehouse or the vault, any
file of the cold archive) once the next run (load, erasure, build) is done.

What the person's traces are comes from the generator's ground truth, not from the platform:
every record of that person in the shop and the CRM (identity.csv), and every email and phone
number any of those records ever had in the landing zone, as typed.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from sandbox.generator import next_day
from tests.python.conftest import NEXT_RUN_BUILD, ROOT, BuiltWarehouse, Workspace, dbt
from tests.python.helpers import shop_rows, warehouse_rows
from tributary.cli.load import load_sources
from tributary.config import SOURCE_NAMES, restricted_warehouse_path


def governance(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tributary", "governance", *args, "--no-parse"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )


def build(target: Path) -> None:
    """The next run's build (conftest.NEXT_RUN_BUILD)."""
    run = dbt(*NEXT_RUN_BUILD, "--log-path", str(target), target_dir=target)
    assert run.returncode == 0, run.stdout[-4000:]


@dataclass(frozen=True)
class Traces:
    """An erased person's emails (lower-cased), and the last 8 digits of their phone numbers,
    which every way of typing a number contains, with or without its calling code."""

    emails: frozenset[str]
    phone_digits: frozenset[str]
    crm_records: int

    def patterns(self) -> list[str]:
        """Regular expressions for both, a phone's digits apart by up to two separators."""
        phones = ["[^0-9a-z]{0,2}".join(digits) for digits in sorted(self.phone_digits)]
        return [re.escape(email) for email in sorted(self.emails)] + phones


def traces_of(
    workspace: Workspace, customer_ids: set[int], accounts: dict[int, tuple[str, str]]
) -> Traces:
    """Every email and phone of every record of the people behind `customer_ids`, as the
    ground truth and the sources know them (`accounts`: the shop's before it blanked them)."""
    with (workspace.sandbox.ground_truth / "identity.csv").open() as identity_file:
        identity = list(csv.DictReader(identity_file))
    people = {
        r["person_id"]
        for r in identity
        if r["system"] == "shop" and int(r["record_id"]) in customer_ids
    }
    records = {(r["system"], r["record_id"]) for r in identity if r["person_id"] in people}
    values: list[tuple[str | None, str | None]] = [
        # an account opened and erased on the same new day was never loaded: no trace
        accounts.get(int(rid), (None, None))
        for system, rid in records
        if system == "shop"
    ]
    crm_ids = {rid for system, rid in records if system == "crm"}
    for path in sorted(workspace.sandbox.crm_dir.glob("*.csv")):
        with path.open(encoding="utf-8", errors="replace", newline="") as export:
            for row in csv.DictReader(export):
                if (row.get("contact_id") or "").strip() in crm_ids:
                    values.append((row.get("email"), row.get("phone")))
    emails = {(email or "").strip().lower() for email, _ in values}
    digits = {re.sub(r"[^0-9]", "", phone or "") for _, phone in values}
    return Traces(
        emails=frozenset(e for e in emails if e),
        phone_digits=frozenset(d[-8:] for d in digits if len(d) >= 8),
        crm_records=len(crm_ids),
    )


def found_in_warehouse(database: Path, traces: Traces) -> list[str]:
    """Every relation and column of `database` (main and vault files alike) holding a trace."""
    pattern = "|".join(traces.patterns()).replace("'", "''")
    hits: list[str] = []
    with duckdb.connect(str(database), read_only=True) as connection:
        columns = connection.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            " where data_type in ('VARCHAR', 'JSON') and table_schema <> 'information_schema'"
        ).fetchall()
        by_relation: dict[tuple[str, str], list[str]] = {}
        for schema, table, column in columns:
            by_relation.setdefault((schema, table), []).append(column)
        # one scan per relation, counting the matches of each of its text columns
        for (schema, table), names in by_relation.items():
            counts = ", ".join(
                f'count(*) filter (where regexp_matches(lower(cast("{name}" as varchar)),'
                f" '{pattern}'))"
                for name in names
            )
            found = connection.execute(f'select {counts} from "{schema}"."{table}"').fetchone()
            hits += [
                f"{database.name}:{schema}.{table}.{name} ({rows} rows)"
                for name, rows in zip(names, found, strict=True)
                if rows
            ]
    return hits


def found_in_archive(archive: Path, traces: Traces) -> list[str]:
    """Every archive file holding a trace in any column."""
    pattern = re.compile("|".join(traces.patterns()))
    hits: list[str] = []
    with duckdb.connect() as connection:
        for path in sorted(archive.rglob("*.parquet")):
            rows = connection.execute(f"select * from read_parquet('{path}')").fetchall()
            if any(pattern.search(str(value).lower()) for row in rows for value in row if value):
                hits.append(str(path.relative_to(archive)))
    return hits


def test_an_erased_customer_leaves_no_trace_after_the_next_run(
    built_sandbox: BuiltWarehouse,
    built_workspace: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workspace = built_workspace
    archive = tmp_path / "archive"
    monkeypatch.setenv("TRIBUTARY_ARCHIVE_DIR", str(archive))
    vault = restricted_warehouse_path(workspace.warehouse)
    # The governance commands read the manifest of the build they follow, as a run's do (the
    # project does not change in this test, so a parse of their own would find the same).
    target = tmp_path / "target"
    target.mkdir()
    shutil.copyfile(built_sandbox.target / "manifest.json", target / "manifest.json")

    # A first run (the session's load and build, copied; then erasure as every run has it),
    # then the CRM's exports go to the cold archive (retention with a "today" years ahead,
    # for this table only), so that erasure has an archive to reach too.
    first_erasure = governance("erasure", "--target-path", str(target))
    assert first_erasure.returncode == 0, first_erasure.stdout + first_erasure.stderr
    tiered = governance("retention", "--target-path", str(target), "--today", "2031-01-01",
                        "--only", "raw_crm.contacts")  # fmt: skip
    assert tiered.returncode == 0, tiered.stdout + tiered.stderr
    assert any(archive.rglob("*.parquet"))

    # The next business day erases a few customers; their traces, as the ground truth knows
    # them, are in the raw tables, the vault and the archive now.
    requests = "select customer_id from erasure_requests"
    erased_before = {row[0] for row in shop_rows(workspace.sandbox, requests)}
    accounts = {
        customer_id: (email, phone)
        for customer_id, email, phone in shop_rows(
            workspace.sandbox, "select customer_id, email, phone from customers"
        )
    }
    next_day(workspace.sandbox.root, progress=lambda _: None)
    erased_now = {row[0] for row in shop_rows(workspace.sandbox, requests)}
    newly_erased = erased_now - erased_before
    assert newly_erased
    traces = traces_of(workspace, newly_erased, accounts)
    assert traces.emails and traces.phone_digits
    assert found_in_warehouse(vault, traces)
    if traces.crm_records:
        assert found_in_archive(archive, traces)

    # Entity resolution linked their records (the linkage's pairs name the shop accounts).
    erased_keys = {f"shop:{customer_id}" for customer_id in newly_erased}
    pairs_sql = "select other_record_key from intermediate.int_customer_pairs__scored"
    if traces.crm_records:
        assert erased_keys & {key for (key,) in warehouse_rows(workspace.warehouse, pairs_sql)}

    # The next run: load, erasure, build.
    load_sources(list(SOURCE_NAMES), workspace.warehouse, progress=lambda _: None)
    erasure = governance("erasure", "--target-path", str(target))
    assert erasure.returncode == 0, erasure.stdout + erasure.stderr
    build(tmp_path / "build")

    assert found_in_warehouse(workspace.warehouse, traces) == []
    assert found_in_warehouse(vault, traces) == []
    assert found_in_archive(archive, traces) == []
    # and their links are gone: the linkage reads the vault's records, which erasure emptied
    assert not erased_keys & {key for (key,) in warehouse_rows(workspace.warehouse, pairs_sql)}

    # Logged: each declared table, the vault and the rewritten archive files.
    logged = dict(
        warehouse_rows(
            workspace.warehouse,
            "select relation, sum(rows_affected) from audit.governance_actions"
            " where action like 'erasure_%' group by relation",
        )
    )
    if traces.crm_records:
        assert logged["archive:raw_crm.contacts"] > 0
    assert logged["restricted.pii_customers"] > 0
    assert {"raw_crm.contacts", "raw_shop.customers", "raw_shop.shipments"} <= set(logged)

    # Honoured again on the run after: nothing left to erase, nothing erased twice.
    again = governance("erasure", "--target-path", str(target))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 rows deleted or anonymized" in again.stdout
