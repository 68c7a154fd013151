"""dbt on what dlt loaded: the build passes, staging keeps every row (masked), sources are fresh."""

from __future__ import annotations

import json
from pathlib import Path

from tests.python.conftest import BuiltWarehouse, Workspace, dbt
from tests.python.helpers import warehouse_count, warehouse_rows
from tributary.config import SOURCE_NAMES, restricted_warehouse_path

STAGED = {
    "raw_shop.customers": "staging.stg_shop__customers",
    "raw_shop.products": "staging.stg_shop__products",
    "raw_shop.orders": "staging.stg_shop__orders",
    "raw_shop.order_items": "staging.stg_shop__order_items",
    "raw_shop.payments": "staging.stg_shop__payments",
    "raw_shop.shipments": "staging.stg_shop__shipments",
    "raw_shop.erasure_requests": "staging.stg_shop__erasure_requests",
    "raw_crm.contacts": "staging.stg_crm__contacts",
    "raw_crm.contacts_rejected": "staging.stg_crm__contacts_rejected",
    "raw_web.events": "staging.stg_web__events",
    "raw_telemetry.readings": "staging.stg_telemetry__readings",
    "raw_fx.rates": "staging.stg_fx__rates",
    "raw_reviews.reviews": "staging.stg_reviews__reviews",
}


def test_the_build_and_its_tests_pass_on_loaded_data(built_sandbox: BuiltWarehouse) -> None:
    # the session's build of the test-scale sandbox (conftest), which later tests go on from
    run = built_sandbox.build
    warehouse = built_sandbox.warehouse

    assert run.returncode == 0, run.stdout[-4000:]
    results = json.loads((built_sandbox.target / "run_results.json").read_text())["results"]
    # exposures are listed too, as `no-op`: dbt builds nothing for a consumer
    statuses = {r["unique_id"]: r["status"] for r in results if r["unique_id"][:9] != "exposure."}
    assert sum(uid.startswith("test.") for uid in statuses) >= 50
    # `warn`: tests configured to report, not fail (orders quarantined upstream, say)
    assert set(statuses.values()) <= {"pass", "success", "warn"}, {
        uid: status for uid, status in statuses.items() if status not in ("pass", "success", "warn")
    }
    assert {f"model.tributary.{m.split('.')[1]}" for m in STAGED.values()} <= set(statuses)

    # Staging filters nothing: every raw row is staged.
    for raw, staged in STAGED.items():
        assert warehouse_count(warehouse, staged) == warehouse_count(warehouse, raw), staged
    # Phones are E.164 in the vault, the one place they are readable, and a masked token
    # (a SHA-256 in hex) in staging, for exactly the customers who gave one.
    vault = restricted_warehouse_path(warehouse)
    assert warehouse_count(vault, "restricted.pii_customers", "source_system = 'shop'") == (
        warehouse_count(
            warehouse,
            "raw_shop.customers",
            "customer_id not in (select customer_id from raw_shop.erasure_requests)",
        )
    )
    assert (
        warehouse_count(
            vault,
            "restricted.pii_customers",
            "phone is not null and not regexp_full_match(phone, '\\+[1-9][0-9]{7,14}')",
        )
        == 0
    )
    assert (
        warehouse_count(
            warehouse,
            "staging.stg_shop__customers",
            "phone is not null and not regexp_full_match(phone, '[0-9a-f]{64}')",
        )
        == 0
    )
    assert warehouse_count(warehouse, "staging.stg_shop__customers", "phone is null") == (
        warehouse_count(warehouse, "raw_shop.customers", "phone is null")
    )
    assert warehouse_count(warehouse, "staging.stg_web__events", "occurred_at is null") == 0
    offsets = warehouse_rows(
        warehouse,
        "select occurred_at_text, occurred_at from staging.stg_web__events "
        "where occurred_at_text like '%+09:00' limit 1",
    )
    text, parsed = offsets[0]
    assert parsed.hour == (int(text[11:13]) - 9) % 24


def test_every_source_is_fresh_after_a_load(built_workspace: Workspace, tmp_path: Path) -> None:
    run = dbt("source", "freshness", "--log-path", str(tmp_path), target_dir=tmp_path)

    assert run.returncode == 0, run.stdout[-4000:]
    sources = json.loads((tmp_path / "sources.json").read_text())["results"]
    checked = {r["unique_id"].split(".")[2] for r in sources}
    assert checked == set(SOURCE_NAMES)
    assert {r["status"] for r in sources} == {"pass"}
