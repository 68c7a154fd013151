"""Slim CI for real: in a copy of the project (a git repository of its own), `prod-manifest`
records the committed code as production, one model changes, and `ci-changed` builds and tests
only that model and its children, reading everything else from production's relations.

Production is a copy of the CI build's warehouse (`built_sandbox`), so the session's build stays
as it was for the other tests.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.python.conftest import ROOT, BuiltWarehouse
from tests.python.helpers import warehouse_count, warehouse_rows

CHANGED = "fct_shipments"


def project_copy(into: Path) -> Path:
    """The repository's files (tracked, or new and not ignored) in a fresh git repository."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    git = ["git", "-c", "user.name=ci", "-c", "user.email=ci@tributary.example"]
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "prod"]):
        subprocess.run([*git, *command], cwd=into, check=True, capture_output=True)
    return into


def dataops(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """`tributary dev ...` as the Makefile runs it, in the project copy."""
    return subprocess.run(
        [sys.executable, "-m", "tributary", "dev", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def descendants(manifest: dict, unique_id: str) -> set[str]:
    """The models and snapshots downstream of a node, by the manifest's child map."""
    found: set[str] = set()
    queue = [unique_id]
    while queue:
        for child in manifest["child_map"][queue.pop()]:
            if child.startswith(("model.", "snapshot.")) and child not in found:
                found.add(child)
                queue.append(child)
    return found


def test_ci_changed_builds_only_the_changed_model_and_its_children(
    built_sandbox: BuiltWarehouse, tmp_path: Path
) -> None:
    project = project_copy(tmp_path / "project")
    warehouse = tmp_path / "warehouse" / "tributary.duckdb"  # the name production's file has
    warehouse.parent.mkdir()
    shutil.copyfile(built_sandbox.warehouse, warehouse)
    env = dict(built_sandbox.env, TRIBUTARY_WAREHOUSE_PATH=str(warehouse))
    env.pop("DBT_PROFILES_DIR", None)
    env.pop("DBT_PROJECT_DIR", None)

    # Without a production manifest, slim CI says what to do instead of building everything.
    missing = dataops(project, env, "ci-changed")
    assert missing.returncode == 2
    assert "make prod-manifest" in missing.stderr and len(missing.stderr.splitlines()) == 1

    saved = dataops(project, env, "prod-manifest", "--ref", "main")
    assert saved.returncode == 0, saved.stdout[-3000:] + saved.stderr[-3000:]
    assert "Production manifest saved" in saved.stdout
    production = json.loads((project / "state" / "prod" / "manifest.json").read_text())
    changed_id = f"model.tributary.{CHANGED}"
    # ephemeral children are compiled into their own children, never built themselves
    expected = {
        uid
        for uid in {changed_id} | descendants(production, changed_id)
        if production["nodes"][uid]["config"]["materialized"] != "ephemeral"
    }
    models = {uid for uid, n in production["nodes"].items() if n["resource_type"] == "model"}
    assert 1 < len(expected) < len(models)

    # The pull request: one model's SQL changes (the work tree, not committed to main).
    model_file = project / "models" / "marts" / "core" / f"{CHANGED}.sql"
    model_file.write_text(model_file.read_text() + "-- a reviewed change to the model's SQL\n")
    production_rows = warehouse_count(warehouse, f"marts.{CHANGED}")

    run = dataops(project, env, "ci-changed")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-3000:]
    assert f"built {len(expected)} changed or downstream node(s)" in run.stdout

    results = json.loads((project / "target" / "pr" / "run_results.json").read_text())["results"]
    ran = {r["unique_id"]: r for r in results}
    built = {uid for uid in ran if uid.startswith(("model.", "snapshot.", "seed."))}
    assert built == expected
    # Only those models' tests ran, and they passed.
    manifest = json.loads((project / "target" / "pr" / "manifest.json").read_text())
    for uid in ran:
        if uid.startswith("test."):
            assert set(manifest["nodes"][uid]["depends_on"]["nodes"]) & expected, uid
        elif uid.startswith("unit_test."):
            assert manifest["unit_tests"][uid]["depends_on"]["nodes"][0] in expected, uid
    assert any(uid.startswith("test.") for uid in ran)
    # exposures downstream are listed as `no-op`: dbt builds nothing for a consumer
    assert {r["status"] for r in results if not r["unique_id"].startswith("exposure.")} <= {
        "pass",
        "success",
        "warn",
    }

    # Deferral: the changed model read its unchanged parents from production's schemas, and
    # its children read the pull request's version of it.
    changed_sql = ran[changed_id]["compiled_code"]
    assert '"intermediate".' in changed_sql and '"pr_intermediate"' not in changed_sql
    for child in expected - {changed_id}:
        child_sql = ran[child]["compiled_code"]
        if f'"{CHANGED}"' in child_sql:
            assert f'"pr_marts"."{CHANGED}"' in child_sql, child

    # The pull request's relations sit beside production's, which are untouched.
    built_schemas = warehouse_rows(
        warehouse,
        "select distinct table_schema from information_schema.tables "
        "where starts_with(table_schema, 'pr_') order by 1",
    )
    assert ("pr_marts",) in built_schemas
    assert {s for (s,) in built_schemas} <= {"pr_marts", "pr_ml", "pr_audit", "pr_snapshots"}
    assert warehouse_count(warehouse, f"pr_marts.{CHANGED}") == production_rows
    assert warehouse_count(warehouse, f"marts.{CHANGED}") == production_rows
