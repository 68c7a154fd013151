"""Every source loads into a fresh DuckDB, exactly once, and follows the sandbox day by day."""

from __future__ import annotations

import pytest

from ingestion.sources.shop import PRIMARY_KEYS as SHOP_TABLES
from sandbox.generator import next_day
from tests.python.conftest import Workspace
from tests.python.helpers import (
    api_rows,
    defects,
    shop_rows,
    warehouse_count,
    warehouse_rows,
)
from tributary.cli.load import load_sources
from tributary.config import SOURCE_NAMES


def expected_counts(workspace: Workspace) -> dict[str, int]:
    """What each raw table must hold, from the sources themselves and the ground truth."""
    layout = workspace.sandbox
    truth = defects(layout)
    rejected = truth.get("crm.wrong_column_count", 0) + truth.get("crm.bad_encoding", 0)
    counts = {
        f"raw_shop.{table}": shop_rows(layout, f"select count(*) from {table}")[0][0]
        for table in SHOP_TABLES
    }
    counts["raw_crm.contacts"] = truth["crm.exported_rows"] - rejected
    counts["raw_crm.contacts_rejected"] = rejected
    counts["raw_web.events"] = truth["web.events_written"]
    counts["raw_telemetry.readings"] = truth["telemetry.readings_written"]
    counts["raw_reviews.reviews"] = api_rows(layout, "select count(*) from reviews")[0][0]
    counts["raw_fx.rates"] = api_rows(
        layout, "select count(*) from fx_rates where rate_date >= '2025-09-01'"
    )[0][0]
    return counts


def assert_warehouse_matches(workspace: Workspace) -> None:
    for table, expected in expected_counts(workspace).items():
        assert warehouse_count(workspace.warehouse, table) == expected, table


def test_every_source_loads_into_a_fresh_warehouse(workspace: Workspace) -> None:
    results = load_sources(list(SOURCE_NAMES), workspace.warehouse, progress=lambda _: None)

    assert [r.outcome for r in results] == ["loaded"] * len(SOURCE_NAMES), [
        r.error_message for r in results
    ]
    assert_warehouse_matches(workspace)
    # Every raw row says which load brought it in, and every run is in the audit log.
    for table in expected_counts(workspace):
        assert warehouse_count(workspace.warehouse, table, "_dlt_load_id is null") == 0, table
    audit = warehouse_rows(
        workspace.warehouse,
        "select source_name, outcome, rows_loaded from audit.ingestion_runs order by started_at",
    )
    assert [(s, o) for s, o, _ in audit] == [(s, "loaded") for s in SOURCE_NAMES]
    assert all(rows > 0 for _, _, rows in audit)


def test_loading_again_without_new_data_adds_nothing(workspace: Workspace) -> None:
    load_sources(list(SOURCE_NAMES), workspace.warehouse, progress=lambda _: None)
    before = {t: warehouse_count(workspace.warehouse, t) for t in expected_counts(workspace)}

    again = load_sources(list(SOURCE_NAMES), workspace.warehouse, progress=lambda _: None)

    assert {r.source_name: r.rows_loaded for r in again if r.source_name != "fx"} == {
        s: 0 for s in SOURCE_NAMES if s != "fx"
    }
    assert all(r.outcome != "failed" for r in again)
    after = {t: warehouse_count(workspace.warehouse, t) for t in before}
    assert after == before


def test_next_day_then_load_applies_exactly_the_changes(workspace: Workspace) -> None:
    load_sources(list(SOURCE_NAMES), workspace.warehouse, progress=lambda _: None)
    next_day(workspace.sandbox.root, progress=lambda _: None)

    results = load_sources(list(SOURCE_NAMES), workspace.warehouse, progress=lambda _: None)

    assert all(r.outcome == "loaded" for r in results), [r.error_message for r in results]
    assert_warehouse_matches(workspace)
    # Updates merged: every shop row equals its source row, status changes and soft deletes too.
    for table, key in SHOP_TABLES.items():
        source = shop_rows(
            workspace.sandbox, f"select {key}, updated_at from {table} order by {key}"
        )
        loaded = warehouse_rows(
            workspace.warehouse,
            f"select {key}, strftime(updated_at, '%Y-%m-%d %H:%M:%S') "
            f"from raw_shop.{table} order by {key}",
        )
        assert loaded == source, table
    erased = shop_rows(workspace.sandbox, "select customer_id from erasure_requests")
    assert erased, "next-day erases a few customers"
    in_warehouse = warehouse_rows(
        workspace.warehouse,
        "select customer_id, email, deleted_at is not null from raw_shop.customers "
        f"where customer_id in ({','.join(str(c) for (c,) in erased)})",
    )
    assert all(email is None and deleted for _, email, deleted in in_warehouse)
    statuses = shop_rows(workspace.sandbox, "select order_id, status from orders order by 1")
    assert (
        warehouse_rows(
            workspace.warehouse, "select order_id, status from raw_shop.orders order by 1"
        )
        == statuses
    )


@pytest.mark.parametrize("source", ["crm", "web", "telemetry"])
def test_each_landing_file_is_loaded_once(workspace: Workspace, source: str) -> None:
    load_sources([source], workspace.warehouse, progress=lambda _: None)
    table = {
        "crm": "raw_crm.contacts",
        "web": "raw_web.events",
        "telemetry": "raw_telemetry.readings",
    }[source]
    files_loaded = warehouse_count(
        workspace.warehouse, f"(select distinct _source_file from {table})"
    )

    # A file delivered again (touched: new modification time) replaces its rows, never adds.
    landing = workspace.sandbox.landing
    first = sorted(p for p in landing.rglob("*") if p.is_file() and _belongs(p, source))[0]
    first.touch()
    before = warehouse_count(workspace.warehouse, table)
    load_sources([source], workspace.warehouse, progress=lambda _: None)

    assert warehouse_count(workspace.warehouse, table) == before
    assert warehouse_count(workspace.warehouse, f"(select distinct _source_file from {table})") == (
        files_loaded
    )


def _belongs(path, source: str) -> bool:
    folder = {"crm": "crm", "web": "clickstream", "telemetry": "telemetry"}[source]
    return folder in path.parts
