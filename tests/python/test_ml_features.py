"""The ML features leak nothing from the future: a warehouse without the data after a date D
gives the same features for every as-of date up to D.

The proof, on the session build (`built_sandbox`):
1. copy its warehouse and, in the copy, delete every raw row whose business time is after D
   (orders placed after D with their lines, payments and shipments; payments and shipments
   made after D; customers and products created after D; reviews written after D; clickstream
   events after D; FX rates, telemetry readings and CRM exports dated after D);
2. rebuild `+ml_customer_features` on the copy from scratch (`--full-refresh`: the
   incremental marts must forget the deleted rows);
3. compare the two tables at every as-of date up to D: the same rows (customer x date), and
   every raw feature identical (the standardized _z columns differ by design: their
   statistics come from the training window, which the truncation shortens). Labels are
   identical where the truncated data still holds the whole churn window, and null where it
   does not.

What the truncation cannot undo is in place in the raw tables: an order's current status
(which the features therefore must not use), a customer's current attributes, an erasure
request (governance, applied to all dates alike). D is two feature intervals before the end,
so that it falls inside the clickstream's window and the session features are tested too.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import duckdb

from tests.python.conftest import BuiltWarehouse, run_dbt

ROOT = Path(__file__).resolve().parents[2]
FEATURES = "ml.ml_customer_features"
INTERVALS_BEFORE_END = 2  # D = the latest as-of date minus two feature intervals
LABEL_COLUMNS = {"is_churned", "is_label_complete"}
KEY_COLUMNS = {"customer_key", "as_of_date"}
# Averages of whole numbers are computed as doubles; two builds may add them in another order.
DOUBLE_TOLERANCE = 1e-9


def truncation_statements(cutoff: date) -> list[str]:
    """DELETEs that leave only what happened before `cutoff` (the day after D, 00:00 UTC).

    Raw timestamps are UTC (naive, or with a zone in the API and file sources); clickstream
    timestamps are text with mixed offsets, so events go by the time staging parsed."""
    before = f"timestamp '{cutoff.isoformat()} 00:00:00'"
    before_tz = f"timestamptz '{cutoff.isoformat()} 00:00:00+00'"
    last_export = f"crm/contacts_{(cutoff - timedelta(days=1)).isoformat()}.csv"
    return [
        f"create temp table late_orders as "
        f"select order_id from raw_shop.orders where ordered_at >= {before}",
        f"delete from raw_shop.order_items where created_at >= {before} "
        f"or order_id in (select order_id from late_orders)",
        f"delete from raw_shop.payments where created_at >= {before} or paid_at >= {before} "
        f"or order_id in (select order_id from late_orders)",
        f"delete from raw_shop.shipments where created_at >= {before} "
        f"or shipped_at >= {before} or order_id in (select order_id from late_orders)",
        "delete from raw_shop.orders where order_id in (select order_id from late_orders)",
        f"delete from raw_shop.customers where created_at >= {before}",
        f"delete from raw_shop.products where created_at >= {before}",
        f"delete from raw_reviews.reviews where created_at >= {before_tz}",
        f"delete from raw_fx.rates where rate_date >= date '{cutoff.isoformat()}'",
        f"delete from raw_telemetry.readings where recorded_at >= {before_tz}",
        f"""delete from raw_web.events where exists (
                select 1 from staging.stg_web__events as staged
                where staged._source_file = events._source_file
                    and staged._source_row = events._source_row
                    and staged.occurred_at >= {before})""",
        f"delete from raw_crm.contacts where _source_file > '{last_export}'",
        f"delete from raw_crm.contacts_rejected where _source_file > '{last_export}'",
    ]


def rebuild_features(warehouse: Path, env: dict[str, str], work: Path) -> None:
    """`dbt run --full-refresh --select +ml_customer_features` on another warehouse file."""
    command = ["run", "--full-refresh", "--select", "+ml_customer_features"]
    command += ["--log-path", str(work / "logs")]
    run = run_dbt(*command, env=env, target_dir=work / "target", warehouse=warehouse)
    assert run.returncode == 0, f"{' '.join(command)}\n{run.stdout[-3000:]}{run.stderr[-3000:]}"


def test_no_feature_uses_anything_after_its_as_of_date(
    built_sandbox: BuiltWarehouse, tmp_path: Path, report: Callable[[str], None]
) -> None:
    with duckdb.connect(str(built_sandbox.warehouse), read_only=True) as full:
        as_of_dates = [
            row[0]
            for row in full.execute(
                f"select distinct as_of_date from {FEATURES} order by as_of_date desc"
            ).fetchall()
        ]
    cut_date = as_of_dates[INTERVALS_BEFORE_END]  # D
    cutoff = cut_date + timedelta(days=1)

    # 1. a copy without anything after D (same file name: views name the catalog after it)
    truncated = tmp_path / "warehouse" / "tributary.duckdb"
    truncated.parent.mkdir()
    shutil.copyfile(built_sandbox.warehouse, truncated)
    with duckdb.connect(str(truncated)) as connection:
        for statement in truncation_statements(cutoff):
            connection.execute(statement)

    # 2. the features rebuilt on it
    rebuild_features(truncated, built_sandbox.env, tmp_path)

    # 3. the two tables compared up to D
    with duckdb.connect(str(truncated), read_only=True) as connection:
        connection.execute(f"attach '{built_sandbox.warehouse}' as full_warehouse (read_only)")
        last_order_date = connection.execute(
            "select max(order_date) from marts.fct_orders"
        ).fetchone()[0]
        assert last_order_date == cut_date, "the truncated data must end on D, its new today"

        columns = connection.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_catalog = 'tributary' and table_schema = 'ml' "
            "and table_name = 'ml_customer_features' order by ordinal_position"
        ).fetchall()
        raw_features = [
            (name, data_type)
            for name, data_type in columns
            if name not in KEY_COLUMNS | LABEL_COLUMNS and not name.endswith("_z")
        ]
        assert len(raw_features) >= 40, raw_features  # 15 numeric, 3 attributes, 30 one-hot

        pairs = f"""
            from {FEATURES} as truncated
            full outer join full_warehouse.{FEATURES} as original
                using (customer_key, as_of_date)
            where as_of_date <= date '{cut_date.isoformat()}'
        """
        unmatched = connection.execute(
            f"select count(*) {pairs} "
            "and (truncated.customer_key is null or original.customer_key is null)"
        ).fetchone()[0]
        assert unmatched == 0, f"{unmatched} customer x date rows exist in one table only"

        differences = {}
        for name, data_type in raw_features:
            if data_type == "DOUBLE":
                differs = (
                    f"(truncated.{name} is null) != (original.{name} is null) "
                    f"or abs(truncated.{name} - original.{name}) > {DOUBLE_TOLERANCE} "
                    f"* greatest(1, abs(original.{name}))"
                )
            else:
                differs = f"truncated.{name} is distinct from original.{name}"
            examples = connection.execute(
                f"select customer_key, as_of_date, truncated.{name}, original.{name} "
                f"{pairs} and ({differs}) order by as_of_date, customer_key limit 3"
            ).fetchall()
            if examples:
                count = connection.execute(f"select count(*) {pairs} and ({differs})").fetchone()
                differences[name] = (count[0], examples)
        assert not differences, f"features that saw data after {cut_date}: {differences}"

        rows, customers, dates, labels, hidden, wrong = connection.execute(
            f"""
            select
                count(*),
                count(distinct customer_key),
                count(distinct as_of_date),
                count(*) filter (where truncated.is_label_complete),
                count(*) filter (
                    where not truncated.is_label_complete and original.is_churned is not null
                ),
                count(*) filter (
                    where (truncated.is_label_complete
                        and truncated.is_churned is distinct from original.is_churned)
                    or (not truncated.is_label_complete and truncated.is_churned is not null)
                )
            {pairs}
            """
        ).fetchone()
    assert wrong == 0, f"{wrong} labels differ where the truncated data holds their window"
    assert dates == len([d for d in as_of_dates if d <= cut_date])
    # most of the test sandbox's 250 customers, at the as-of dates up to D
    assert customers > 200 and labels > 0 and hidden > 0

    report(
        f"ml features leakage: data after {cut_date} deleted; {len(raw_features)} raw features "
        f"identical for {customers:,} customers x {dates} as-of dates ({rows:,} rows); "
        f"{labels:,} labels identical, {hidden:,} hidden (their window passes D)"
    )
