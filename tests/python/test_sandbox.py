"""The generator is deterministic, and its ground truth says what is really in the landing zone."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import shutil
import sqlite3
import statistics
from pathlib import Path

import duckdb

from sandbox.generator import generate, next_day
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


def _orders_per_day(layout: SandboxLayout) -> dict[str, int]:
    with sqlite3.connect(layout.shop_db) as connection:
        query = "select date(ordered_at), count(*) from orders group by 1"
        return dict(connection.execute(query).fetchall())


def test_a_normal_next_day_continues_the_history(pristine_sandbox: Path, tmp_path: Path) -> None:
    """Two weeks of normal next days sell what the history's last four weeks did, within the
    noise of those weeks: a monitor trained on the history sees nothing unusual (issue 22: the
    next day used to sell a third of the history's last days)."""
    root = tmp_path / "sandbox"
    shutil.copytree(pristine_sandbox, root)
    history = _orders_per_day(SandboxLayout(root))
    last_day = max(history)
    for _ in range(10):  # ten business days: two calendar weeks, weekends included
        next_day(root, progress=lambda _: None)
    new_days = {day: n for day, n in _orders_per_day(SandboxLayout(root)).items() if day > last_day}
    recent = [history[day] for day in sorted(history)[-28:]]

    mean, spread = statistics.mean(recent), statistics.stdev(recent)
    observed = statistics.mean(new_days.values())
    band = 3 * spread / len(new_days) ** 0.5  # three standard errors of a two-week mean
    assert len(new_days) == 14
    assert abs(observed - mean) <= band, (
        f"next days sell {observed:.1f} orders a day, the history's last four weeks "
        f"{mean:.1f} ± {band:.1f}"
    )


def test_the_history_has_a_trend_and_a_weekly_rhythm(scale_one: BuiltWarehouse) -> None:
    """The shop grows over the year and sells more on Sundays than on Saturdays (scale 1: about
    7,000 orders per weekday, so both differences stand far above the noise)."""
    per_day = _orders_per_day(scale_one.sandbox)
    days = sorted(per_day)
    first_quarter = sum(per_day[day] for day in days[:91])
    last_quarter = sum(per_day[day] for day in days[-91:])
    by_weekday = {weekday: 0 for weekday in range(7)}
    for day, count in per_day.items():
        by_weekday[dt.date.fromisoformat(day).weekday()] += count

    assert last_quarter > 1.2 * first_quarter, (first_quarter, last_quarter)
    assert by_weekday[6] > 1.1 * by_weekday[5], by_weekday  # Sunday over Saturday


def test_a_next_day_adds_landing_files_and_never_rewrites_one(
    scale_one: BuiltWarehouse, tmp_path: Path
) -> None:
    """A delivery never overwrites an earlier one's file: the sessions of a step's first orders
    start the evening before, in an hour an earlier delivery wrote (the step used to replace that
    file, and the events in it were lost). At scale 1, where orders come minutes apart."""
    root = tmp_path / "sandbox"
    shutil.copytree(scale_one.sandbox.root, root)
    landing = {path: digest for path, digest in _fingerprint(root).items() if "/" in path}
    next_day(root, progress=lambda _: None)
    after = _fingerprint(root)

    assert {path: after.get(path) for path in landing} == landing
    assert len([path for path in after if "/" in path]) > len(landing)
