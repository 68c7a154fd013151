"""Governance: the contract check on the project and on a copy that breaks it, the dbt audit log,
the catalog, and fct_orders' model versions. Real dbt parses and runs, real DuckDB warehouses."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.python.conftest import DBT, BuiltWarehouse, run_dbt
from tributary.governance import pii

ROOT = Path(__file__).resolve().parents[2]
BREACH = re.compile(r"^(?P<node>.+?): \[(?P<rule>[a-z_]+)\] ", re.MULTILINE)


def governance(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tributary", "governance", *args],
        cwd=ROOT,
        env=env or dict(os.environ, DBT_PROFILES_DIR=str(ROOT)),
        capture_output=True,
        text=True,
        timeout=600,
    )


def breaches(output: str) -> set[tuple[str, str]]:
    return {(m["node"], m["rule"]) for m in BREACH.finditer(output)}


def summary_count(output: str) -> int:
    found = re.search(r"Governance check: (\d+) breach\(es\)", output)
    assert found, output[-2000:]
    return int(found[1])


@pytest.fixture(scope="module")
def parsed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's own manifest, parsed once for this module into a target of its own."""
    target = tmp_path_factory.mktemp("governance_target")
    # parsing opens no warehouse: the file named is only what the profile renders
    run = run_dbt("parse", "--quiet", "--log-path", str(target), env=os.environ,
                  target_dir=target, warehouse=target / "tributary.duckdb")  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:]
    return target


def copy_project(destination: Path) -> Path:
    """The dbt project's files (no data, artefacts or Python but its Python models) under
    `destination`."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("dbt_project.yml", "profiles.yml", "dbt-bouncer.yml"):
        shutil.copy2(ROOT / name, destination / name)
    for folder in ("models", "macros", "seeds", "snapshots", "tests"):
        kept_python = () if folder == "models" else ("*.py",)
        ignore = shutil.ignore_patterns("python", "__pycache__", *kept_python)
        shutil.copytree(ROOT / folder, destination / folder, ignore=ignore)
    return destination


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in `path`; the test fails loudly if the project moved on."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def copy_warehouse(built: BuiltWarehouse, destination: Path) -> Path:
    copied = destination / "tributary.duckdb"
    shutil.copy2(built.warehouse, copied)
    return copied


# ------------------------------------------------------------------ the check on the project


def test_the_project_passes_the_contract_check(parsed: Path, built_sandbox: BuiltWarehouse) -> None:
    without = governance(
        "check", "--no-parse", "--target-path", str(parsed), "--warehouse", str(parsed / "none")
    )
    assert without.returncode == 0, without.stdout[-4000:]
    assert summary_count(without.stdout) == 0
    assert "content check SKIPPED for lack of a warehouse" in without.stdout

    with_content = governance(
        "check",
        "--no-parse",
        "--target-path",
        str(parsed),
        "--warehouse",
        str(built_sandbox.warehouse),
    )
    assert with_content.returncode == 0, with_content.stdout[-4000:]
    assert summary_count(with_content.stdout) == 0
    sampled = re.search(r"(\d+) relations, (\d+) string columns sampled", with_content.stdout)
    assert sampled and int(sampled[1]) >= 80 and int(sampled[2]) >= 300, with_content.stdout


def test_every_breach_of_a_broken_copy_is_reported(
    tmp_path: Path, built_sandbox: BuiltWarehouse
) -> None:
    project = copy_project(tmp_path)
    models = project / "models"
    fx = models / "staging" / "fx" / "_fx__models.yml"
    readings = models / "intermediate" / "logistics" / "_logistics__models.yml"
    # an owner removed
    edit(
        models / "marts" / "core" / "dim_products.yml", "        owner: analytics-engineering\n", ""
    )
    # a contract dropped (marts enforce theirs in dbt_project.yml), a column description blanked
    edit(
        models / "marts" / "core" / "fct_reviews.yml",
        "    config:\n",
        "    config:\n      contract: {enforced: false}\n",
    )
    edit(
        models / "marts" / "core" / "dim_date.yml",
        "description: English name of the day of the week.",
        'description: ""',
    )
    # meta values outside the contract, _load_id gone, personal columns undeclared or malformed
    edit(
        fx,
        "        classification: public\n",
        "        domain: treasury\n        classification: secret\n",
    )
    edit(fx, "      - name: _load_id\n", "      - name: load_identifier\n")
    edit(
        fx,
        "    columns:\n",
        "    columns:\n"
        "      - name: contact_email\n"
        "        description: Who to ask about a rate.\n"
        "      - name: desk_phone\n"
        "        description: Their phone.\n"
        "        config:\n"
        "          meta: {pii: true, pii_type: phone_number}\n",
    )
    # an intermediate model made public, in another domain's group; a retention of 0 days
    edit(
        readings,
        "      meta: &readings_meta\n",
        "      access: public\n      group: sales\n      meta: &readings_meta\n",
    )
    edit(readings, "        retention_days: 180\n", "        retention_days: 0\n")
    # a model without any yml
    (models / "marts" / "core" / "undocumented.sql").write_text(
        "select order_id from {{ ref('fct_orders') }}\n"
    )
    # a column the yml does not know, holding emails, in a copy of a built warehouse
    warehouse = copy_warehouse(built_sandbox, tmp_path)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("alter table marts.dim_products add column notes varchar")
        connection.execute("update marts.dim_products set notes = 'ask ' || sku || '@example.com'")

    run = governance(
        "check",
        "--project-dir",
        str(project),
        "--target-path",
        str(tmp_path / "target"),
        "--warehouse",
        str(warehouse),
        env=dict(os.environ, DBT_PROFILES_DIR=str(project)),
    )

    assert run.returncode == 1, run.stdout[-4000:] + run.stderr[-2000:]
    found = breaches(run.stdout)
    expected = {
        ("model dim_products", "check_model_has_meta_keys"),
        ("model fct_reviews", "check_model_contract_enforced_for_public_model"),
        ("model dim_date", "check_model_column_description_populated"),
        ("model stg_fx__rates", "meta_domain"),
        ("model stg_fx__rates", "meta_classification"),
        ("model stg_fx__rates", "row_lineage"),
        ("model stg_fx__rates.contact_email", "pii_by_name"),
        ("model stg_fx__rates.desk_phone", "pii_type"),
        ("model stg_fx__rates", "contains_pii"),
        ("model int_readings__checked", "check_model_access"),
        ("model int_readings__checked", "group"),
        ("model int_readings__checked", "meta_retention_days"),
        ("model undocumented", "check_model_description_populated"),
        ("model undocumented", "check_model_has_meta_keys"),
        ("model dim_products.notes", "column_description"),
        ("model dim_products.notes", "pii_by_content"),
    }
    assert expected <= found, sorted(expected - found)
    # one line per breach, and the summary counts them all
    lines = [line for line in run.stdout.splitlines() if BREACH.match(line)]
    assert summary_count(run.stdout) == len(lines) == len(set(lines)) >= len(expected)
    assert "@example.com" not in run.stdout  # the report shows a value's shape, not the value


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["anna.k@example.org", "bo@shop.example.co.uk"], "email"),
        (["Great product, mail me at x.y@example.com"] + ["fine"] * 50, "email"),
        (["+4915123456789", "+33 6 12 34 56 78", "030 1234567"], "phone"),
        (["192.168.10.4", "10.0.0.1"], "ip"),
        (["1795465160.9512148", "2026-10-30", "SKU-00042", "v2.3.1", "EUR"], None),
        (["12345678", "98765432"], None),  # ids and amounts are not phones
        (["00.00.0000", "31.12.1990", "12/25/2024", "2024-12-25"], None),  # dates neither
    ],
)
def test_the_content_patterns(values: list[str], expected: str | None) -> None:
    found = pii.personal_content(values)
    assert (found.pii_type if found else None) == expected


def test_the_name_patterns_and_their_allow_list() -> None:
    assert pii.personal_name("ship_to_street", "x") == "address"
    assert pii.personal_name("customer_email", "x") == "email"
    assert pii.personal_name("card_last4", "x") == "payment"
    assert pii.personal_name("client_ip", "x") == "ip"
    assert pii.personal_name("contact_name", "x") == "name"
    assert pii.personal_name("product_name", "x") is None  # allow-listed
    assert pii.personal_name("name", "products") is None  # allow-listed for that node only
    assert pii.personal_name("name", "contacts") == "name"
    assert pii.personal_name("device_mobile_web", "x") is None
    assert pii.personal_name("shipment_id", "x") is None


# ------------------------------------------------------------------ the audit log


def test_the_audit_log_has_every_run_and_node_failures_included(
    tmp_path: Path, built_sandbox: BuiltWarehouse
) -> None:
    # The ci build (conftest) is in the log, node for node, as run_results.json has it.
    results = json.loads((built_sandbox.target / "run_results.json").read_text())
    invocation = results["metadata"]["invocation_id"]
    # the hook itself is in run_results.json, but not among the results it is handed
    nodes = [r for r in results["results"] if not r["unique_id"].startswith("operation.")]
    with duckdb.connect(str(built_sandbox.warehouse), read_only=True) as connection:
        run = connection.execute(
            "select command, target_name, status, nodes_total, nodes_failed, run_user"
            " from audit.dbt_runs where invocation_id = ?",
            [invocation],
        ).fetchall()
        logged = dict(
            connection.execute(
                "select unique_id, status from audit.dbt_node_results where invocation_id = ?",
                [invocation],
            ).fetchall()
        )
        # (rows_affected stays null on DuckDB: dbt-duckdb does not report it; PostgreSQL does)
        models = connection.execute(
            "select count(*) from audit.dbt_node_results where invocation_id = ?"
            " and resource_type = 'model' and execution_seconds > 0"
            " and started_at <= completed_at and relation_name is not null",
            [invocation],
        ).fetchone()[0]
        before = {
            row[0]
            for row in connection.execute("select invocation_id from audit.dbt_runs").fetchall()
        }
    assert len(run) == 1 and run[0][5], run
    assert run[0][:5] == ("build", "ci", "success", len(nodes), 0)
    assert logged == {r["unique_id"]: r["status"] for r in nodes}
    # every model built is logged with its relation and how long it took
    assert models == sum(r["unique_id"].startswith("model.") for r in nodes) >= 60

    # A failing model (whose message quotes a value) and a failing test, in a copy of the
    # project on a copy of the warehouse: both runs are logged as failed, with the messages.
    project = copy_project(tmp_path / "project")
    # (marts enforce a contract from dbt_project.yml, which a model without yml cannot meet)
    (project / "models" / "marts" / "core" / "broken.sql").write_text(
        "{{ config(contract={'enforced': false}) }}\n"
        "select cast('it''s; drop table x' as integer) as n\n"
    )
    warehouse = copy_warehouse(built_sandbox, tmp_path)
    with duckdb.connect(str(warehouse)) as connection:
        # a contracted mart refuses a null in a not_null column itself (its constraint) ...
        with pytest.raises(duckdb.ConstraintException, match="NOT NULL"):
            connection.execute("update marts.dim_products set sku = null where product_id = 1")
        # ... a price of 0 is for its tests to find
        connection.execute("update marts.dim_products set list_price_usd = 0 where product_id = 1")
    env = dict(
        os.environ,
        DBT_PROFILES_DIR=str(project),
        DBT_PROJECT_DIR=str(project),
        TRIBUTARY_WAREHOUSE_PATH=str(warehouse),
    )
    for command in (["run", "-s", "broken"], ["test", "-s", "dim_products"]):
        failed = subprocess.run(
            [DBT, *command, "--target-path", str(tmp_path / "t"), "--log-path", str(tmp_path)],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
        )
        assert failed.returncode == 1, failed.stdout[-3000:]
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        runs = [
            row[1:]
            for row in connection.execute(
                "select invocation_id, command, status, nodes_failed from audit.dbt_runs"
                " order by started_at"
            ).fetchall()
            if row[0] not in before
        ]
        messages = dict(
            connection.execute(
                "select node_name, message from audit.dbt_node_results"
                " where status in ('error', 'fail')"
            ).fetchall()
        )
    assert runs == [("run", "failed", 1), ("test", "failed", 1)]
    assert "it's; drop table x" in messages["broken"]
    assert messages["accepted_range_dim_products_list_price_usd__False__0"].startswith(
        "Got 1 result"
    )


# ------------------------------------------------------------------ catalog and versions


def test_the_catalog_lists_datasets_pii_and_lineage(parsed: Path, tmp_path: Path) -> None:
    run = governance(
        "catalog", "--no-parse", "--target-path", str(parsed), "--output", str(tmp_path)
    )

    assert run.returncode == 0, run.stdout + run.stderr
    report = (tmp_path / "governance_catalog.md").read_text()
    assert (tmp_path / "governance_catalog.html").read_text().startswith("<!doctype html>")
    manifest = json.loads((parsed / "manifest.json").read_text())
    nodes = [*manifest["nodes"].values(), *manifest["sources"].values()]
    pii_columns = sum(
        1
        for node in nodes
        for column in (node.get("columns") or {}).values()
        if (column.get("config") or {}).get("meta", {}).get("pii") or column["meta"].get("pii")
    )
    assert f"## PII columns ({pii_columns})" in report
    assert "| stg_shop__customers | email | email |" in report
    for heading in ("Datasets by owner", "Classification: internal", "Retention", "Lineage"):
        assert f"## {heading}" in report
    lineage = {
        line.split(" | ")[0].strip("| "): line
        for line in report.split("## Lineage")[1].splitlines()
        # the table's rows: not its header, which names the layers with arrows too
        if line.startswith("| ") and not line.startswith("| public model |")
    }
    public = {
        node["name"] + (f".v{node['version']}" if node.get("version") else "")
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node.get("access") == "public"
    }
    assert set(lineage) == public
    assert "source: " in lineage["agg_daily_sales"] and "shop.orders" in lineage["agg_daily_sales"]
    assert "stg_shop__orders" in lineage["agg_daily_sales"]
    assert "fct_orders.v2" in lineage["agg_daily_sales"]


def test_fct_orders_versions_resolve(parsed: Path) -> None:
    manifest = json.loads((parsed / "manifest.json").read_text())
    v1, v2 = (manifest["nodes"][f"model.tributary.fct_orders.v{n}"] for n in (1, 2))
    assert v2["latest_version"] == 2 and v2["alias"] == "fct_orders"
    assert v1["deprecation_date"] and v1["alias"] == "fct_orders_v1"
    assert v1["config"]["contract"]["enforced"] and v2["config"]["contract"]["enforced"]
    assert "customer_id" in v1["columns"] and "customer_id" not in v2["columns"]
    consumers = {
        uid: set(node["depends_on"]["nodes"]) & {v1["unique_id"], v2["unique_id"]}
        for uid, node in manifest["nodes"].items()
        if set(node["depends_on"].get("nodes", [])) & {v1["unique_id"], v2["unique_id"]}
    }
    pinned = {uid for uid, versions in consumers.items() if v1["unique_id"] in versions}
    # Every unpinned ref goes to v2; v1 is read only by its own tests and by the consumer test
    # that pins it (ref('fct_orders', v=1)) and compares it with the latest.
    compatibility = "test.tributary.assert_fct_orders_v1_consumers_see_v2_orders"
    assert consumers[compatibility] == {v1["unique_id"], v2["unique_id"]}
    assert all(uid == compatibility or "fct_orders_v1_" in uid for uid in pinned), pinned
    assert len(pinned) > 20  # v1's column tests: it is tested like v2
    for model in ("dim_customers", "agg_daily_sales", "ml_customer_order_features"):
        assert consumers[f"model.tributary.{model}"] == {v2["unique_id"]}
