"""Privacy as enforced on real builds: masking against the vault, access to the vault, the
unmasked-PII scan (that it passes, and that it fails on a planted leak), and retention tiering
with a controllable "today".

The session build (`built_sandbox`, the `ci` target) is read, never changed: a test that
writes works on a copy of its warehouse files.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from tests.python.conftest import BuiltWarehouse, Workspace, dbt, run_dbt
from tests.python.helpers import warehouse_count
from tributary.config import restricted_warehouse_path
from tributary.governance.erasure import SANDBOX_SALT, to_e164, token

ROOT = Path(__file__).resolve().parents[2]


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def copy_built(built: BuiltWarehouse, destination: Path) -> dict[str, str]:
    """Copies of the warehouse and its vault under `destination`; an environment using them."""
    destination.mkdir(parents=True, exist_ok=True)
    warehouse = destination / "tributary.duckdb"
    shutil.copy(built.warehouse, warehouse)
    shutil.copy(restricted_warehouse_path(built.warehouse), restricted_warehouse_path(warehouse))
    return dict(
        built.env,
        TRIBUTARY_WAREHOUSE_PATH=str(warehouse),
        TRIBUTARY_CI_WAREHOUSE_PATH=str(warehouse),
        TRIBUTARY_ARCHIVE_DIR=str(destination / "archive"),
    )


def test_staging_masks_exactly_what_the_vault_keeps_readable(built_sandbox: BuiltWarehouse) -> None:
    salt = os.environ.get("TRIBUTARY_PII_SALT", SANDBOX_SALT)
    vault = restricted_warehouse_path(built_sandbox.warehouse)
    with duckdb.connect(str(built_sandbox.warehouse), read_only=True) as connection:
        connection.execute(f"attach '{vault}' as restricted (read_only)")
        pairs = connection.execute(
            """
            select vault.email, vault.phone, staged.email, staged.phone, raw.phone,
                countries.calling_code, countries.trunk_prefix
            from restricted.restricted.pii_customers as vault
            inner join staging.stg_shop__customers as staged
                on vault.source_record_id = cast(staged.customer_id as varchar)
            inner join raw_shop.customers as raw on staged.customer_id = raw.customer_id
            left join staging.countries as countries
                on upper(trim(raw.country_code)) = countries.country_code
            where vault.source_system = 'shop'
            """
        ).fetchall()
        customers, erased = connection.execute(
            "select count(*), count(*) filter (where customer_id in"
            " (select customer_id from raw_shop.erasure_requests)) from raw_shop.customers"
        ).fetchone()
    # every account but the erased ones, which the vault leaves out
    assert len(pairs) == customers - erased > 200  # the test sandbox has 250 accounts
    readable = [p for p in pairs if p[0] is not None]
    assert len(readable) == len(pairs)
    # The vault holds the readable values; staging the salted SHA-256 of exactly those values
    # (the tokens erasure computes too), and nothing where the vault has nothing.
    assert all("@" in email for email, *_ in readable)
    assert [(token(e, salt), token(p, salt)) for e, p, *_ in pairs] == [
        (se, sp) for _, _, se, sp, *_ in pairs
    ]
    # The Python reading of phones (erasure's, for raw rows staging has not seen) is the
    # to_e164 macro's, number for number.
    assert [to_e164(raw, code, trunk) for *_, raw, code, trunk in pairs] == [
        phone for _, phone, *_ in pairs
    ]


def test_only_the_runners_targets_attach_the_vault(
    built_sandbox: BuiltWarehouse, tmp_path: Path
) -> None:
    env = dict(built_sandbox.env)

    def show(sql: str) -> subprocess.CompletedProcess:
        return run_dbt("show", "--target", "analyst", "--inline", sql, "--quiet",
                       env=env, target_dir=tmp_path / "target")  # fmt: skip

    marts = show("select count(*) as customers from marts.dim_customers")
    assert marts.returncode == 0, marts.stdout + marts.stderr
    customers = warehouse_count(built_sandbox.warehouse, "marts.dim_customers")
    assert customers > 0 and re.search(rf"\b{customers}\b", marts.stdout), marts.stdout

    vault = show("select count(*) as people from restricted.restricted.pii_customers")
    assert vault.returncode != 0
    assert "restricted" in (vault.stdout + vault.stderr).lower()
    # The warehouse file itself holds no relation of the vault: it is another file.
    with duckdb.connect(str(built_sandbox.warehouse), read_only=True) as connection:
        schemas = {
            row[0]
            for row in connection.execute("select schema_name from duckdb_schemas()").fetchall()
        }
    assert "restricted" not in schemas


def test_the_unmasked_pii_scan_passes_on_the_build(built_sandbox: BuiltWarehouse) -> None:
    # the session's build ran the post-build checks after it, as `make demo` does
    results = json.loads((built_sandbox.post_build_target / "run_results.json").read_text())
    assert {
        r["unique_id"]: r["status"]
        for r in results["results"]
        if r["unique_id"].startswith("test.")
    } == {"test.tributary.assert_no_unmasked_pii": "pass"}
    compiled = next(
        (built_sandbox.post_build_target / "compiled").rglob("assert_no_unmasked_pii.sql")
    )
    scanned = compiled.read_text()
    # every layer outside the vault and raw_* is read, staging's masked personal data included
    for relation in ('"staging"."stg_shop__customers"', '"intermediate"."int_contacts__checked"',
                     '"marts"."dim_customers"', '"snapshots"."snap_customers"'):  # fmt: skip
        assert relation in scanned
    assert '"raw_shop"' not in scanned and '"restricted"' not in scanned


def test_the_unmasked_pii_scan_fails_on_a_leak(built_workspace: Workspace, tmp_path: Path) -> None:
    # On a copy of the test-scale build: what the scan finds does not depend on the scale, and
    # reading every text column of the built warehouse again would take minutes.
    warehouse = built_workspace.warehouse
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "create table marts.leak_probe as select 'write to jane.doe@example.com' as note,"
            " '(415) 555-0142' as phone_text, 'c870dcc3f70becf2dc6a' as masked"
        )
    # a readable email in the vault is the vault's point: not a leak
    with duckdb.connect(str(restricted_warehouse_path(warehouse))) as vault:
        vault.execute("create table restricted.probe as select 'ann@example.com' as email")

    target = tmp_path / "target"
    scan = dbt("test", "--select", "tag:post_build", "--log-path", str(tmp_path), target_dir=target)
    assert scan.returncode == 1, scan.stdout[-3000:]
    assert "Got 2 results" in scan.stdout
    compiled = next((target / "compiled").rglob("assert_no_unmasked_pii.sql"))
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        found = connection.execute(compiled.read_text()).fetchall()
    assert sorted(found) == [
        ("marts.leak_probe", "note", "email", 1),
        ("marts.leak_probe", "phone_text", "phone", 1),
    ]


def _governance(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "tributary", "governance", *args], env)


def test_retention_moves_rows_past_retention_to_the_archive_once(
    built_sandbox: BuiltWarehouse, tmp_path: Path
) -> None:
    env = copy_built(built_sandbox, tmp_path / "warehouse")
    warehouse = Path(env["TRIBUTARY_WAREHOUSE_PATH"])
    archive = Path(env["TRIBUTARY_ARCHIVE_DIR"])
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        latest = connection.execute("select max(recorded_at)::date from raw_telemetry.readings")
        latest_day: dt.date = latest.fetchone()[0]
        # "today" such that telemetry (180 days) keeps its last 10 days hot
        today = latest_day + dt.timedelta(days=180 - 10)
        cutoff = today - dt.timedelta(days=180)
        total, due, months = connection.execute(
            "select count(*), count(*) filter (where recorded_at < ?::date),"
            " count(distinct strftime(recorded_at, '%Y-%m')) filter (where recorded_at < ?::date)"
            " from raw_telemetry.readings",
            [cutoff, cutoff],
        ).fetchone()
    assert 0 < due < total

    target = str(built_sandbox.target)
    first = _governance(env, "retention", "--no-parse", "--target-path", target, "--today",
                        str(today), "--only", "raw_telemetry.readings")  # fmt: skip
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"{due:,} rows past retention archived" in first.stdout

    files = sorted((archive / "raw_telemetry" / "readings").glob("archive_month=*/*.parquet"))
    assert len({f.parent.name for f in files}) == months
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        hot = connection.execute("select count(*) from raw_telemetry.readings").fetchone()[0]
        history = connection.execute(
            "select count(*), count(archive_month) from raw_telemetry.readings__history"
        ).fetchone()
        oldest_hot = connection.execute(
            "select min(recorded_at) from raw_telemetry.readings"
        ).fetchone()[0]
        logged = connection.execute(
            "select rows_affected, len(files) from audit.governance_actions"
            " where action = 'archive' and relation = 'raw_telemetry.readings'"
        ).fetchall()
    assert hot == total - due
    assert history == (total, due)  # nothing lost, nothing twice
    assert oldest_hot.date() >= cutoff
    assert logged == [(due, len(files))]

    # A run that crashed after writing its files but before committing left an orphan: the
    # next run removes it, and archives nothing twice.
    orphan = files[0].parent / "deadbeef_0.parquet"
    shutil.copy(files[0], orphan)
    again = _governance(env, "retention", "--no-parse", "--target-path", target, "--today",
                        str(today), "--only", "raw_telemetry.readings")  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    assert "removed 1 archive file(s) of runs that did not complete" in again.stdout
    assert "0 rows past retention archived" in again.stdout
    assert not orphan.exists()
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert (
            connection.execute("select count(*) from raw_telemetry.readings__history").fetchone()[0]
            == total
        )
