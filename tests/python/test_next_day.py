"""Snapshots keep history: after `next-day`, a load and a build, changed rows gain a version."""

from __future__ import annotations

from pathlib import Path

from ingestion.pipelines import load
from ingestion.sandbox.generator import next_day
from ingestion.settings import SOURCE_NAMES
from tests.python.conftest import Workspace
from tests.python.helpers import shop_rows, warehouse_count, warehouse_rows
from tests.python.test_dbt_build import dbt

SNAPSHOTS = {"snap_orders": "orders", "snap_products": "products", "snap_customers": "customers"}
KEYS = {"orders": "order_id", "products": "product_id", "customers": "customer_id"}


def updated_at_by_key(workspace: Workspace, table: str) -> dict[int, str]:
    return dict(shop_rows(workspace.sandbox, f"select {KEYS[table]}, updated_at from {table}"))


def load_and_build(workspace: Workspace, logs: Path) -> None:
    """What `make demo` does after the sandbox: load every source, then the whole build."""
    load(list(SOURCE_NAMES), workspace.warehouse, progress=lambda _: None)
    run = dbt("build", "--log-path", str(logs), target_dir=logs)
    assert run.returncode == 0, run.stdout[-3000:]


def test_changed_rows_gain_a_version_after_next_day(workspace: Workspace, tmp_path: Path) -> None:
    load_and_build(workspace, tmp_path)
    before = {table: updated_at_by_key(workspace, table) for table in SNAPSHOTS.values()}

    next_day(workspace.sandbox.root, progress=lambda _: None)
    load_and_build(workspace, tmp_path)

    for snapshot, table in SNAPSHOTS.items():
        after = updated_at_by_key(workspace, table)
        changed = {key for key in before[table] if after[key] != before[table][key]}
        assert changed, f"next-day changes some {table}"
        closed = warehouse_rows(
            workspace.warehouse,
            f"select {KEYS[table]} from snapshots.{snapshot} where dbt_valid_to is not null",
        )
        # Exactly the changed rows have a closed version; every row has one current version.
        assert {key for (key,) in closed} == changed, snapshot
        current = warehouse_count(
            workspace.warehouse, f"snapshots.{snapshot}", "dbt_valid_to is null"
        )
        assert current == len(after), snapshot
        assert warehouse_count(workspace.warehouse, f"snapshots.{snapshot}") == (
            len(after) + len(changed)
        )
