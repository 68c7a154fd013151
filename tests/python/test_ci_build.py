"""CI's full build: the session's freshly generated test sandbox, loaded by the command line,
built and tested by `dbt build` on the `ci` target into a new warehouse (the `built_sandbox`
session fixture, which every test of a built warehouse shares, so that `make test` pays for one
full build of it)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

from tests.python.conftest import BuiltWarehouse
from tests.python.helpers import warehouse_rows


def test_the_full_build_on_the_ci_target_runs_and_passes_every_node(
    built_sandbox: BuiltWarehouse, report: Callable[[str], None]
) -> None:
    results = json.loads((built_sandbox.target / "run_results.json").read_text())
    manifest = json.loads((built_sandbox.target / "manifest.json").read_text())

    assert results["args"]["target"] == "ci"
    assert results["args"]["which"] == "build"
    assert not results["args"].get("select"), "the CI build selects everything"

    # Every model, seed, snapshot, data test and unit test of the project ran, and none failed;
    # the post-build checks (selectors.yml keeps them out of `dbt build`) right after it.
    buildable = ("model", "seed", "snapshot", "test")
    nodes = manifest["nodes"]
    post_build = {uid for uid, n in nodes.items() if "post_build" in n.get("tags", [])}
    # ephemeral models are compiled into the models that read them, never built themselves
    expected = {
        uid
        for uid, n in nodes.items()
        if n["resource_type"] in buildable and n["config"].get("materialized") != "ephemeral"
    } - post_build
    expected |= set(manifest["unit_tests"])
    after = json.loads((built_sandbox.post_build_target / "run_results.json").read_text())
    after_statuses = {r["unique_id"]: r["status"] for r in after["results"]}
    assert post_build and {uid: after_statuses.get(uid) for uid in post_build} == {
        uid: "pass" for uid in post_build
    }
    statuses = {r["unique_id"]: r["status"] for r in results["results"]}
    # Exposures are listed too, as `no-op`: dbt builds nothing for a consumer.
    exposures = {uid: statuses.pop(uid) for uid in list(statuses) if uid.startswith("exposure.")}
    assert set(exposures) == set(manifest["exposures"])
    assert set(exposures.values()) <= {"no-op"}
    assert expected - set(statuses) == set()
    # `warn`: tests configured to report, not fail (orders quarantined upstream, say)
    assert set(statuses.values()) <= {"pass", "success", "warn"}, {
        uid: s for uid, s in statuses.items() if s not in ("pass", "success", "warn")
    }

    # A fresh warehouse: one load of each source, and every mart built there by this run.
    runs = warehouse_rows(
        built_sandbox.warehouse, "select source_name, outcome from audit.ingestion_runs"
    )
    assert Counter(outcome for _, outcome in runs) == {"loaded": 6}
    marts = warehouse_rows(
        built_sandbox.warehouse,
        "select count(*) from information_schema.tables where table_schema in ('marts', 'ml')",
    )[0][0]
    assert marts >= 14

    kinds = Counter(uid.split(".")[0] for uid in statuses)
    report(
        f"ci build: dbt build --target ci in {results['elapsed_time']:.0f}s on a fresh test-scale "
        f"warehouse: {', '.join(f'{n} {kind}s' for kind, n in sorted(kinds.items()))}, "
        f"{Counter(statuses.values())['warn']} warnings, no failures"
    )
