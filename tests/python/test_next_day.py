"""The documented "next day" sequence: `next-day`, a load and an incremental build.

One sandbox goes through it once per module (the builds are what take time); each test checks
one promise of the issue on the result: snapshots gain versions for exactly the changed rows,
the marts take in the new day, and the incremental marts end up identical to a full refresh.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from sandbox.generator import next_day
from tests.python.conftest import (
    NEXT_RUN_BUILD,
    BuiltWarehouse,
    Workspace,
    build_once,
    copy_built,
    dbt,
    point_environment_at,
)
from tests.python.helpers import shop_rows, warehouse_count, warehouse_rows
from tributary.cli.load import load_sources
from tributary.config import SOURCE_NAMES

SNAPSHOTS = {"snap_orders": "orders", "snap_products": "products", "snap_customers": "customers"}
KEYS = {"orders": "order_id", "products": "product_id", "customers": "customer_id"}


def updated_at_by_key(workspace: Workspace, table: str) -> dict[int, str]:
    return dict(shop_rows(workspace.sandbox, f"select {KEYS[table]}, updated_at from {table}"))


def load_and_build(workspace: Workspace, target: Path) -> None:
    """What `make demo` does after the sandbox: load every source, then the whole build (as a
    run after CI's: conftest.NEXT_RUN_BUILD)."""
    load_sources(list(SOURCE_NAMES), workspace.warehouse, progress=lambda _: None)
    run = dbt(*NEXT_RUN_BUILD, "--log-path", str(target), target_dir=target)
    assert run.returncode == 0, run.stdout[-4000:]


def sandbox_today(workspace: Workspace) -> date:
    state = json.loads((workspace.sandbox.root / "state.json").read_text())
    return date.fromisoformat(state["as_of"])


@dataclass(frozen=True)
class DayBefore:
    """What the tests compare with: the sandbox and the marts before the next day."""

    day_before: date
    new_day: date
    updated_before: dict[str, dict[int, str]]
    order_dates_before: set[date]


@dataclass(frozen=True)
class NextDay(DayBefore):
    """A sandbox built, moved on by one business day, loaded and built again."""

    workspace: Workspace
    target: Path


def go_on_by_a_day(built_sandbox: BuiltWarehouse, root: Path) -> DayBefore:
    """The day after the session's first run (its load and build, copied) under `root`."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        workspace = copy_built(built_sandbox, root, monkeypatch)
        day_before = sandbox_today(workspace)
        updated_before = {table: updated_at_by_key(workspace, table) for table in KEYS}
        order_dates_before = {
            day
            for (day,) in warehouse_rows(
                workspace.warehouse, "select distinct order_date from marts.agg_daily_sales"
            )
        }
        next_day(workspace.sandbox.root, progress=lambda _: None)
        load_and_build(workspace, root / "target")
        return DayBefore(day_before, sandbox_today(workspace), updated_before, order_dates_before)


@pytest.fixture(scope="module")
def after_next_day(
    built_sandbox: BuiltWarehouse, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NextDay]:
    # once per run, whichever worker asks first (conftest.build_once); a copy for this worker
    root, before = build_once(
        "next_day", tmp_path_factory, lambda folder: go_on_by_a_day(built_sandbox, folder)
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        workspace = point_environment_at(root, monkeypatch)
        yield NextDay(**vars(before), workspace=workspace, target=root / "target")


def changed_keys(run: NextDay, table: str) -> set[int]:
    after = updated_at_by_key(run.workspace, table)
    before = run.updated_before[table]
    return {key for key in before if after[key] != before[key]}


def test_changed_rows_gain_a_version(after_next_day: NextDay) -> None:
    warehouse = after_next_day.workspace.warehouse
    for snapshot, table in SNAPSHOTS.items():
        changed = changed_keys(after_next_day, table)
        assert changed, f"next-day changes some {table}"
        closed = warehouse_rows(
            warehouse,
            f"select {KEYS[table]} from snapshots.{snapshot} where dbt_valid_to is not null",
        )
        # Exactly the changed rows have a closed version; every row has one current version.
        assert {key for (key,) in closed} == changed, snapshot
        rows_now = len(updated_at_by_key(after_next_day.workspace, table))
        assert warehouse_count(warehouse, f"snapshots.{snapshot}", "dbt_valid_to is null") == (
            rows_now
        ), snapshot
        assert warehouse_count(warehouse, f"snapshots.{snapshot}") == rows_now + len(changed)


def test_the_marts_take_in_the_new_day(after_next_day: NextDay) -> None:
    warehouse = after_next_day.workspace.warehouse
    new_day = after_next_day.new_day
    assert new_day > after_next_day.day_before

    # The new days' sales are in the daily aggregate; the days before were already there
    order_dates = {
        day
        for (day,) in warehouse_rows(
            warehouse, "select distinct order_date from marts.agg_daily_sales"
        )
    }
    # (one business day later: over a weekend, the shop's Saturday and Sunday sales too)
    new_dates = order_dates - after_next_day.order_dates_before
    assert after_next_day.order_dates_before <= order_dates
    assert new_day in new_dates
    assert all(after_next_day.day_before < day <= new_day for day in new_dates), new_dates

    # Orders the shop changed (status updates, new orders) carry their new state in fct_orders.
    changed = changed_keys(after_next_day, "orders")
    mismatched = warehouse_rows(
        warehouse,
        f"""
        select facts.order_id, facts.status, staged.status
        from marts.fct_orders as facts
        inner join staging.stg_shop__orders as staged on facts.order_id = staged.order_id
        where facts.order_id in ({", ".join(map(str, changed))})
          and facts.status is distinct from staged.status
        """,
    )
    assert mismatched == []
    assert warehouse_count(warehouse, "marts.fct_orders", f"order_date = date '{new_day}'") > 0
    assert warehouse_count(warehouse, "marts.fct_sessions", f"session_date = date '{new_day}'") > 0


def incremental_models(target: Path) -> list[str]:
    """Schema-qualified names of the project's incremental models, from the build's manifest."""
    manifest = json.loads((target / "manifest.json").read_text())
    return sorted(
        f"{node['schema']}.{node['alias']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    )


def test_incremental_marts_equal_a_full_refresh(after_next_day: NextDay, tmp_path: Path) -> None:
    incremental = incremental_models(after_next_day.target)
    assert len(incremental) >= 5, incremental

    # Rebuild the incremental marts from scratch in a copy of the warehouse ...
    refreshed = tmp_path / "refreshed" / "tributary.duckdb"
    refreshed.parent.mkdir()
    shutil.copy(after_next_day.workspace.warehouse, refreshed)
    run = dbt(
        "run",
        "--full-refresh",
        "--select",
        "config.materialized:incremental",
        "--log-path",
        str(tmp_path),
        target_dir=tmp_path,
        warehouse=refreshed,
    )
    assert run.returncode == 0, run.stdout[-4000:]

    # ... and compare row for row (as multisets) with what the incremental runs made.
    differences = {}
    with duckdb.connect(str(after_next_day.workspace.warehouse), read_only=True) as connection:
        connection.execute(f"attach '{refreshed}' as refreshed (read_only)")
        for relation in incremental:
            only_incremental, only_refreshed = (
                connection.execute(
                    f"select count(*) from (select * from {left} except all select * from {right})"
                ).fetchone()[0]
                for left, right in (
                    (relation, f"refreshed.{relation}"),
                    (f"refreshed.{relation}", relation),
                )
            )
            if only_incremental or only_refreshed:
                differences[relation] = (only_incremental, only_refreshed)
    assert differences == {}, "rows only in the incremental / only in the full refresh"
