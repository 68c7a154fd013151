"""The generator is deterministic, and its ground truth says what is really in the landing zone."""

from __future__ import annotations

import gzip
import hashlib
import sqlite3
from pathlib import Path

import duckdb

from sandbox.generator import generate
from tests.python.conftest import TEST_SCALE, TEST_SEED, BuiltWarehouse
from tests.python.helpers import defects, shop_rows
from tributary.config import SandboxLayout


def _fingerprint(root: Path) -> dict[str, str]:
    """A hash per landing file's content (gzip headers aside) and per shop table."""
    prints = {}
    for path in sorted((root / "landing").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            prints[str(path.relative_to(root))] = hashlib.sha256(data).hexdigest()
    with sqlite3.connect(root / "shop" / "shop.sqlite") as connection:
        for (table,) in connection.execute("select name from sqlite_master where type = 'table'"):
            rows = connection.execute(f"select * from {table} order by 1").fetchall()
            prints[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return prints


def test_the_same_seed_and_scale_give_the_same_sandbox(
    pristine_sandbox: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    generate(again, seed=TEST_SEED, scale=TEST_SCALE, progress=lambda _: None)
    other = tmp_path / "other"
    generate(other, seed=TEST_SEED + 1, scale=TEST_SCALE, progress=lambda _: None)

    assert _fingerprint(again) == _fingerprint(pristine_sandbox)
    assert _fingerprint(other) != _fingerprint(pristine_sandbox)


def test_ground_truth_defect_counts_match_the_landing_zone(pristine_sandbox: Path) -> None:
    assert_ground_truth_matches(SandboxLayout(pristine_sandbox))


def test_ground_truth_holds_at_scale_one_after_a_load(scale_one: BuiltWarehouse) -> None:
    assert_ground_truth_matches(scale_one.sandbox)


def assert_ground_truth_matches(layout: SandboxLayout) -> None:
    """Recount every injected defect in the sources themselves."""
    truth = defects(layout)
    landing = str(layout.landing)
    with duckdb.connect() as connection:
        events = connection.execute(
            f"""
            select
                count(*) - count(distinct event_id) as duplicates,
                count(*) filter (
                    where date_trunc('hour', cast(event_timestamp as timestamptz))
                        < cast(regexp_extract(filename, 'date=([0-9-]+)', 1) as date)
                        + to_hours(cast(regexp_extract(filename, 'hour=([0-9]+)', 1) as int))
                ) as late
            from read_json('{landing}/clickstream/**/*.jsonl.gz', filename = true,
                columns = {{event_id: 'varchar', event_timestamp: 'varchar'}})
            """
        ).fetchone()
        assert events == (truth["web.duplicate_events"], truth["web.late_events"])

        readings = connection.execute(
            f"""
            select
                count(*) filter (where temperature > 900),
                count(*) filter (where temperature < -273.15),
                count(*) filter (where latitude > 90),
                count(*) filter (where battery_pct > 100)
            from read_parquet('{landing}/telemetry/**/*.parquet')
            """
        ).fetchone()
        assert readings == (
            truth["telemetry.temperature_too_high"],
            truth["telemetry.temperature_below_absolute_zero"],
            truth["telemetry.latitude_out_of_range"],
            truth["telemetry.battery_out_of_range"],
        )

        connection.execute(
            f"create table contacts as select * from read_csv('{landing}/crm/*.csv', "
            "header = true, all_varchar = true, store_rejects = true)"
        )
        rejected = connection.execute(
            "select error_type, count(distinct (file_id, line)) from reject_errors group by 1"
        ).fetchall()
        by_kind = dict(rejected)
        assert by_kind.get("INVALID ENCODING", 0) == truth["crm.bad_encoding"]
        assert (
            by_kind.get("TOO MANY COLUMNS", 0) + by_kind.get("MISSING COLUMNS", 0)
            == (truth["crm.wrong_column_count"])
        )

    shop = {
        "shop.order_items.negative_quantity": "select count(*) from order_items where quantity < 0",
        "shop.order_items.orphan_product": "select count(*) from order_items "
        "where product_id not in (select product_id from products)",
        "shop.orders.unknown_currency": "select count(*) from orders where currency_code = 'BTC'",
        "shop.payments.missing_order_key": "select count(*) from payments where order_id is null",
    }
    for kind, sql in shop.items():
        assert shop_rows(layout, sql)[0][0] == truth.get(kind, 0), kind


def test_ground_truth_identity_links_crm_contacts_to_customers(pristine_sandbox: Path) -> None:
    layout = SandboxLayout(pristine_sandbox)
    identity = (layout.ground_truth / "identity.csv").read_text().splitlines()[1:]
    systems = [line.split(",")[0] for line in identity]
    customers = shop_rows(layout, "select count(*) from customers")[0][0]
    assert systems.count("shop") == customers
    crm_people = {line.split(",")[2] for line in identity if line.startswith("crm,")}
    shop_people = {line.split(",")[2] for line in identity if line.startswith("shop,")}
    linked = crm_people & shop_people
    # Most CRM contacts are customers typed in again; some are leads who never bought.
    assert 0.5 * customers <= len(linked) <= 0.8 * customers
    assert crm_people - shop_people
